"""Celery tasks of verification on the web side (queue ``default``): record what the GPU
worker reports, reap silent runs, re-verify after a behaviour change. Thin: they call
blueprints/verification.py."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError

from blueprints import verification
from marketplace.celery import app
from renderworker.broker import RESULT_TASK, STARTED_TASK

# A verdict must not be lost to a busy database (SQLite's "database is locked" in the embedded
# default, a failover in production): retry with backoff; recording is idempotent by run id.
_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 1, "retry_backoff_max": 30, "max_retries": 10}


@app.task(name=STARTED_TASK, queue="default", **_RETRY)
def verification_started(run_id: str, attempt: int) -> None:
    verification.record_started(run_id=int(run_id), attempt=int(attempt))


@app.task(name=RESULT_TASK, queue="default", **_RETRY)
def record_verification_result(payload: dict[str, Any]) -> None:
    verification.record_result(payload=payload)


@app.task(name="blueprints.reap_stale_runs", queue="default")
def reap_stale_runs() -> dict[str, int]:
    return verification.reap_stale_runs()


@app.task(name="blueprints.reverify_outdated", queue="default")
def reverify_outdated() -> int:
    return verification.reverify_outdated()
