"""Plain-dict views of posts and creators, shared by the API and the HTML pages.

Plain dicts instead of DRF serializers for output: serialising 24 posts took 1.34 ms with
ModelSerializer and 0.04 ms as dicts (INFRA_NOTES). What a post exposes publicly is decided
here, in one place: never a Recipe's prompt or values, never a Blueprint's workflow.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from marketplace.accounts.models import CreatorProfile
from marketplace.gallery.models import Post, PostImage
from marketplace.recipes.models import Recipe
from marketplace.recipes.presenters import price_dict, recipe_teaser


def image_dict(image: PostImage | None) -> dict[str, Any] | None:
    if image is None or not image.derivatives:
        return None
    urls = image.derivative_urls()
    largest = max(urls)
    return {
        "width": image.width,
        "height": image.height,
        "src": urls[largest],
        "srcset": ", ".join(f"{url} {width}w" for width, url in urls.items()),
        "sizes": urls,
        "placeholder": image.placeholder,
        "dominant_color": image.dominant_color,
    }


def post_card(post: Post) -> dict[str, Any]:
    image = getattr(post, "image", None)
    return {
        "id": post.pk,
        "url": reverse("gallery:post", args=[post.pk]),
        "title": post.title,
        "creator": post.creator_handle,
        "tool": post.tool,
        "tags": post.tag_names,
        "rating": post.rating,
        "published_at": post.published_at.isoformat(),
        "like_count": post.like_count,
        "sale_count": post.sale_count,
        "has_recipe": post.has_recipe,
        "has_blueprint": post.has_blueprint,
        "verified": post.has_verified_blueprint,
        "base_model": post.base_model or None,
        "min_price": _price(post),
        "image": image_dict(image),
    }


def _price(post: Post) -> dict[str, Any] | None:
    """The post's lowest price; ``label`` is how to show it ("Free" for 0, "$4.99")."""
    if post.min_price_minor is None:
        return None
    return price_dict(amount_minor=post.min_price_minor, currency=post.currency)


def _recipe_teaser(post: Post) -> dict[str, Any] | None:
    """The Recipe teaser (never its prompt or values); one query, skipped when there is none."""
    if not post.has_recipe:
        return None
    try:
        # The reverse accessor caches the Recipe on the post, so the page's Recipe panel
        # (recipes.selectors.recipe_get) reuses it instead of querying again.
        recipe = post.recipe
    except Recipe.DoesNotExist:
        return None
    return recipe_teaser(recipe)


def _blueprint_public(post: Post) -> dict[str, Any] | None:
    """The Blueprint's public view (never the workflow); no query when the post has none."""
    from blueprints.presenters import blueprint_public_for_post  # blueprints imports the gallery

    return blueprint_public_for_post(post)


def creator_dict(profile: CreatorProfile) -> dict[str, Any]:
    return {
        "handle": profile.handle,
        "display_name": profile.display_name,
        "bio": profile.bio,
        "avatar": profile.avatar.url if profile.avatar else None,
        "follower_count": profile.follower_count,
        "post_count": profile.post_count,
        "joined_at": profile.created_at.isoformat(),
        "url": reverse("gallery:creator", args=[profile.handle]),
    }


def post_detail(post: Post) -> dict[str, Any]:
    data = post_card(post)
    data.update(
        {
            "description": post.description,
            "description_html": post.description_html,
            "status": post.status,
            "creator": creator_dict(post.creator.profile),
            "view_count": post.view_count,
            # Filled by the recipes and blueprints apps as they land (teasers only).
            "recipe": _recipe_teaser(post),
            "blueprint": _blueprint_public(post),
        }
    )
    return data
