"""Reads for Recipes, and the one question the paywall asks: may this viewer see it all?"""

from __future__ import annotations

from typing import Any

from marketplace.core.errors import NotFound
from marketplace.gallery.models import Post
from marketplace.recipes import presenters
from marketplace.recipes.models import Recipe


def viewer_is_entitled(*, viewer: Any, recipe: Recipe) -> bool:
    """Whether ``viewer`` may see ``recipe`` in full. Every full view goes through here.

    The post's creator is, and buyers holding an active entitlement (not refunded, not
    frozen by a dispute).
    """
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk == recipe.post.creator_id:
        return True
    from marketplace.commerce.selectors import buyer_owns  # commerce's models import Recipe

    return buyer_owns(buyer=viewer, recipe_id=recipe.pk)


def recipe_get(*, post: Post) -> Recipe:
    """The Recipe of ``post``; ``NotFound`` when it has none."""
    try:
        # Cached on the post by the reverse accessor (the post page reads it twice).
        recipe = post.recipe
    except Recipe.DoesNotExist:
        raise NotFound("This post has no Recipe.") from None
    return recipe


def recipe_for_viewer(*, post: Post, viewer: Any) -> dict[str, Any]:
    """The Recipe of ``post`` as ``viewer`` may see it: full content when entitled, otherwise
    the teaser (tool, parameter names, prompt length, price). ``NotFound`` when none."""
    recipe = recipe_get(post=post)
    if viewer_is_entitled(viewer=viewer, recipe=recipe):
        return presenters.recipe_full(recipe)
    return presenters.recipe_teaser(recipe)
