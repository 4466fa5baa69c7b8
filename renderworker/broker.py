"""Celery broker settings shared by both sides (the web app and the render worker).

Plain data, no Django: the web side's ``marketplace/celery_config.py`` builds on it. With a
``filesystem://`` broker (the embedded default) both sides must point at the same folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

GPU_QUEUE = "gpu"
RESULT_QUEUE = "default"
# Task names are the wire contract between the two sides; neither imports the other's code.
VERIFY_TASK = "renderworker.verify"
STARTED_TASK = "blueprints.verification_started"
RESULT_TASK = "blueprints.record_verification_result"


def broker_transport_options(*, broker_url: str, broker_folder: Path, visibility_timeout: int) -> dict[str, Any]:
    if broker_url.startswith("filesystem://"):
        for sub in ("queue", "processed", "control"):
            (broker_folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(broker_folder / "queue"),
            "data_folder_out": str(broker_folder / "queue"),
            "processed_folder": str(broker_folder / "processed"),
            # kombu's default is "control" relative to the working directory.
            "control_folder": str(broker_folder / "control"),
            "store_processed": False,
        }
    options: dict[str, Any] = {"visibility_timeout": visibility_timeout}
    restore = os.environ.get("BROKER_RESTORE_INTERVAL", "")
    if restore.isdigit() and int(restore) > 0:
        # How soon a consumer puts back messages whose worker died (unacked past the visibility
        # timeout): kombu scans every interval × throttle seconds (100 s by default).
        options.update({"unacked_restore_interval": int(restore), "unacked_restore_throttle": 1})
    return options


def base_celery_settings(*, broker_url: str, broker_folder: Path, visibility_timeout: int) -> dict[str, Any]:
    return {
        "broker_url": broker_url,
        "broker_transport_options": broker_transport_options(
            broker_url=broker_url, broker_folder=broker_folder, visibility_timeout=visibility_timeout
        ),
        "broker_connection_retry_on_startup": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
    }
