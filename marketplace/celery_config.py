"""Celery settings for the web side's app (queues ``default``, ``media``, ``stripe``).

Kept apart from settings.py so the values are plain data that tests can read. The broker part
is shared with the render worker (renderworker/broker.py) so both sides always agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from renderworker.broker import GPU_QUEUE, VERIFY_TASK, base_celery_settings

# The longest CPU task (image derivatives of a 50 MP upload) finishes well inside this; the
# visibility timeout must stay above every task's hard limit or Redis re-delivers it.
TASK_SOFT_TIME_LIMIT = 240
TASK_TIME_LIMIT = 300
VISIBILITY_TIMEOUT = 3600


def celery_settings(*, broker_url: str, broker_folder: Path) -> dict[str, Any]:
    settings = base_celery_settings(broker_url=broker_url, broker_folder=broker_folder, visibility_timeout=VISIBILITY_TIMEOUT)
    settings.update(
        {
            "task_default_queue": "default",
            "task_soft_time_limit": TASK_SOFT_TIME_LIMIT,
            "task_time_limit": TASK_TIME_LIMIT,
            # Sent by name: the web side never imports the render worker's task code.
            "task_routes": {VERIFY_TASK: {"queue": GPU_QUEUE}},
        }
    )
    return settings
