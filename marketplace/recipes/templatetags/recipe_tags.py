"""The Recipe panel of the post page: the teaser for visitors, everything for the entitled."""

from __future__ import annotations

from typing import Any

from django import template

from marketplace.core.errors import NotFound
from marketplace.recipes import selectors
from marketplace.recipes.forms import widget_value
from marketplace.recipes.tools import TOOLS, describe_form_fields

register = template.Library()


@register.inclusion_tag("recipes/_recipe_panel.html", takes_context=True)
def recipe_panel(context: template.Context) -> dict[str, Any]:
    """Needs ``post_object`` (the Post) and ``user`` in the context (the post page has both)."""
    post = context["post_object"]
    viewer = context.get("user")
    recipe: dict[str, Any] | None = None
    if post.has_recipe:
        try:
            recipe = selectors.recipe_for_viewer(post=post, viewer=viewer)
        except NotFound:
            recipe = None
    return {
        "recipe": recipe,
        "post_id": post.pk,
        "is_owner": getattr(viewer, "pk", None) == post.creator_id,
        "param_labels": _param_labels(recipe),
        "param_rows": _param_rows(recipe),
    }


def _param_labels(recipe: dict[str, Any] | None) -> list[str]:
    """The display labels of the parameters used (the teaser shows names, never values)."""
    if recipe is None:
        return []
    tool = TOOLS.get(recipe["tool"])
    labels = []
    for name in recipe["param_names"]:
        param = tool.param(name) if tool is not None else None
        labels.append(param.label if param is not None else name)
    return labels


def _param_rows(recipe: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value as text) for the full view; empty for a teaser."""
    if recipe is None or not recipe["full"] or recipe["tool"] not in TOOLS:
        return []
    specs = {spec["name"]: spec for spec in describe_form_fields(recipe["tool"])}
    rows = []
    for name, value in recipe["params"].items():
        spec = specs.get(name)
        text = widget_value(spec, value) if spec else str(value)
        rows.append(
            (spec["label"] if spec else name, ", ".join(text) if isinstance(text, list) else text)
        )
    return rows
