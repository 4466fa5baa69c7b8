"""Writes for Recipes: create or update one on a post, delete it. Only the post's creator may.

Each write validates everything first (``recipe_input.read_recipe_input``), so a rejected
write changes nothing, then saves the Recipe and the post's product facets in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.core.errors import NotFound, PermissionDenied
from marketplace.core.markdown import render_markdown
from marketplace.gallery.models import Post
from marketplace.gallery.services import post_product_facets_refresh
from marketplace.recipes.models import Recipe
from marketplace.recipes.paste import PasteResult, comfy_settings_for_recipe
from marketplace.recipes.recipe_input import RecipeInput, RecipeValidationError, read_recipe_input

# Log ids and tool slugs only: a Recipe's text and values are the product (the paywall test
# reads the log).
logger = logging.getLogger(__name__)


@dataclass
class RecipeUpsertResult:
    recipe: Recipe
    created: bool
    # What a ``pasted`` text gave (format, unparsed pieces), when the write carried one.
    paste: PasteResult | None


def _require_creator(*, post: Post, user: Any, action: str) -> None:
    if not getattr(user, "is_authenticated", False) or user.pk != post.creator_id:
        raise PermissionDenied(f"Only the creator of this post can {action} its Recipe.")


def structured_settings_for(recipe_input: RecipeInput) -> dict[str, Any] | None:
    """The Blueprint-analysis form of a reproducible tool's settings (None for other tools)."""
    try:
        return comfy_settings_for_recipe(
            tool=recipe_input.tool,
            prompt=recipe_input.prompt,
            negative_prompt=recipe_input.negative_prompt,
            params=recipe_input.params,
        )
    except ValueError:
        # Only a settings block longer than the A1111 parser takes (huge "extra" values) gets
        # here; the Recipe is still valid, it just cannot be verified later.
        logger.info("recipe settings too large to restate tool=%s", recipe_input.tool)
        return None


def _require_payouts_for_price(*, user: User, price_minor: int) -> None:
    """A price above zero needs finished Stripe payouts (SPEC §5); free is always allowed."""
    from marketplace.commerce.services.connect import paid_price_blocker

    blocker = paid_price_blocker(user=user, price_minor=price_minor)
    if blocker:
        raise RecipeValidationError(
            [{"field": "price.amount", "value": price_minor, "message": blocker, "accepted": "0 until payouts are set up"}]
        )


def recipe_upsert(*, post: Post, user: User, data: Any) -> RecipeUpsertResult:
    """Create or replace the Recipe of ``post`` from ``data`` (see ``read_recipe_input``).

    Only the post's creator may (``PermissionDenied`` otherwise, checked before the data is
    read). Invalid data raises ``RecipeValidationError`` naming every field, its value and what
    is accepted; nothing is saved then. Keeps ``Post.has_recipe``, ``min_price_minor``,
    ``currency`` and ``tool`` in step with the Recipe (the gallery filters on them).
    """
    _require_creator(post=post, user=user, action="write")
    recipe_input = read_recipe_input(data=data, default_tool=post.tool)
    _require_payouts_for_price(user=user, price_minor=recipe_input.price_minor)
    structured = structured_settings_for(recipe_input)
    now = timezone.now()
    with transaction.atomic():
        # Lock the post: two concurrent first writes must not both try to create the Recipe.
        locked = Post.objects.select_for_update().get(pk=post.pk)
        recipe = Recipe.objects.filter(post=locked).first()
        created = recipe is None
        if recipe is None:
            recipe = Recipe(post=locked, created_at=now)
        recipe.tool = recipe_input.tool
        recipe.prompt = recipe_input.prompt
        recipe.negative_prompt = recipe_input.negative_prompt
        recipe.params = recipe_input.params
        recipe.notes = recipe_input.notes
        recipe.notes_html = render_markdown(recipe_input.notes) if recipe_input.notes else ""
        recipe.price_minor = recipe_input.price_minor
        recipe.currency = recipe_input.currency
        recipe.structured_settings = structured
        recipe.updated_at = now
        recipe.save()
        if locked.tool != recipe.tool:
            # The Recipe says which tool made the image; the gallery's tool filter reads the post.
            Post.objects.filter(pk=locked.pk).update(tool=recipe.tool)
        post_product_facets_refresh(post_id=locked.pk)
    logger.info(
        "recipe %s post=%s tool=%s", "created" if created else "updated", post.pk, recipe.tool
    )
    post.refresh_from_db()
    return RecipeUpsertResult(recipe=recipe, created=created, paste=recipe_input.paste)


def recipe_delete(*, post: Post, user: User) -> None:
    """Delete the Recipe of ``post``; only its creator may. ``NotFound`` when there is none.

    TODO(commerce): once Recipes can be bought, refuse deleting one that has buyers.
    """
    _require_creator(post=post, user=user, action="delete")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        deleted, _ = Recipe.objects.filter(post=locked).delete()
        if not deleted:
            raise NotFound("This post has no Recipe.")
        post_product_facets_refresh(post_id=locked.pk)
    logger.info("recipe deleted post=%s", post.pk)
    post.refresh_from_db()
