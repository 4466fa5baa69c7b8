"""Read the body of a Recipe write (API JSON or the web form's data) into checked values.

Both the API and the web form hand their data to ``services.recipe_upsert``, which calls
:func:`read_recipe_input`; parameters go through the registry's one ``validate_params``. So
the two accept and reject exactly the same things, with the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marketplace.core.errors import DomainError
from marketplace.recipes.models import MAX_NOTES_CHARACTERS, MAX_PROMPT_CHARACTERS
from marketplace.recipes.paste import (
    FORMAT_A1111,
    FORMAT_MIDJOURNEY,
    PasteError,
    PasteResult,
    detect_format,
    parse_pasted,
)
from marketplace.recipes.pricing import ACCEPTED_CURRENCIES, DEFAULT_CURRENCY, MAX_PRICE_MINOR
from marketplace.recipes.tools import TOOLS, ParamIssue, ParamsError, validate_params
from marketplace.recipes.tools.errors import echo, shown

FIELDS = ("tool", "prompt", "negative_prompt", "params", "notes", "price", "pasted")
# With "pasted", these come from the paste; giving them too would make one of them silently lose.
PASTE_FILLS = ("prompt", "negative_prompt", "params")
PASTE_TOOLS = ("automatic1111", "comfyui")


class RecipeValidationError(DomainError):
    """Every problem with a Recipe write at once; ``issues`` name field, value and what is
    accepted. Fields are ``tool``, ``prompt``, ``params.<name>``, ``price.amount``, ..."""

    def __init__(self, issues: list[ParamIssue]) -> None:
        self.issues = list(issues)
        first = self.issues[0]
        super().__init__(
            "; ".join(issue["message"] for issue in self.issues),
            field=first["field"],
            code="invalid",
        )

    def messages_by_field(self) -> dict[str, list[str]]:
        """``{field: [message, ...]}`` in the order found."""
        grouped: dict[str, list[str]] = {}
        for issue in self.issues:
            grouped.setdefault(issue["field"], []).append(issue["message"])
        return grouped


@dataclass
class RecipeInput:
    """A checked Recipe write. ``paste`` is what a ``pasted`` text gave, when there was one."""

    tool: str
    prompt: str
    negative_prompt: str
    params: dict[str, Any]
    notes: str
    price_minor: int
    currency: str
    paste: PasteResult | None = field(default=None)


def _issue(name: str, value: Any, message: str, accepted: Any) -> ParamIssue:
    return ParamIssue(field=name, value=echo(value), message=message, accepted=accepted)


def paste_tool_for(*, text: str, preferred: str) -> str:
    """The tool a paste fills when the writer did not name one: an A1111 block fills the
    preferred tool when that can take it (automatic1111, comfyui), else automatic1111; a
    Midjourney prompt fills midjourney; plain text is the preferred tool's prompt."""
    detected = detect_format(text)
    if detected == FORMAT_A1111:
        return preferred if preferred in PASTE_TOOLS else "automatic1111"
    if detected == FORMAT_MIDJOURNEY:
        return "midjourney"
    return preferred


def _text(data: Mapping[str, Any], name: str, *, limit: int, issues: list[ParamIssue]) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        issues.append(
            _issue(
                name,
                value,
                f"{name}: {shown(value)} is not text; accepted: text of at most {limit} characters",
                f"text of at most {limit} characters",
            )
        )
        return ""
    if "\x00" in value:
        issues.append(
            _issue(
                name,
                "",
                f"{name}: contains a NUL character; accepted: text without NUL characters",
                "text without NUL characters",
            )
        )
        return ""
    text = value.strip()
    if len(text) > limit:
        # The text itself is not echoed: a prompt is the product, and it can be long.
        issues.append(
            _issue(
                name,
                len(text),
                f"{name}: {len(text)} characters is too long; accepted: at most {limit}",
                f"at most {limit} characters",
            )
        )
        return ""
    return text


def _price(data: Mapping[str, Any], issues: list[ParamIssue]) -> tuple[int, str]:
    raw = data.get("price")
    if raw is None:
        return 0, DEFAULT_CURRENCY
    if not isinstance(raw, Mapping):
        issues.append(
            _issue(
                "price",
                raw,
                f"price: {shown(raw)} is not an object; accepted: "
                '{"amount": minor units, "currency": "usd"}',
                {"amount": "integer minor units", "currency": list(ACCEPTED_CURRENCIES)},
            )
        )
        return 0, DEFAULT_CURRENCY
    unknown = [key for key in raw if key not in ("amount", "currency")]
    for key in unknown:
        issues.append(
            _issue(
                f"price.{str(key)[:40]}",
                raw[key],
                f"price: {shown(key)} is not a price field; accepted: amount, currency",
                ["amount", "currency"],
            )
        )
    amount = raw.get("amount", 0)
    accepted_amount = f"a whole number of minor units (cents) from 0 to {MAX_PRICE_MINOR}"
    if isinstance(amount, bool) or not isinstance(amount, int):
        issues.append(
            _issue(
                "price.amount",
                amount,
                f"price.amount: {shown(amount)} is not a whole number; accepted: {accepted_amount}",
                accepted_amount,
            )
        )
        amount = 0
    elif not 0 <= amount <= MAX_PRICE_MINOR:
        issues.append(
            _issue(
                "price.amount",
                amount,
                f"price.amount: {amount} is out of range; accepted: {accepted_amount}",
                accepted_amount,
            )
        )
        amount = 0
    currency = raw.get("currency", DEFAULT_CURRENCY)
    if isinstance(currency, str) and currency.strip().lower() in ACCEPTED_CURRENCIES:
        currency = currency.strip().lower()
    else:
        issues.append(
            _issue(
                "price.currency",
                currency,
                f"price.currency: {shown(currency)} is not "
                f"accepted; accepted: {', '.join(ACCEPTED_CURRENCIES)}",
                list(ACCEPTED_CURRENCIES),
            )
        )
        currency = DEFAULT_CURRENCY
    return amount, currency


