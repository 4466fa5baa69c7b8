"""Stripe-shaped API errors.

Every error the stand-in returns has Stripe's envelope, so stripe-python maps it to the same
exception class it would raise against Stripe (400/404 -> InvalidRequestError or
IdempotencyError, 401 -> AuthenticationError, 402 -> CardError, 409 -> IdempotencyError ...).
"""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An error the API answers with Stripe's `{"error": {...}}` body."""

    def __init__(
        self,
        *,
        status: int,
        message: str,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param

    def to_body(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error (absent fields left out, as Stripe does)."""
        error: dict[str, Any] = {"message": self.message, "type": self.error_type}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def unknown_parameter(*, param: str) -> StripeError:
    """A parameter Stripe (or this stand-in's subset of it) does not accept."""
    return StripeError(
        status=400,
        code="parameter_unknown",
        param=param,
        message=(
            f"Received unknown parameter: {param}. The Kiln Stripe stand-in accepts only the "
            "parameters listed in docs/stripe-standin.md."
        ),
    )


def missing_parameter(*, param: str) -> StripeError:
    """A required parameter that was not sent."""
    return StripeError(
        status=400,
        code="parameter_missing",
        param=param,
        message=f"Missing required param: {param}.",
    )


def invalid_parameter(*, param: str, message: str, code: str | None = None) -> StripeError:
    """A parameter that was sent with a value Stripe refuses."""
    return StripeError(status=400, code=code, param=param, message=message)


def resource_missing(*, kind: str, object_id: str, param: str = "id") -> StripeError:
    """The 404 Stripe answers for an id it does not know."""
    return StripeError(
        status=404,
        code="resource_missing",
        param=param,
        message=f"No such {kind}: '{object_id}'",
    )


def invalid_state(
    *, message: str, code: str | None = None, param: str | None = None
) -> StripeError:
    """A request that is well-formed but not allowed in the object's current state."""
    return StripeError(status=400, code=code, param=param, message=message)
