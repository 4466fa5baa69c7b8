"""``GET /api/v1/health/``: a liveness probe that answers ``{"ok": true}``.

Deliberately a plain Django view that touches neither the database nor the cache: container
healthchecks call it every few seconds, and ``bench/gallery.py`` uses it as the cheapest JSON
response the stack can give (the baseline the gallery API's throughput is compared with).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """The process is up and Django answers; says nothing about PostgreSQL or Redis."""
    return JsonResponse({"ok": True})
