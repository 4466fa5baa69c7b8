"""Money display and the post page's Buy / Owned / Reviews panel."""

from __future__ import annotations

from typing import Any

from django import template

from blueprints.models import Blueprint, VersionState
from marketplace.commerce.models import Entitlement, Review
from marketplace.recipes.models import Recipe
from marketplace.recipes.pricing import price_label

register = template.Library()


@register.filter
def money(amount_minor: int, currency: str) -> str:
    """``{{ 499|money:"usd" }}`` → ``$4.99``."""
    return price_label(amount_minor=int(amount_minor or 0), currency=str(currency))


def _cached_recipe(post: Any) -> Recipe | None:
    # The reverse accessor caches on the post: the Recipe panel above already loaded it.
    try:
        recipe: Recipe = post.recipe
    except Recipe.DoesNotExist:
        return None
    return recipe


@register.inclusion_tag("commerce/_post_commerce.html", takes_context=True)
def commerce_post_panel(context: template.Context) -> dict[str, Any]:
    """Needs ``post_object`` and ``user``: what can be bought here, what the viewer owns, the
    bundle offer, the review form for owners and the reviews. Five small queries."""
    post = context["post_object"]
    user = context.get("user")
    recipe = _cached_recipe(post) if post.has_recipe else None
    blueprint = (
        Blueprint.objects.filter(post=post, versions__state=VersionState.LISTED).distinct().first()
        if post.has_verified_blueprint
        else None
    )
    owned: dict[str, Entitlement] = {}
    if user is not None and getattr(user, "is_authenticated", False):
        for entitlement in Entitlement.objects.active().filter(buyer_id=user.pk, post=post):
            owned[entitlement.kind] = entitlement
    offers: list[dict[str, Any]] = []
    if recipe is not None:
        offers.append(
            {
                "kind": "recipe",
                "id": recipe.pk,
                "price": recipe.price_minor,
                "currency": recipe.currency,
                "owned": "recipe" in owned,
            }
        )
    if blueprint is not None:
        offers.append(
            {
                "kind": "blueprint",
                "id": blueprint.pk,
                "price": blueprint.price_minor,
                "currency": blueprint.currency,
                "owned": "blueprint" in owned,
            }
        )
    buyable = [offer for offer in offers if not offer["owned"]]
    bundle = None
    if len(buyable) == 2 and buyable[0]["currency"] == buyable[1]["currency"]:
        bundle = {
            "price": buyable[0]["price"] + buyable[1]["price"],
            "currency": buyable[0]["currency"],
            "items": [f"{o['kind']}:{o['id']}" for o in buyable],
        }
    reviewed = (
        set(
            Review.objects.filter(buyer_id=getattr(user, "pk", None), post=post).values_list(
                "kind", flat=True
            )
        )
        if owned
        else set()
    )
    return {
        "post_id": post.pk,
        "is_owner": getattr(user, "pk", None) == post.creator_id,
        "is_authenticated": getattr(user, "is_authenticated", False),
        "offers": offers,
        "bundle": bundle,
        "can_review": [
            offer for offer in offers if offer["owned"] and offer["kind"] not in reviewed
        ],
        "reviews": list(Review.objects.filter(post=post).select_related("buyer")[:20]),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
