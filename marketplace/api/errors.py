"""Every API error is JSON: ``{"error": {"code", "message", "field", "details"}}``.

Domain errors (marketplace.core.errors.DomainError) are mapped here and nowhere else.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from marketplace.core.errors import DomainError


def error_body(*, code: str, message: str, field: str | None = None, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details is not None:
        body["details"] = details
    return {"error": body}


def _first_field_error(detail: Any, prefix: str = "") -> tuple[str | None, str, str]:
    """Walk DRF's nested validation detail to the first leaf: (field path, message, code)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            return _first_field_error(value, path)
    if isinstance(detail, list) and detail:
        return _first_field_error(detail[0], prefix)
    code = getattr(detail, "code", "invalid") or "invalid"
    return (prefix or None), str(detail), str(code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(
            error_body(code=exc.code, message=exc.message, field=exc.field), status=exc.status_code
        )
    if isinstance(exc, SuspiciousOperation):
        # Raised while DRF reads the body; left alone, Django answers with its HTML 400 page.
        return _suspicious_request(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = _first_field_error(exc.detail)
        response.data = error_body(code=code, message=message, field=field, details=exc.detail)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        message = str(detail)
        view = context.get("view")
        if isinstance(exc, exceptions.UnsupportedMediaType) and view is not None:
            # DRF's message names only what was sent; a stranger also needs what is accepted.
            accepted = ", ".join(parser.media_type for parser in view.get_parsers())
            message = f"{message.rstrip('.')}; accepted: {accepted}."
        response.data = error_body(code=str(code), message=message)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and isinstance(exc, exceptions.Throttled):
        response.data["error"]["retry_after"] = exc.wait
    return response


def _server_error(exc: Exception, context: dict[str, Any]) -> Response:
    """A bug, answered as the API's JSON (never Django's HTML page or a trace) and logged.

    Logged on django.request, where Django logs its own 500s, so the same handlers see it.
    """
    request = context.get("request")
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", getattr(request, "path", "?"), exc_info=exc
    )
    set_rollback()
    return Response(
        error_body(
            code="server_error",
            message="Kiln failed to answer this request; it has been logged. Try again later.",
        ),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _suspicious_request(exc: SuspiciousOperation) -> Response:
    """Bodies over Django's limits (and other refused requests) as the API's JSON errors."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            error_body(
                code="request_too_large",
                message=f"The request body is larger than {limit:,} bytes (uploaded files "
                "aside); send less.",
            ),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        message = (
            f"The request has too many fields; at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} "
            "are accepted."
        )
        return Response(
            error_body(code="too_many_fields", message=message), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, TooManyFilesSent):
        message = (
            f"The request has too many files; at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} "
            "are accepted."
        )
        return Response(
            error_body(code="too_many_files", message=message), status=status.HTTP_400_BAD_REQUEST
        )
    return Response(
        error_body(code="bad_request", message="The request was refused as malformed."),
        status=status.HTTP_400_BAD_REQUEST,
    )
