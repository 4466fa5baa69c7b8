"""``GET /api/v1/schema/``: the OpenAPI document, with errors in the API's JSON format.

drf-spectacular's view negotiates YAML by default, and DRF renders an error with the
negotiated renderer: a bad token or a POST got a YAML error body. Errors here are JSON like
every other error under /api/.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    def handle_exception(self, exc: Exception) -> Response:
        response: Any = super().handle_exception(exc)
        renderer = JSONRenderer()
        # finalize_response copies the request's renderer onto the response.
        self.request.accepted_renderer = renderer  # type: ignore[attr-defined]
        self.request.accepted_media_type = renderer.media_type  # type: ignore[attr-defined]
        return response
