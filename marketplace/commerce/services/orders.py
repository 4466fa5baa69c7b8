"""The order state machine and what a paid order grants.

``order_transition`` is the only way an order changes state. It is a conditional UPDATE
(``WHERE state = <expected>``), so two concurrent fulfilments (webhook and success page) cannot
both move ``pending → paid``: the loser changes zero rows and does nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from marketplace.commerce.models import (
    Entitlement,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
    ProductKind,
    Review,
)
from marketplace.gallery.models import Post


class InvalidOrderTransition(ValueError):
    pass


def platform_fee(*, amount_minor: int) -> int:
    """The platform's share of one item, rounded half up to a whole minor unit."""
    percent = int(settings.PLATFORM_FEE_PERCENT)
    return (amount_minor * percent + 50) // 100


def order_transition(
    *, order: Order, to_state: str, note: str = "", stripe_event_id: str = "", **fields: Any
) -> bool:
    """Move ``order`` to ``to_state`` if the map allows it and nobody moved it meanwhile.

    Returns True when this call made the change (and logged it); False when the order was no
    longer in the state ``order`` says (someone else won the race). Raises
    ``InvalidOrderTransition`` for a change the map forbids. Call inside a transaction when
    the change must go with other writes (entitlements).
    """
    if not order.can_transition(to_state):
        raise InvalidOrderTransition(f"An order that is {order.state} cannot become {to_state}.")
    now = timezone.now()
    changed = Order.objects.filter(pk=order.pk, state=order.state).update(
        state=to_state, updated_at=now, **fields
    )
    if changed != 1:
        return False
    OrderEvent.objects.create(
        order=order,
        from_state=order.state,
        to_state=to_state,
        note=note[:500],
        stripe_event_id=stripe_event_id,
    )
    order.refresh_from_db()
    return True


def order_note(*, order: Order, note: str, stripe_event_id: str = "") -> None:
    """Log a fact about an order that is not a state change (dispute, partial refund)."""
    OrderEvent.objects.create(
        order=order,
        from_state=order.state,
        to_state=order.state,
        note=note[:500],
        stripe_event_id=stripe_event_id,
    )


def entitlements_grant(*, order: Order) -> list[Entitlement]:
    """Grant every item of a paid ``order`` to its buyer, once.

    Unique (buyer, product) constraints make a second grant impossible; a buyer whose earlier
    purchase was refunded gets the same row back, active and pointing at the new order.
    """
    granted = []
    for item in OrderItem.objects.filter(order=order).order_by("id"):
        product: dict[str, Any] = (
            {"recipe_id": item.recipe_id}
            if item.kind == ProductKind.RECIPE
            else {"blueprint_id": item.blueprint_id}
        )
        entitlement, _ = Entitlement.objects.update_or_create(
            buyer_id=order.buyer_id,
            **product,
            defaults={
                "kind": item.kind,
                "post_id": item.post_id,
                "order": order,
                "revoked_at": None,
                "frozen_at": None,
            },
        )
        granted.append(entitlement)
    return granted


def entitlements_revoke(*, order: Order) -> int:
    """Revoke what ``order`` granted and remove the buyer's reviews of it (SPEC §5: a refund
    removes the review). Returns how many entitlements were revoked."""
    with transaction.atomic():
        entitlements = Entitlement.objects.filter(order=order, revoked_at__isnull=True)
        Review.objects.filter(entitlement__in=entitlements).delete()
        return entitlements.update(revoked_at=timezone.now())


def entitlements_freeze(*, order: Order) -> int:
    """Freeze what ``order`` granted while a dispute is open (no downloads, no full view)."""
    return Entitlement.objects.filter(order=order, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )


def order_mark_paid(*, order: Order, note: str, stripe_event_id: str = "", **fields: Any) -> bool:
    """``pending|processing → paid`` and the entitlements, in one transaction; True if this
    call did it. The order row is locked first so a concurrent caller waits and then sees
    ``paid`` instead of racing on the entitlements."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.state == OrderState.PAID or not locked.can_transition(OrderState.PAID):
            return False
        done = order_transition(
            order=locked,
            to_state=OrderState.PAID,
            note=note,
            stripe_event_id=stripe_event_id,
            paid_at=timezone.now(),
            **fields,
        )
        if done:
            entitlements_grant(order=locked)
            # The gallery's trending and top scores read the post's sale counter.
            post_ids = set(locked.items.values_list("post_id", flat=True))
            Post.objects.filter(pk__in=post_ids).update(sale_count=F("sale_count") + 1)
    order.refresh_from_db()
    return done
