"""The Recipe web form, generated from the tool's schema (``describe_form_fields``).

The form only turns widgets into the JSON shape the API takes (text lines into lists, a typed
amount into minor units); every value is then checked by ``services.recipe_upsert``, the same
code the API runs, so the two accept and reject the same things with the same messages.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.html import conditional_escape

from marketplace.recipes.models import Recipe
from marketplace.recipes.paste import PasteResult
from marketplace.recipes.pricing import (
    ACCEPTED_CURRENCIES,
    DEFAULT_CURRENCY,
    PriceInputError,
    format_major,
    major_to_minor,
)
from marketplace.recipes.recipe_input import RecipeValidationError
from marketplace.recipes.tools import TOOLS, FormField, describe_form_fields

PARAM_PREFIX = "param_"
# Service issue fields that are not "params.<name>" -> form field names.
_ISSUE_FIELDS = {
    "tool": "tool",
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "notes": "notes",
    "price": "price",
    "price.amount": "price",
    "price.currency": "currency",
    "pasted": "pasted",
}
_BOOL_CHOICES = [("", "—"), ("true", "Yes"), ("false", "No")]
_LINE_WIDGETS = frozenset({"text_list", "lora_list", "key_value"})


class _ListField(forms.Field):
    """Several checked values as a list, left unchecked here (the schema validator checks)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(item) for item in value] if isinstance(value, (list, tuple)) else [str(value)]


class _RequiredByTheService(forms.CharField):
    """Shown as required, but left empty it reaches the service, which reports it with the
    same message the API gives (and together with every other problem)."""

    def validate(self, value: Any) -> None:
        return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _lora_line(line: str) -> Any:
    # A line is a <lora:...> tag or a JSON object (which can carry a hash); the validator
    # explains what is wrong with anything else.
    if line.startswith("{"):
        try:
            return json.loads(line)
        except ValueError:
            return line
    return line


def _key_value_lines(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for number, line in enumerate(_lines(text), start=1):
        key, separator, value = line.partition(":")
        if not separator:
            raise forms.ValidationError(
                f"line {number} {line[:60]!r} is not written key: value; accepted: one "
                "'key: value' per line"
            )
        pairs[key.strip()] = value.strip()
    return pairs


def widget_value(spec: FormField, value: Any) -> str | list[str]:
    """A cleaned parameter value as its widget shows it (the inverse of ``_param_value``)."""
    widget = spec["widget"]
    if widget == "checkbox":
        return "true" if value else "false"
    if widget == "multiselect":
        return [str(item) for item in value]
    if widget == "text_list":
        return "\n".join(str(item) for item in value)
    if widget == "lora_list":
        return "\n".join(_lora_text(item) for item in value)
    if widget == "key_value":
        return "\n".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, float) and value.is_integer() and spec["kind"] != "float":
        return str(int(value))
    return str(value)


