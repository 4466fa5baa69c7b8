"""Plain-dict views of a Recipe: the full content (entitled viewers) and the public teaser.

The teaser is the paywall (SPEC §3): tool, parameter NAMES, prompt length, price. It is built
from an allow-list of what may be shown; nothing else of the Recipe goes into it.
"""

from __future__ import annotations

from typing import Any

from marketplace.recipes.models import Recipe
from marketplace.recipes.paste import UnparsedPiece
from marketplace.recipes.pricing import price_label
from marketplace.recipes.tools import TOOLS


def price_dict(*, amount_minor: int, currency: str) -> dict[str, Any]:
    """``{"amount": 499, "currency": "usd", "label": "$4.99", "is_free": False}``."""
    return {
        "amount": amount_minor,
        "currency": currency,
        "label": price_label(amount_minor=amount_minor, currency=currency),
        "is_free": amount_minor == 0,
    }


def _tool_fields(slug: str) -> dict[str, Any]:
    tool = TOOLS.get(slug)
    return {
        "tool": slug,
        "tool_name": tool.name if tool is not None else slug,
        "reproducible": bool(tool is not None and tool.reproducible),
    }


def used_param_names(recipe: Recipe) -> list[str]:
    """The parameters the creator set, in the tool's schema order (names only)."""
    tool = TOOLS.get(recipe.tool)
    order = tool.param_names if tool is not None else ()
    names = [name for name in order if name in recipe.params]
    return names + sorted(name for name in recipe.params if name not in order)


def recipe_teaser(recipe: Recipe) -> dict[str, Any]:
    """What anyone may see before purchase: never the prompt, negative prompt, values or notes."""
    return {
        # The product id a buyer passes to POST /api/v1/checkout/ ({"type": "recipe", "id": ...}).
        "id": recipe.pk,
        **_tool_fields(recipe.tool),
        "full": False,
        "param_names": used_param_names(recipe),
        "prompt_length": {
            "characters": len(recipe.prompt),
            "words": len(recipe.prompt.split()),
        },
        "has_negative_prompt": bool(recipe.negative_prompt),
        "price": price_dict(amount_minor=recipe.price_minor, currency=recipe.currency),
    }


def recipe_full(recipe: Recipe) -> dict[str, Any]:
    """Everything of the Recipe, for its creator and entitled buyers only."""
    data = recipe_teaser(recipe)
    data.update(
        {
            "full": True,
            "prompt": recipe.prompt,
            "negative_prompt": recipe.negative_prompt,
            "params": recipe.params,
            "notes": recipe.notes,
            "notes_html": recipe.notes_html,
            "structured_settings": recipe.structured_settings,
            "created_at": recipe.created_at.isoformat(),
            "updated_at": recipe.updated_at.isoformat(),
        }
    )
    return data


def unparsed_list(pieces: list[UnparsedPiece]) -> list[dict[str, str]]:
    """Paste pieces that were not used, with the reason for each."""
    return [{"text": piece.text, "reason": piece.reason} for piece in pieces]
