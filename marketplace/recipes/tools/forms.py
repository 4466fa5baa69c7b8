"""Turn a tool's schema into the field list the web form generator draws."""

from __future__ import annotations

from .params import FormField
from .registry import get_tool


def describe_form_fields(tool: str) -> list[FormField]:
    """One :class:`FormField` per parameter of ``tool``, in schema order.

    Each gives the name, label, widget kind (number, seed, text, select, multiselect,
    checkbox, size, aspect_ratio, text_list, lora_list, key_value), choices as (value, label)
    pairs, min/max/step, limits, default, help and the accepted values in words.
    """
    return [param.describe() for param in get_tool(tool).params]
