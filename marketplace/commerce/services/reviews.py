"""Reviews: buyers rate (1 to 5) and review what they own; one per product per buyer."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from marketplace.commerce.models import Entitlement, ProductKind, Review
from marketplace.core.errors import DomainError, NotFound

MAX_REVIEW_CHARACTERS = 5000


def review_create(*, buyer: Any, kind: str, product_id: int, rating: Any, text: str) -> Review:
    """Review a Recipe or Blueprint ``buyer`` owns (active entitlement). Refuses bad ratings,
    long text, products not owned (404) and a second review of the same product."""
    if kind not in ProductKind.values:
        raise DomainError(
            f"type={kind!r}; accepted: 'recipe', 'blueprint'.", field="type", code="invalid_choice"
        )
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(
            f"rating={str(rating)[:10]!r}; accepted: a whole number from 1 to 5.",
            field="rating",
            code="invalid",
        )
    if len(text) > MAX_REVIEW_CHARACTERS:
        raise DomainError(
            f"text has {len(text)} characters; at most {MAX_REVIEW_CHARACTERS}.",
            field="text",
            code="too_long",
        )
    product = (
        {"recipe_id": product_id} if kind == ProductKind.RECIPE else {"blueprint_id": product_id}
    )
    entitlement = Entitlement.objects.active().filter(buyer_id=buyer.pk, **product).first()
    if entitlement is None:
        raise NotFound(
            f"You do not own a {kind} with id {product_id}; only buyers can review it.", field="id"
        )
    try:
        with transaction.atomic():
            return Review.objects.create(
                buyer_id=buyer.pk,
                entitlement=entitlement,
                kind=kind,
                post_id=entitlement.post_id,
                rating=rating,
                text=text.strip(),
            )
    except IntegrityError:
        raise DomainError(
            "You already reviewed this product.", field="id", code="already_reviewed"
        ) from None
