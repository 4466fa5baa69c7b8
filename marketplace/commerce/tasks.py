"""Celery tasks of the ``stripe`` queue: thin wrappers around the webhook services."""

from __future__ import annotations

import stripe

from marketplace.celery import app
from marketplace.commerce.services.webhooks import stripe_event_process


@app.task(
    name="commerce.process_stripe_event",
    queue="stripe",
    # Only Stripe being unreachable can succeed later; bad data fails the same way every time.
    autoretry_for=(stripe.APIConnectionError, stripe.RateLimitError),
    retry_backoff=True,
    max_retries=5,
)
def process_stripe_event(stripe_event_pk: int) -> str:
    """Process one stored webhook event (see ``services.webhooks.stripe_event_process``)."""
    return stripe_event_process(stripe_event_pk=stripe_event_pk)
