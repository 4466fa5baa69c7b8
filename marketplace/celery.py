"""The web side's Celery app: ``celery -A marketplace worker -Q default,media,stripe``.

Task modules register with ``@app.task`` on this app explicitly (not ``shared_task``), so a
web process that enqueues a task always uses this configuration, never Celery's default.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

from django.conf import settings  # noqa: E402

app = Celery("marketplace")
app.conf.update(settings.CELERY)
_project_apps = [name for name in settings.INSTALLED_APPS if not name.startswith(("django", "rest_framework", "drf_"))]
app.autodiscover_tasks(lambda: _project_apps)
app.autodiscover_tasks(lambda: ["blueprints"], related_name="verification_tasks")
app.conf.beat_schedule = {
    "reap-stale-verification-runs": {"task": "blueprints.reap_stale_runs", "schedule": 60.0},
    "reverify-after-behaviour-change": {"task": "blueprints.reverify_outdated", "schedule": 3600.0},
}
