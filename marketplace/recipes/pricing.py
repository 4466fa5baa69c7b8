"""Recipe prices: integer minor units plus an ISO currency, and their conversion for display.

Money never goes through float (CONVENTIONS): amounts typed in a form are read as ``Decimal``
and turned into minor units with the currency's exponent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DEFAULT_CURRENCY = "usd"
# Currencies a Recipe may be priced in -> digits after the decimal point (Stripe's exponents).
CURRENCY_EXPONENTS: dict[str, int] = {"usd": 2, "eur": 2, "gbp": 2, "cad": 2, "aud": 2, "jpy": 0}
ACCEPTED_CURRENCIES: tuple[str, ...] = tuple(CURRENCY_EXPONENTS)
# A Recipe is a cheap product (SPEC: "Cheap."); anything above this is a typo in minor units
# (4999900 for 49.99) far more often than a real price. 1,000,000 minor = 10,000.00 USD.
MAX_PRICE_MINOR = 1_000_000
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}


class PriceInputError(ValueError):
    """A typed amount that is not a price; the message says what is accepted."""


def price_label(*, amount_minor: int, currency: str) -> str:
    """``0`` → ``"Free"``; ``499, "usd"`` → ``"$4.99"``; ``1200, "jpy"`` → ``"¥1200"``."""
    if amount_minor == 0:
        return "Free"
    text = format_major(amount_minor=amount_minor, currency=currency)
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


def format_major(*, amount_minor: int, currency: str) -> str:
    """Minor units written in major units: ``499, "usd"`` → ``"4.99"``."""
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    if exponent == 0:
        return str(amount_minor)
    return f"{Decimal(amount_minor).scaleb(-exponent):.{exponent}f}"


def major_to_minor(*, text: str, currency: str) -> int:
    """``"4.99", "usd"`` → ``499``; empty text is 0 (free). Rejects more decimals than the
    currency has, signs, exponents and non-numbers."""
    stripped = text.strip().lstrip("$€£¥").strip()
    if not stripped:
        return 0
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    try:
        amount = Decimal(stripped)
    except InvalidOperation:
        amount = None
    if amount is not None and amount.is_finite() and amount < 0:
        raise PriceInputError(
            f"price: {text.strip()[:40]!r} is negative; accepted: 0 (free) or more, like "
            + ("4.99" if exponent else "1200")
        )
    if amount is None or not amount.is_finite() or "e" in stripped.lower():
        raise PriceInputError(
            f"price: {text.strip()[:40]!r} is not an amount; accepted: a number like "
            + ("4.99" if exponent else "1200")
        )
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise PriceInputError(
            f"price: {text.strip()[:40]!r} has more than {exponent} decimals; accepted: an amount "
            f"in {currency.upper()} with at most {exponent} decimals"
        )
    if minor > MAX_PRICE_MINOR:
        # Checked here, in the units the person typed: the minor-unit check further on would
        # answer a web form in cents.
        highest = format_major(amount_minor=MAX_PRICE_MINOR, currency=currency)
        raise PriceInputError(
            f"price: {text.strip()[:40]!r} is above the maximum; accepted: at most {highest} "
            f"{currency.upper()}"
        )
    return int(minor)
