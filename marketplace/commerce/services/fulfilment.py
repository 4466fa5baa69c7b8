"""Fulfilment: the one idempotent function that turns a paid Checkout Session into
entitlements, called from the webhook task and from the success page.

It never trusts what called it: it re-retrieves the session from Stripe (so events that
arrive late, twice or out of order all converge on Stripe's current state), checks
``payment_status`` and the amount, and records the result through the order state machine.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import F

from marketplace.commerce.models import Order, OrderItem, OrderState
from marketplace.commerce.services.orders import order_mark_paid, order_transition
from marketplace.commerce.services.refunds import order_freeze_for_dispute, order_refund_sync
from marketplace.commerce.stripe_client import stripe_client, stripe_id

logger = logging.getLogger(__name__)


class FulfilmentMismatch(ValueError):
    """The session does not match the order Kiln created (amount, currency or items)."""


def _order_for_session(session: object) -> Order | None:
    session_id = str(getattr(session, "id", ""))
    order = Order.objects.filter(stripe_checkout_session_id=session_id).first()
    if order is None:
        # The session can be paid before Kiln stored its id only if storing it failed; the
        # order id travels in client_reference_id for that case.
        reference = str(getattr(session, "client_reference_id", "") or "")
        if reference.isdigit():
            order = Order.objects.filter(
                pk=int(reference), stripe_checkout_session_id__isnull=True
            ).first()
    return order


def _check_matches(*, order: Order, session: Any) -> None:
    amount = getattr(session, "amount_total", None)
    currency = str(getattr(session, "currency", "") or "")
    items = getattr(getattr(session, "line_items", None), "data", None) or []
    item_count = order.items.count()
    if amount != order.total_minor or currency != order.currency or len(items) != item_count:
        raise FulfilmentMismatch(
            f"Session {session.id} ({amount} {currency}, {len(items)} items) does not match "
            f"order {order.pk} ({order.total_minor} {order.currency}, {item_count} items)."
        )


def _record_payout(*, order: Order, payment_intent: object) -> dict[str, str]:
    """Charge id and the transfer that paid the seller (a destination charge has one)."""
    charge = getattr(payment_intent, "latest_charge", None)
    charge_id = stripe_id(charge)
    transfer_id = (
        stripe_id(getattr(charge, "transfer", None))
        if charge is not None and not isinstance(charge, str)
        else ""
    )
    if transfer_id:
        OrderItem.objects.filter(order=order).update(
            transfer_id=transfer_id, transfer_amount_minor=F("price_minor") - F("fee_minor")
        )
    return {"stripe_payment_intent_id": stripe_id(payment_intent), "stripe_charge_id": charge_id}


def _apply_later_charge_state(*, order: Order, payment_intent: Any, stripe_event_id: str) -> None:
    """A refund or dispute event processed before this one found no paid order to act on
    (events arrive out of order): the charge says what happened since, so apply it now."""
    charge = getattr(payment_intent, "latest_charge", None)
    if charge is None or isinstance(charge, str):
        return
    if charge.refunded:
        order_refund_sync(charge_id=charge.id, stripe_event_id=stripe_event_id)
    elif charge.disputed:
        order_freeze_for_dispute(
            order=order, note="charge disputed", stripe_event_id=stripe_event_id
        )


def order_fulfil_from_session(*, session_id: str, stripe_event_id: str = "") -> Order | None:
    """Bring the order of Checkout Session ``session_id`` in line with Stripe; safe to call any
    number of times, concurrently. Returns the order (None if Kiln has no order for it).

    ``paid``/``no_payment_required`` → the order is paid and its entitlements exist (exactly
    once: ``order_mark_paid`` locks the order and the transition is conditional); a completed
    session with an async payment still in flight → ``processing``; that payment failed →
    ``failed``; the session expired → ``expired``.
    """
    session = stripe_client().v1.checkout.sessions.retrieve(
        session_id, params={"expand": ["line_items", "payment_intent.latest_charge"]}
    )
    order = _order_for_session(session)
    if order is None:
        logger.warning("checkout session %s has no Kiln order", session_id)
        return None
    _check_matches(order=order, session=session)
    payment_intent = getattr(session, "payment_intent", None)
    if session.payment_status in ("paid", "no_payment_required"):
        order_mark_paid(
            order=order,
            note=f"paid ({session.payment_status})",
            stripe_event_id=stripe_event_id,
            **_record_payout(order=order, payment_intent=payment_intent),
        )
        _apply_later_charge_state(
            order=order, payment_intent=payment_intent, stripe_event_id=stripe_event_id
        )
    elif session.status == "complete":
        intent_status = str(getattr(payment_intent, "status", "") or "")
        if intent_status == "processing" and order.state == OrderState.PENDING:
            order_transition(
                order=order,
                to_state=OrderState.PROCESSING,
                note="async payment processing",
                stripe_event_id=stripe_event_id,
                stripe_payment_intent_id=stripe_id(payment_intent),
            )
        elif intent_status in ("requires_payment_method", "canceled") and order.can_transition(
            OrderState.FAILED
        ):
            order_transition(
                order=order,
                to_state=OrderState.FAILED,
                note="async payment failed",
                stripe_event_id=stripe_event_id,
            )
    elif session.status == "expired" and order.state == OrderState.PENDING:
        order_transition(
            order=order,
            to_state=OrderState.EXPIRED,
            note="checkout expired",
            stripe_event_id=stripe_event_id,
        )
    order.refresh_from_db()
    return order