def _lora_text(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "hash" in item:
        return json.dumps(item)
    weight, te_weight = item.get("weight", 1.0), item.get("te_weight", item.get("weight", 1.0))
    if weight == te_weight:
        return f"<lora:{item['name']}:{weight:g}>"
    return f"<lora:{item['name']}:{te_weight:g}:{weight:g}>"


def _help(spec: FormField) -> str:
    # includes/_field.html prints help unescaped; schema help mentions <lora:...> tags.
    parts = [spec["help"], f"Accepted: {spec['accepted']}."]
    if spec["widget"] in _LINE_WIDGETS:
        parts.append("One per line" + (" (key: value)." if spec["widget"] == "key_value" else "."))
    return str(conditional_escape(" ".join(part for part in parts if part)))


def _param_field(spec: FormField) -> forms.Field:
    label, help_text = spec["label"], _help(spec)
    widget = spec["widget"]
    if widget == "checkbox":
        return forms.CharField(
            required=False,
            label=label,
            help_text=help_text,
            widget=forms.Select(choices=_BOOL_CHOICES),
        )
    if widget == "multiselect":
        return _ListField(
            required=False,
            label=label,
            help_text=help_text,
            widget=forms.CheckboxSelectMultiple(choices=spec["choices"] or []),
        )
    if spec["choices"]:
        return forms.CharField(
            required=False,
            label=label,
            help_text=help_text,
            widget=forms.Select(choices=[("", "—"), *spec["choices"]]),
        )
    if widget in _LINE_WIDGETS:
        return forms.CharField(
            required=False,
            label=label,
            help_text=help_text,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if widget == "number":
        attrs: dict[str, Any] = {"inputmode": "decimal"}
        if spec["kind"] == "int":
            attrs.update(min=spec["min"], max=spec["max"], step=spec["step"] or 1)
        else:
            attrs.update(min=spec["min"], max=spec["max"], step="any")
        return forms.CharField(
            required=False, label=label, help_text=help_text, widget=forms.NumberInput(attrs=attrs)
        )
    attrs = {"inputmode": "numeric"} if widget == "seed" else {}
    placeholder = {"size": "1024x768", "aspect_ratio": "3:2"}.get(widget)
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(
        required=False, label=label, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


def tool_options() -> list[tuple[str, str]]:
    return [(slug, tool.name) for slug, tool in TOOLS.items()]


class RecipeForm(forms.Form):
    """Prompt, notes, price and one field per parameter of ``tool`` (named ``param_<name>``)."""

    tool = _RequiredByTheService(
        widget=forms.Select(choices=()),
        help_text="Changing the tool shows its settings (Switch tool).",
    )
    prompt = _RequiredByTheService(strip=False, widget=forms.Textarea(attrs={"rows": 5}))
    negative_prompt = forms.CharField(
        required=False,
        strip=False,
        label="Negative prompt",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. Shown to buyers with the Recipe.",
    )
    price = forms.CharField(
        required=False,
        help_text="Leave empty or 0 for a free Recipe.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
    )
    currency = forms.CharField(
        required=False,
        initial=DEFAULT_CURRENCY,
        widget=forms.Select(choices=[(code, code.upper()) for code in ACCEPTED_CURRENCIES]),
    )
    pasted = forms.CharField(
        required=False,
        strip=False,
        label="Paste an Automatic1111 block or a Midjourney prompt",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Fill from paste reads it into the fields above; nothing is saved until you "
        "save. Whatever cannot be used is listed.",
    )

    def __init__(self, *args: Any, tool: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tool_slug = tool if tool in TOOLS else next(iter(TOOLS))
        self.fields["tool"].widget.choices = tool_options()
        self.param_specs = describe_form_fields(self.tool_slug)
        for spec in self.param_specs:
            self.fields[PARAM_PREFIX + spec["name"]] = _param_field(spec)

    @property
    def param_fields(self) -> list[forms.BoundField]:
        return [self[PARAM_PREFIX + spec["name"]] for spec in self.param_specs]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for spec in self.param_specs:
            name = PARAM_PREFIX + spec["name"]
            if spec["widget"] == "key_value" and name in cleaned:
                try:
                    cleaned[name] = _key_value_lines(cleaned[name] or "")
                except forms.ValidationError as error:
                    self.add_error(name, error)
        currency = cleaned.get("currency") or DEFAULT_CURRENCY
        try:
            cleaned["price_minor"] = major_to_minor(
                text=cleaned.get("price") or "", currency=currency
            )
        except PriceInputError as error:
            self.add_error("price", str(error))
        return cleaned

    def _param_value(self, spec: FormField) -> Any:
        value = self.cleaned_data.get(PARAM_PREFIX + spec["name"])
        if spec["widget"] in ("text_list", "lora_list") and isinstance(value, str):
            items = _lines(value)
            return [_lora_line(item) for item in items] if spec["widget"] == "lora_list" else items
        return value

    def service_data(self) -> dict[str, Any]:
        """The Recipe write as the API takes it, for ``services.recipe_upsert``."""
        params: dict[str, Any] = {}
        for spec in self.param_specs:
            value = self._param_value(spec)
            if value in (None, "", [], {}):
                continue  # not set
            params[spec["name"]] = value
        data = self.cleaned_data
        return {
            "tool": data.get("tool") or self.tool_slug,
            "prompt": data.get("prompt", ""),
            "negative_prompt": data.get("negative_prompt", ""),
            "params": params,
            "notes": data.get("notes", ""),
            "price": {
                "amount": data.get("price_minor", 0),
                "currency": data.get("currency") or DEFAULT_CURRENCY,
            },
        }

    def add_service_errors(self, error: RecipeValidationError) -> None:
        """Put each issue of the service next to its field (or above the form)."""
        for issue in error.issues:
            name = issue["field"]
            if name.startswith("params.") and PARAM_PREFIX + name[len("params.") :] in self.fields:
                target: str | None = PARAM_PREFIX + name[len("params.") :]
            else:
                target = _ISSUE_FIELDS.get(name)
            self.add_error(target, issue["message"])


def initial_from_values(
    *,
    tool: str,
    prompt: str,
    negative_prompt: str,
    params: dict[str, Any],
    notes: str = "",
    price_minor: int = 0,
    currency: str = DEFAULT_CURRENCY,
) -> dict[str, Any]:
    """Initial form values for a Recipe's (or a paste's) cleaned values."""
    specs = {spec["name"]: spec for spec in describe_form_fields(tool)} if tool in TOOLS else {}
    initial: dict[str, Any] = {
        "tool": tool,
        "prompt": prompt,
        "negative_prompt": negative_prompt,
        "notes": notes,
        "price": format_major(amount_minor=price_minor, currency=currency) if price_minor else "",
        "currency": currency,
    }
    for name, value in params.items():
        if name in specs:
            initial[PARAM_PREFIX + name] = widget_value(specs[name], value)
    return initial


def initial_from_recipe(recipe: Recipe) -> dict[str, Any]:
    return initial_from_values(
        tool=recipe.tool,
        prompt=recipe.prompt,
        negative_prompt=recipe.negative_prompt,
        params=recipe.params,
        notes=recipe.notes,
        price_minor=recipe.price_minor,
        currency=recipe.currency,
    )


def initial_from_paste(result: PasteResult, *, tool: str, kept: dict[str, Any]) -> dict[str, Any]:
    """The form after Fill from paste: the paste's fields, the typed notes and price kept."""
    initial = initial_from_values(
        tool=result.tool or tool,
        prompt=result.prompt,
        negative_prompt=result.negative_prompt,
        params=result.params,
    )
    initial.update({key: kept.get(key, "") for key in ("notes", "price", "currency")})
    return initial
