"""Incoming Stripe webhooks: verify, store by event id, hand over to the ``stripe`` queue.

The view does only the cheap part (signature, one INSERT) and answers 2xx fast; processing
happens in ``stripe_event_process`` on the queue, after commit. The unique ``event_id`` makes
every re-delivery a no-op; the handlers re-fetch state from Stripe, so order does not matter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.commerce.models import StripeEvent, StripeEventStatus
from marketplace.commerce.services.connect import connect_account_sync
from marketplace.commerce.services.fulfilment import order_fulfil_from_session
from marketplace.commerce.services.refunds import order_dispute_open, order_refund_sync

logger = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300


class WebhookRejected(ValueError):
    """Bad signature, stale timestamp or a body that is not an event: answer 400, store nothing."""


def webhook_verify(*, payload: bytes, signature: str, secret: str) -> dict[str, Any]:
    """The event in ``payload`` if ``signature`` is Stripe's for ``secret`` and recent enough."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"Stripe-Signature rejected: {error.user_message or error}") from None
    except ValueError as error:
        raise WebhookRejected(f"The body is not a Stripe event: {error}") from None
    data: dict[str, Any] = event.to_dict()
    if not data.get("id") or not data.get("type"):
        raise WebhookRejected("The event has no id or type.")
    return data


def webhook_receive(*, event: dict[str, Any], endpoint: str) -> StripeEvent | None:
    """Store a verified event; returns it when it is new (the caller enqueues processing after
    commit), None for a duplicate delivery already stored."""
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], endpoint=endpoint, payload=event
            )
    except IntegrityError:
        # A re-delivery. One that failed earlier is processed again (handlers are idempotent).
        failed = StripeEvent.objects.filter(
            event_id=event["id"], status=StripeEventStatus.FAILED
        ).first()
        return failed
    return stored


def _checkout_session(event: dict[str, Any]) -> None:
    order_fulfil_from_session(session_id=event["data"]["object"]["id"], stripe_event_id=event["id"])


def _charge_refunded(event: dict[str, Any]) -> None:
    order_refund_sync(charge_id=event["data"]["object"]["id"], stripe_event_id=event["id"])


def _dispute_created(event: dict[str, Any]) -> None:
    order_dispute_open(dispute_id=event["data"]["object"]["id"], stripe_event_id=event["id"])


def _account_updated(event: dict[str, Any]) -> None:
    connect_account_sync(account_id=event.get("account") or event["data"]["object"]["id"])


HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "checkout.session.completed": _checkout_session,
    "checkout.session.async_payment_succeeded": _checkout_session,
    "checkout.session.async_payment_failed": _checkout_session,
    "checkout.session.expired": _checkout_session,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "account.updated": _account_updated,
}


def stripe_event_process(*, stripe_event_pk: int) -> str:
    """Run the handler of a stored event and record the outcome; returns the new status.

    Unknown types are acknowledged and marked ``ignored``. A handler error is recorded as
    ``failed`` and re-raised so the task may retry; a re-delivery also retries it.
    """
    stored = StripeEvent.objects.filter(pk=stripe_event_pk).first()
    if stored is None or stored.status in (StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED):
        return stored.status if stored else "missing"
    handler = HANDLERS.get(stored.type)
    if handler is None:
        status = StripeEventStatus.IGNORED
    else:
        try:
            handler(stored.payload)
        except Exception as error:
            StripeEvent.objects.filter(pk=stored.pk).update(
                status=StripeEventStatus.FAILED, error=str(error)[:2000]
            )
            logger.exception("stripe event %s (%s) failed", stored.event_id, stored.type)
            raise
        status = StripeEventStatus.PROCESSED
    StripeEvent.objects.filter(pk=stored.pk).update(
        status=status, processed_at=timezone.now(), error=""
    )
    return status
