"""``GET /api/v1/health/``: a liveness probe that answers ``{"ok": true}``.

Deliberately a plain Django view that touches neither the database nor the cache: container
healthchecks call it every few seconds, and ``bench/gallery.py`` uses it as the cheapest JSON
response the stack can give (the baseline the gallery API's throughput is compared with).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from marketplace.api.errors import error_body


# csrf_exempt: it changes nothing, and a CSRF failure here would be Django's HTML 403 page
# instead of the API's JSON error.
@csrf_exempt
def health(request: HttpRequest) -> JsonResponse:
    """The process is up and Django answers; says nothing about PostgreSQL or Redis."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse(
            error_body(
                code="method_not_allowed",
                message=f"Method {request.method} is not allowed here; use GET or HEAD.",
            ),
            status=405,
        )
        response["Allow"] = "GET, HEAD"
        return response
    return JsonResponse({"ok": True})
