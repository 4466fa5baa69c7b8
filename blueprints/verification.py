"""The web side of verification: queue runs, record what the GPU worker reports, reap silent runs.

The worker imports no Django. It gets a plain-JSON job (renderworker.jobs.VerificationJob)
by task name on the ``gpu`` queue and answers by task name on ``default``:
``blueprints.verification_started`` and ``blueprints.record_verification_result``, which
land in blueprints/verification_tasks.py and call the functions here.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from blueprints.models import (
    FINISHED_RUN_STATUSES,
    RUN_TRANSITIONS,
    BlueprintVersion,
    RunStatus,
    VerificationRun,
    VersionState,
)
from blueprints.services import version_transition
from marketplace.gallery.models import Post
from renderworker import BEHAVIOUR_VERSION
from renderworker.broker import GPU_QUEUE, VERIFY_TASK
from renderworker.jobs import JobResource, VerificationJob, Verdict
from renderworker.progress import ProgressStore, progress_store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# A running run whose worker has said nothing for this long is presumed dead.
STALE_AFTER_SECONDS = 180

VERDICT_TO_RUN = {
    Verdict.VERIFIED: RunStatus.VERIFIED,
    Verdict.REJECTED: RunStatus.REJECTED,
    Verdict.UNSUPPORTED: RunStatus.UNSUPPORTED,
    Verdict.ERROR: RunStatus.ERROR,
}
RUN_TO_VERSION = {
    RunStatus.VERIFIED: VersionState.VERIFIED,
    RunStatus.REJECTED: VersionState.REJECTED,
    RunStatus.UNSUPPORTED: VersionState.UNSUPPORTED,
    RunStatus.ERROR: VersionState.ERROR,
}


def progress() -> ProgressStore:
    return progress_store(redis_url=settings.REDIS_URL, var_dir=settings.VAR_DIR)


def build_job(*, run: VerificationRun) -> VerificationJob:
    """Everything the worker needs, as plain JSON: graph, model files, showcase, outputs."""
    version = run.version
    resources = [
        JobResource(name=r.name, kind=r.kind, sha256=r.model_version.sha256, key=r.model_version.file.name)
        for r in version.resources.select_related("model_version")
        if r.model_version is not None
    ]
    post = version.blueprint.post
    return VerificationJob(
        run_id=str(run.pk),
        graph=version.graph_api,
        resources=resources,
        showcase_key=post.image.original.name,
        output_prefix=f"verification/{run.pk}",
        profile=getattr(settings, "RENDER_PROFILE", ""),
        max_attempts=run.max_attempts,
        thresholds=getattr(settings, "VERIFICATION_THRESHOLDS", {}),
    )


def _send(run: VerificationRun) -> None:
    from marketplace.celery import app

    app.send_task(VERIFY_TASK, args=[run.job], queue=GPU_QUEUE)


def verification_enqueue(*, version: BlueprintVersion, trigger: str = "submit") -> VerificationRun:
    """Create a run and put its job on the GPU queue once the transaction commits."""
    run = VerificationRun.objects.create(version=version, trigger=trigger, max_attempts=MAX_ATTEMPTS, behaviour_version=BEHAVIOUR_VERSION)
    run.job = build_job(run=run).to_json()
    run.save(update_fields=["job"])
    transaction.on_commit(lambda: _send(run))
    return run


def _run_transition(run_id: int, *, to: str, allowed_from: set[str] | None = None, **fields: Any) -> bool:
    """Conditional update: True when this call moved the run (idempotent under re-delivery)."""
    sources = allowed_from or {source for source, targets in RUN_TRANSITIONS.items() if to in targets}
    return VerificationRun.objects.filter(pk=run_id, status__in=sources).update(status=to, **fields) == 1


@transaction.atomic
def record_started(*, run_id: int, attempt: int) -> None:
    """The worker picked the job up (attempt n). Mirrors the attempt count onto the row."""
    run = VerificationRun.objects.select_for_update().select_related("version").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return
    _run_transition(run.pk, to=RunStatus.RUNNING, attempts=max(run.attempts, attempt), started_at=timezone.now())
    version = run.version
    if run.trigger == "submit" and version.state == VersionState.SUBMITTED:
        version_transition(version=version, to_state=VersionState.VERIFYING, note=f"run {run.pk} started (attempt {attempt})")


@transaction.atomic
def record_result(*, payload: dict[str, Any]) -> VerificationRun | None:
    """Store a verdict exactly once and move the version accordingly."""
    try:
        run_id = int(payload["run_id"])
        status = VERDICT_TO_RUN[payload["status"]]
    except (KeyError, ValueError, TypeError):
        log.error("verification result with no usable run_id/status: %r", {k: payload.get(k) for k in ("run_id", "status")})
        return None
    run = VerificationRun.objects.select_for_update().select_related("version").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return run  # late duplicate: the first verdict stands
    fields = {
        "reason": str(payload.get("reason", ""))[:5000],
        "decision": payload.get("decision") or {},
        "images": payload.get("images") or {},
        "unsupported_nodes": payload.get("unsupported_nodes") or [],
        "environment": payload.get("environment") or {},
        "timings": payload.get("timings") or {},
        "peak_memory_bytes": int(payload.get("peak_memory_bytes") or 0),
        "behaviour_version": str(payload.get("behaviour_version") or run.behaviour_version),
        "attempts": max(run.attempts, int(payload.get("attempt") or 1)),
        "finished_at": timezone.now(),
    }
    _run_transition(run.pk, to=status, **fields)
    run.refresh_from_db()
    _apply_verdict_to_version(run)
    return run


def _apply_verdict_to_version(run: VerificationRun) -> None:
    version = BlueprintVersion.objects.select_for_update().get(pk=run.version_id)
    target = RUN_TO_VERSION[run.status]
    if run.trigger == "reverify":
        # A listed Blueprint stays listed while re-verified; only a failed re-run unlists it.
        if target != VersionState.VERIFIED and version.state == VersionState.LISTED:
            version_transition(version=version, to_state=VersionState.VERIFYING, note=f"re-verification run {run.pk}: {run.status}")
            version_transition(version=version, to_state=target, note=run.reason[:500])
            _sync_post_facets(version)
        return
    if version.state == VersionState.SUBMITTED:
        version = version_transition(version=version, to_state=VersionState.VERIFYING, note=f"run {run.pk}")
    if version.state == VersionState.VERIFYING:
        version_transition(version=version, to_state=target, note=run.reason[:500])


def _sync_post_facets(version: BlueprintVersion) -> None:
    post_id = version.blueprint.post_id
    verified = BlueprintVersion.objects.filter(blueprint__post_id=post_id, state__in=[VersionState.VERIFIED, VersionState.LISTED]).exists()
    Post.objects.filter(pk=post_id).update(has_verified_blueprint=verified)


def reap_stale_runs(*, now: float | None = None, stale_after: int = STALE_AFTER_SECONDS) -> dict[str, int]:
    """Runs whose worker fell silent: requeue within the attempt cap, else mark ``error``."""
    now = now or time.time()
    store = progress()
    counts = {"requeued": 0, "failed": 0}
    cutoff = datetime.fromtimestamp(now - stale_after, tz=UTC)
    candidates = VerificationRun.objects.filter(Q(status=RunStatus.RUNNING) & Q(started_at__lt=cutoff))
    for run in candidates:
        beat = (store.read(str(run.pk)) or {}).get("heartbeat_at", 0)
        if now - float(beat) < stale_after:
            continue
        if run.attempts < run.max_attempts:
            if _run_transition(run.pk, to=RunStatus.QUEUED, allowed_from={RunStatus.RUNNING}):
                run.refresh_from_db()
                transaction.on_commit(lambda run=run: _send(run))
                counts["requeued"] += 1
        else:
            reason = f"the worker stopped reporting (no heartbeat for {stale_after} s) after {run.attempts} attempts"
            with transaction.atomic():
                if _run_transition(run.pk, to=RunStatus.ERROR, allowed_from={RunStatus.RUNNING}, reason=reason, finished_at=timezone.now()):
                    run.refresh_from_db()
                    _apply_verdict_to_version(run)
                    counts["failed"] += 1
    return counts


def reverify_outdated(*, limit: int = 50) -> int:
    """Queue re-verification of listed versions last verified under another behaviour version."""
    queued = 0
    listed = BlueprintVersion.objects.filter(state=VersionState.LISTED).order_by("id")
    for version in listed.iterator():
        latest = version.runs.order_by("-created_at").first()
        if latest is None or (latest.is_finished and latest.behaviour_version != BEHAVIOUR_VERSION):
            with transaction.atomic():
                verification_enqueue(version=version, trigger="reverify")
            queued += 1
            if queued >= limit:
                break
    return queued


def queue_position(run: VerificationRun) -> int | None:
    """1-based place among queued runs (None when not queued)."""
    if run.status != RunStatus.QUEUED:
        return None
    return VerificationRun.objects.filter(status=RunStatus.QUEUED, created_at__lte=run.created_at, id__lte=run.pk).count()


def run_progress(run: VerificationRun) -> dict[str, Any]:
    """Live state for the creator: queue position, stage, node, step k of n."""
    snapshot = progress().read(str(run.pk)) or {}
    return {
        "status": run.status,
        "queue_position": queue_position(run),
        "stage": snapshot.get("stage"),
        "node": snapshot.get("node"),
        "step": snapshot.get("step"),
        "steps": snapshot.get("steps"),
        "attempt": snapshot.get("attempt", run.attempts),
        "heartbeat_at": snapshot.get("heartbeat_at"),
    }


def report_url(version_id: int) -> str:
    from django.urls import reverse

    return reverse("blueprints:verification-report", args=[version_id])


def run_summary(run: VerificationRun) -> dict[str, Any]:
    """A run as its creator's version page and API show it (progress while unfinished)."""
    return {
        "id": run.pk,
        "status": run.status,
        "trigger": run.trigger,
        "attempts": run.attempts,
        "max_attempts": run.max_attempts,
        "behaviour_version": run.behaviour_version,
        "reason": run.reason,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress": None if run.is_finished else run_progress(run),
        "report_url": report_url(run.version_id),
        "api_url": f"/api/v1/blueprint-versions/{run.version_id}/",
    }


def runs_for_owner(version: BlueprintVersion, *, limit: int = 10) -> list[dict[str, Any]]:
    return [run_summary(run) for run in version.runs.order_by("-created_at", "-id")[:limit]]


__all__ = [
    "report_url",
    "run_summary",
    "runs_for_owner",
    "FINISHED_RUN_STATUSES",
    "reap_stale_runs",
    "record_result",
    "record_started",
    "reverify_outdated",
    "run_progress",
    "verification_enqueue",
]
