"""Orders, what they grant, and the bookkeeping around Stripe (SPEC §5).

Money is integer minor units plus an ISO currency everywhere. An order's state changes only
through ``services.orders.order_transition`` (the map below, a conditional UPDATE and an
``OrderEvent`` row).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ProductKind(models.TextChoices):
    RECIPE = "recipe", "Recipe"
    BLUEPRINT = "blueprint", "Blueprint"


class OrderState(models.TextChoices):
    PENDING = "pending", "Waiting for payment"
    PROCESSING = "processing", "Payment processing"
    PAID = "paid", "Paid"
    FAILED = "failed", "Payment failed"
    EXPIRED = "expired", "Expired"
    REFUNDED = "refunded", "Refunded"


# Every state change is checked against this map. ``processing`` is an async payment (bank
# transfer) that the buyer submitted but the bank has not settled yet.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderState.PENDING: frozenset(
        {OrderState.PROCESSING, OrderState.PAID, OrderState.FAILED, OrderState.EXPIRED}
    ),
    OrderState.PROCESSING: frozenset({OrderState.PAID, OrderState.FAILED}),
    OrderState.PAID: frozenset({OrderState.REFUNDED}),
    OrderState.FAILED: frozenset(),
    OrderState.EXPIRED: frozenset(),
    OrderState.REFUNDED: frozenset(),
}


class Order(models.Model):
    """One checkout by one buyer from one seller (multi-seller carts are refused)."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales"
    )
    state = models.CharField(max_length=16, choices=OrderState.choices, default=OrderState.PENDING)
    currency = models.CharField(max_length=3)
    subtotal_minor = models.PositiveIntegerField()
    fee_minor = models.PositiveIntegerField()
    total_minor = models.PositiveIntegerField()
    stripe_checkout_session_id = models.CharField(
        max_length=255, null=True, blank=True, unique=True
    )
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_destination_account = models.CharField(max_length=64, blank=True)
    disputed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(total_minor=models.F("subtotal_minor")), name="order_total_is_subtotal"
            ),
            models.CheckConstraint(
                condition=Q(fee_minor__lte=models.F("subtotal_minor")),
                name="order_fee_within_total",
            ),
        ]
        indexes = [models.Index(fields=["seller", "state", "-paid_at"], name="order_seller_idx")]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.state})"

    def can_transition(self, to_state: str) -> bool:
        return to_state in ORDER_TRANSITIONS.get(self.state, frozenset())

    @property
    def seller_net_minor(self) -> int:
        """What the creator receives after the platform fee."""
        return self.total_minor - self.fee_minor


class OrderEvent(models.Model):
    """Append-only log of an order's state changes and notable facts (refund, dispute)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=500, blank=True)
    stripe_event_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Order {self.order_id}: {self.from_state} -> {self.to_state}"


class OrderItem(models.Model):
    """One product of an order with its price fixed when checkout started."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    recipe = models.ForeignKey(
        "recipes.Recipe", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    blueprint = models.ForeignKey(
        "blueprints.Blueprint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The listed version at checkout (what the buyer saw); the library serves the newest one.
    blueprint_version = models.ForeignKey(
        "blueprints.BlueprintVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey("gallery.Post", on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    price_minor = models.PositiveIntegerField()
    fee_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    # Payout bookkeeping: the Connect transfer that carried this item's share to the seller.
    transfer_id = models.CharField(max_length=255, blank=True)
    transfer_amount_minor = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="recipe", recipe__isnull=False, blueprint__isnull=True))
                | Q(kind="blueprint", blueprint__isnull=False, recipe__isnull=True),
                name="order_item_one_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of order {self.order_id}"

    @property
    def seller_net_minor(self) -> int:
        return self.price_minor - self.fee_minor


class EntitlementQuerySet(models.QuerySet["Entitlement"]):
    def active(self) -> EntitlementQuerySet:
        """Grants access now: not refunded (revoked) and not under dispute (frozen)."""
        return self.filter(revoked_at__isnull=True, frozen_at__isnull=True)


class Entitlement(models.Model):
    """The right of a buyer to one product. Unique per buyer and product, so fulfilment that
    runs twice (webhook and success page) cannot grant twice."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entitlements"
    )
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    recipe = models.ForeignKey(
        "recipes.Recipe", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    blueprint = models.ForeignKey(
        "blueprints.Blueprint", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey("gallery.Post", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="entitlements")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)

    objects = EntitlementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "recipe"],
                condition=Q(recipe__isnull=False),
                name="entitlement_recipe_once",
            ),
            models.UniqueConstraint(
                fields=["buyer", "blueprint"],
                condition=Q(blueprint__isnull=False),
                name="entitlement_blueprint_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for buyer {self.buyer_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.frozen_at is None


class Download(models.Model):
    """Every download: written when the short-lived link is issued; ``served_at`` when Kiln
    itself served the file (local storage; S3 serves presigned links without telling us)."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="downloads")
    blueprint_version = models.ForeignKey(
        "blueprints.BlueprintVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField(max_length=200)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["buyer", "-created_at"], name="download_buyer_idx")]

    def __str__(self) -> str:
        return f"download {self.pk} by {self.buyer_id}"


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored (type not handled)"
    FAILED = "failed", "Failed"


class StripeEvent(models.Model):
    """A verified webhook event, stored by Stripe's id: the unique id is what makes a
    re-delivery a no-op."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=16)  # platform | connect
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Review(models.Model):
    """A buyer's rating (1 to 5) and text for a product they own; one per product per buyer."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=16, choices=ProductKind.choices)
    post = models.ForeignKey("gallery.Post", on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entitlement"], name="review_once_per_product"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_to_5"
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"review {self.rating}/5 of {self.kind} on post {self.post_id}"