def _tool(value: Any, issues: list[ParamIssue]) -> str | None:
    if isinstance(value, str) and value in TOOLS:
        return value
    issues.append(
        _issue(
            "tool",
            value,
            f"tool: {shown(value)} is not a known tool; accepted: " + ", ".join(TOOLS),
            list(TOOLS),
        )
    )
    return None


def _paste(
    data: Mapping[str, Any], default_tool: str, issues: list[ParamIssue]
) -> tuple[str | None, PasteResult | None]:
    for name in PASTE_FILLS:
        if name in data:
            issues.append(
                _issue(
                    name,
                    "",
                    f"{name}: cannot be given together with pasted; "
                    "accepted: either pasted or prompt/negative_prompt/params",
                    "either pasted or prompt/negative_prompt/params",
                )
            )
    text = data["pasted"]
    tool = None
    if "tool" in data and data["tool"] is not None:
        tool = _tool(data["tool"], issues)
        if tool is None:
            return None, None
    if not isinstance(text, str):
        issues.append(
            _issue(
                "pasted",
                text,
                f"pasted: {shown(text)} is not text; accepted: an "
                "Automatic1111 parameters block, a Midjourney prompt or plain text",
                "text",
            )
        )
        return tool, None
    try:
        result = parse_pasted(text, tool=tool or paste_tool_for(text=text, preferred=default_tool))
    except PasteError as error:
        issues.append(_issue("pasted", len(text), str(error), "text"))
        return tool, None
    return result.tool or default_tool, result


def read_recipe_input(*, data: Any, default_tool: str) -> RecipeInput:
    """Check a Recipe write: ``{tool, prompt, negative_prompt, params, notes, price: {amount,
    currency}}``, or ``pasted`` text (an A1111 block, a Midjourney prompt or a plain prompt)
    instead of prompt/negative_prompt/params. ``tool`` defaults to ``default_tool`` (the post's).

    Raises :class:`RecipeValidationError` listing every problem; returns the cleaned values.
    """
    if not isinstance(data, Mapping):
        raise RecipeValidationError(
            [
                _issue(
                    "body",
                    type(data).__name__,
                    "body: expected an object; "
                    "accepted: an object with keys among " + ", ".join(FIELDS),
                    list(FIELDS),
                )
            ]
        )
    issues: list[ParamIssue] = []
    for key in data:
        if key not in FIELDS:
            issues.append(
                _issue(
                    str(key)[:100],
                    data[key],
                    f"{shown(key)} is not a Recipe field; accepted: " + ", ".join(FIELDS),
                    list(FIELDS),
                )
            )
    paste: PasteResult | None = None
    if data.get("pasted") not in (None, ""):
        tool, paste = _paste(data, default_tool, issues)
        fills: Mapping[str, Any] = (
            {
                "prompt": paste.prompt,
                "negative_prompt": paste.negative_prompt,
                "params": paste.params,
            }
            if paste is not None
            else {}
        )
    else:
        tool = _tool(data.get("tool") or default_tool, issues)
        fills = data
    prompt = _text(fills, "prompt", limit=MAX_PROMPT_CHARACTERS, issues=issues)
    paste_failed = paste is None and data.get("pasted") not in (None, "")
    if not prompt and not paste_failed and not any(issue["field"] == "prompt" for issue in issues):
        issues.append(
            _issue(
                "prompt",
                "",
                "prompt: is empty; accepted: the prompt text, 1 to "
                f"{MAX_PROMPT_CHARACTERS} characters",
                f"1 to {MAX_PROMPT_CHARACTERS} characters",
            )
        )
    negative_prompt = _text(fills, "negative_prompt", limit=MAX_PROMPT_CHARACTERS, issues=issues)
    notes = _text(data, "notes", limit=MAX_NOTES_CHARACTERS, issues=issues)
    params: dict[str, Any] = {}
    raw_params = fills.get("params")
    if tool is not None:
        try:
            params = validate_params(tool, {} if raw_params is None else raw_params)
        except ParamsError as error:
            for issue in error.issues:
                name = issue["field"] if issue["field"] == "params" else f"params.{issue['field']}"
                issues.append(
                    ParamIssue(
                        field=name,
                        value=issue["value"],
                        message=issue["message"],
                        accepted=issue["accepted"],
                    )
                )
    price_minor, currency = _price(data, issues)
    if issues or tool is None:
        raise RecipeValidationError(issues)
    return RecipeInput(
        tool=tool,
        prompt=prompt,
        negative_prompt=negative_prompt,
        params=params,
        notes=notes,
        price_minor=price_minor,
        currency=currency,
        paste=paste,
    )
