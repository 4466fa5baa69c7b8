"""Money going back: refunds revoke, disputes freeze (SPEC §5).

Both re-fetch the charge (or dispute) from Stripe instead of trusting the event's snapshot, so
a late or repeated event acts on the current state.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from marketplace.commerce.models import Order, OrderState
from marketplace.commerce.services.orders import (
    entitlements_freeze,
    entitlements_revoke,
    order_note,
    order_transition,
)
from marketplace.commerce.stripe_client import stripe_client, stripe_id


def _order_for_charge(*, charge_id: str, payment_intent_id: str) -> Order | None:
    query = Q(stripe_charge_id=charge_id) if charge_id else Q(pk__in=[])
    if payment_intent_id:
        query |= Q(stripe_payment_intent_id=payment_intent_id)
    return Order.objects.filter(query).first()


def order_refund_sync(*, charge_id: str, stripe_event_id: str = "") -> Order | None:
    """After ``charge.refunded``: a fully refunded charge makes the order ``refunded``, revokes
    its entitlements and removes the buyer's reviews; a partial refund is only logged."""
    charge = stripe_client().v1.charges.retrieve(charge_id)
    order = _order_for_charge(
        charge_id=charge.id, payment_intent_id=stripe_id(charge.payment_intent)
    )
    if order is None:
        return None
    if not charge.refunded:
        order_note(
            order=order,
            note=f"partial refund: {charge.amount_refunded} of {charge.amount}",
            stripe_event_id=stripe_event_id,
        )
        return order
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.state == OrderState.PAID:
            order_transition(
                order=locked,
                to_state=OrderState.REFUNDED,
                note="charge refunded",
                stripe_event_id=stripe_event_id,
            )
        if locked.state == OrderState.REFUNDED:
            entitlements_revoke(order=locked)
    order.refresh_from_db()
    return order


def order_dispute_open(*, dispute_id: str, stripe_event_id: str = "") -> Order | None:
    """After ``charge.dispute.created``: flag the order and freeze its entitlements."""
    dispute = stripe_client().v1.disputes.retrieve(dispute_id)
    charge_id = stripe_id(dispute.charge)
    order = _order_for_charge(
        charge_id=charge_id, payment_intent_id=stripe_id(getattr(dispute, "payment_intent", None))
    )
    if order is None:
        return None
    order_freeze_for_dispute(
        order=order, note=f"dispute opened ({dispute.reason})", stripe_event_id=stripe_event_id
    )
    return order


def order_freeze_for_dispute(*, order: Order, note: str, stripe_event_id: str = "") -> None:
    """Flag ``order`` as disputed (logged once) and freeze what it granted."""
    with transaction.atomic():
        changed = Order.objects.filter(pk=order.pk, disputed=False).update(disputed=True)
        if changed:
            order_note(order=order, note=note, stripe_event_id=stripe_event_id)
        entitlements_freeze(order=order)
    order.refresh_from_db()
