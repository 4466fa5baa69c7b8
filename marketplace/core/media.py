"""Public derivatives served by Django in the embedded default (S3/CDN serve them in production)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.static import serve

from marketplace.storage import public_storage


def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve from the public storage's folder as configured now (tests swap it per test)."""
    location = getattr(public_storage(), "location", None)
    response: HttpResponse = serve(request, path, document_root=location)
    # Content-addressed names never change: cache them for a year.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
