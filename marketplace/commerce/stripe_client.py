"""The one place that builds Kiln's Stripe client.

With ``STRIPE_API_BASE`` set (embedded default, tests) requests go to Kiln's stand-in; unset
(production), the same code talks to api.stripe.com.
"""

from __future__ import annotations

import stripe
from django.conf import settings


def stripe_client() -> stripe.StripeClient:
    """A client for the configured key and API address (built per call: settings may change in
    tests, and construction is cheap)."""
    base = getattr(settings, "STRIPE_API_BASE", None)
    if base:
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": base})
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY)


def stripe_id(value: object) -> str:
    """The id of a field that may be an id string, an expanded object or None."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(getattr(value, "id", "") or "")
