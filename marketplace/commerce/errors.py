"""Commerce's domain errors (mapped to HTTP by the API's one exception handler)."""

from __future__ import annotations

from marketplace.core.errors import DomainError


class CheckoutError(DomainError):
    """A checkout that cannot start: the message names the item and what is accepted."""


class DownloadRateLimited(DomainError):
    status_code = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, field=None, code="download_rate_limited")


class PaymentProviderError(CheckoutError):
    """Stripe refused or could not be reached when starting a checkout."""

    status_code = 502
