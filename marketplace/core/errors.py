"""The domain's error type. The API maps it to a JSON 4xx in one place (api/errors.py)."""

from __future__ import annotations


class DomainError(ValueError):
    """Bad input or a forbidden transition: a message, the field at fault, a stable code."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotFound(DomainError):
    status_code = 404

    def __init__(self, message: str = "Not found.", *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="not_found")


class PermissionDenied(DomainError):
    status_code = 403

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="permission_denied")
