"""Celery settings for the web side's app (queues ``default``, ``media``, ``stripe``).

Kept apart from settings.py so the values are plain data that tests can read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The longest CPU task (image derivatives of a 50 MP upload) finishes well inside this; the
# visibility timeout must stay above every task's hard limit or Redis re-delivers it.
TASK_SOFT_TIME_LIMIT = 240
TASK_TIME_LIMIT = 300
VISIBILITY_TIMEOUT = 3600


def celery_settings(*, broker_url: str, broker_folder: Path) -> dict[str, Any]:
    options: dict[str, Any] = {"visibility_timeout": VISIBILITY_TIMEOUT}
    if broker_url.startswith("filesystem://"):
        # kombu's file-system transport: one folder shared by every local process.
        for sub in ("queue", "processed"):
            (broker_folder / sub).mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(broker_folder / "queue"),
            "data_folder_out": str(broker_folder / "queue"),
            "processed_folder": str(broker_folder / "processed"),
            "store_processed": False,
        }
    return {
        "broker_url": broker_url,
        "broker_transport_options": options,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": "default",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": TASK_SOFT_TIME_LIMIT,
        "task_time_limit": TASK_TIME_LIMIT,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
    }
