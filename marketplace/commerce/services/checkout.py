"""Starting a purchase: an order with server-side prices, then a Stripe Checkout Session.

Decisions (SPEC §5, INFRA_NOTES "Stripe"):
- One order has one seller. A cart spanning several creators is refused with
  ``multiple_sellers``: a destination charge pays exactly one connected account, and separate
  charges and transfers would need refund and dispute bookkeeping across sellers that Kiln
  does not need (SPEC: one item, or one post's Recipe + Blueprint bundle).
- A paid order is one destination charge: ``application_fee_amount`` = the platform fee,
  ``transfer_data.destination`` = the seller's Express account.
- Free items (total 0) are acquired at once, without Stripe.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from marketplace.accounts.models import User
from marketplace.commerce.errors import CheckoutError, PaymentProviderError
from marketplace.commerce.models import Entitlement, Order, OrderItem, OrderState, ProductKind
from marketplace.commerce.services.catalog import Product, ProductRef, product_resolve
from marketplace.commerce.services.connect import seller_can_charge
from marketplace.commerce.services.orders import order_mark_paid, order_transition, platform_fee
from marketplace.commerce.stripe_client import stripe_client
from marketplace.core.errors import PermissionDenied

MAX_ITEMS = 10


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    checkout_url: str


def _products(*, buyer: User, refs: list[ProductRef]) -> list[Product]:
    if not refs:
        raise CheckoutError(
            "items is empty; give one to ten products.", field="items", code="required"
        )
    if len(refs) > MAX_ITEMS:
        raise CheckoutError(
            f"items has {len(refs)} products; at most {MAX_ITEMS}.", field="items", code="too_many"
        )
    if len(set(refs)) != len(refs):
        raise CheckoutError("items names the same product twice.", field="items", code="duplicate")
    products = [product_resolve(ref=ref, field=f"items[{index}]") for index, ref in enumerate(refs)]
    for index, product in enumerate(products):
        if product.seller_id == buyer.pk:
            raise PermissionDenied("You cannot buy your own work.", field=f"items[{index}]")
    if len({product.seller_id for product in products}) > 1:
        raise CheckoutError(
            "items come from several creators; buy each creator's items in a separate checkout.",
            field="items",
            code="multiple_sellers",
        )
    if len({product.currency for product in products}) > 1:
        raise CheckoutError(
            "items are priced in different currencies.", field="items", code="mixed_currencies"
        )
    for index, product in enumerate(products):
        owned = Entitlement.objects.active().filter(buyer=buyer)
        owned = (
            owned.filter(recipe=product.recipe)
            if product.kind == ProductKind.RECIPE
            else owned.filter(blueprint=product.blueprint)
        )
        if owned.exists():
            raise CheckoutError(
                "You already own this product; it is in your library.",
                field=f"items[{index}]",
                code="already_owned",
            )
    return products


def _order_create(*, buyer: User, products: list[Product]) -> Order:
    fees = [platform_fee(amount_minor=product.price_minor) for product in products]
    subtotal = sum(product.price_minor for product in products)
    with transaction.atomic():
        order = Order.objects.create(
            buyer=buyer,
            seller_id=products[0].seller_id,
            currency=products[0].currency,
            subtotal_minor=subtotal,
            fee_minor=sum(fees),
            total_minor=subtotal,
        )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                kind=product.kind,
                recipe=product.recipe,
                blueprint=product.blueprint,
                blueprint_version=product.version,
                post=product.post,
                seller_id=product.seller_id,
                title=product.title,
                price_minor=product.price_minor,
                fee_minor=fee,
                currency=product.currency,
            )
            for product, fee in zip(products, fees, strict=True)
        )
        order.events.create(to_state=OrderState.PENDING, note="checkout started")
    return order


def checkout_start(*, buyer: User, refs: list[ProductRef]) -> CheckoutResult:
    """Create an order for ``refs`` at today's prices and, unless it is free, a Checkout
    Session; returns the order and the URL to send the buyer to.

    Refuses (nothing written): unknown or unlisted products, the buyer's own work, products
    already owned, several sellers, a seller who cannot take payments yet.
    """
    products = _products(buyer=buyer, refs=refs)
    total = sum(product.price_minor for product in products)
    seller = products[0].post.creator
    if total > 0 and not seller_can_charge(user=seller):
        raise CheckoutError(
            "The creator has not finished setting up payouts; this item cannot be bought yet.",
            field="items",
            code="seller_not_onboarded",
        )
    order = _order_create(buyer=buyer, products=products)
    if total == 0:
        order_mark_paid(order=order, note="free items acquired without payment")
        return CheckoutResult(
            order=order, checkout_url=settings.SITE_URL + reverse("commerce:library")
        )
    # The network call happens after the order is committed (never inside a transaction); the
    # deterministic idempotency key makes a retried request return the same session.
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "client_reference_id": str(order.pk),
                "customer_email": buyer.email,
                "metadata": {"order_id": str(order.pk)},
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": item.currency,
                            "unit_amount": item.price_minor,
                            "product_data": {"name": item.title, "metadata": {"kind": item.kind}},
                        },
                    }
                    for item in order.items.order_by("id")
                ],
                "payment_intent_data": {
                    "application_fee_amount": order.fee_minor,
                    "transfer_data": {"destination": seller.profile.stripe_account_id},
                    "metadata": {"order_id": str(order.pk)},
                },
                "success_url": settings.SITE_URL
                + reverse("commerce:checkout-success")
                + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": settings.SITE_URL
                + reverse("commerce:checkout-cancelled")
                + f"?order={order.pk}",
            },
            options={"idempotency_key": f"kiln-checkout-order-{order.pk}"},
        )
    except stripe.StripeError as error:
        # No session means nothing can be paid: close the order so it never lingers as pending.
        order_transition(
            order=order, to_state=OrderState.FAILED, note=f"session not created: {error}"
        )
        raise PaymentProviderError(
            "The payment provider could not start the checkout; nothing was charged. Try again.",
            field=None,
            code="payment_provider_error",
        ) from None
    Order.objects.filter(pk=order.pk).update(
        stripe_checkout_session_id=session.id,
        stripe_destination_account=seller.profile.stripe_account_id,
    )
    order.refresh_from_db()
    return CheckoutResult(order=order, checkout_url=str(session.url))
