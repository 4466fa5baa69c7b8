"""Template filters for Kiln's pages: money, tool names and grid tile sizes.

Formatting only; anything that decides what a page shows lives in selectors and presenters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from marketplace.recipes.tools import TOOLS

register = template.Library()

# Currencies without a minor unit (Stripe's list, the ones Kiln may plausibly see).
ZERO_DECIMAL_CURRENCIES = frozenset({"jpy", "krw", "vnd", "clp", "isk", "ugx"})
CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}
# A grid tile is TILE_ROWS_PER_WIDTH rows of the grid per column width (static/css/kiln.css
# sets the row height to 1/20 of a column), so the tile keeps the image's aspect ratio.
TILE_ROWS_PER_WIDTH = 20
TILE_MIN_ROWS = 14  # wide panoramas still get room for badges and a caption
TILE_MAX_ROWS = 36  # very tall images are cropped rather than filling a whole screen


@register.filter
def money(amount_minor: int | None, currency: str = "usd") -> str:
    """``499|money:"usd"`` → ``$4.99``; ``1200|money:"jpy"`` → ``¥1200``."""
    if amount_minor is None:
        return ""
    code = (currency or "usd").lower()
    if code in ZERO_DECIMAL_CURRENCIES:
        number = f"{int(amount_minor)}"
    else:
        number = f"{Decimal(int(amount_minor)) / 100:.2f}"
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{number}" if symbol else f"{number} {code.upper()}"


@register.filter
def price(min_price: dict[str, Any] | None) -> str:
    """A presenter's ``{"amount": 499, "currency": "usd"}`` → ``$4.99``; 0 → ``Free``."""
    if not min_price:
        return ""
    if min_price["amount"] == 0:
        return "Free"
    return money(min_price["amount"], min_price["currency"])


@register.filter
def tool_name(slug: str) -> str:
    """The display name of a tool slug; an unknown slug is shown as it is."""
    tool = TOOLS.get(slug)
    return tool.name if tool is not None else slug


@register.filter
def tile_rows(image: dict[str, Any] | None) -> int:
    """How many grid rows a post card spans so its tile has the image's aspect ratio."""
    if not image or not image.get("width") or not image.get("height"):
        return TILE_ROWS_PER_WIDTH
    rows = round(TILE_ROWS_PER_WIDTH * image["height"] / image["width"])
    return max(TILE_MIN_ROWS, min(TILE_MAX_ROWS, rows))


@register.filter
def initial(text: str) -> str:
    """The first letter of a name, upper-cased, for avatar fallbacks."""
    return (text or "?").strip()[:1].upper() or "?"
