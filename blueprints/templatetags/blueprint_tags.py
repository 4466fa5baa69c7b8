"""The Blueprint panel of the post page: the public view for visitors, versions for the creator."""

from __future__ import annotations

from typing import Any

from django import template

from blueprints import selectors

register = template.Library()


@register.inclusion_tag("blueprints/_blueprint_panel.html", takes_context=True)
def blueprint_panel(context: template.Context) -> dict[str, Any]:
    """Needs ``post`` (the post_detail dict, whose ``blueprint`` is the public view),
    ``post_object`` and ``user`` in the context, as the post page has them."""
    post = context["post_object"]
    viewer = context.get("user")
    is_owner = getattr(viewer, "pk", None) == post.creator_id
    return {
        "blueprint": context["post"].get("blueprint"),
        "has_blueprint": post.has_blueprint,
        "post_id": post.pk,
        "is_owner": is_owner,
        # The creator's own versions (drafts included); one query, only for the creator.
        "versions": selectors.versions_for_owner(post_id=post.pk) if is_owner else [],
    }


@register.filter
def short_hash(value: str | None, length: int = 12) -> str:
    """The first characters of a hash, for display (the full value goes in a title)."""
    return (value or "")[:length]
