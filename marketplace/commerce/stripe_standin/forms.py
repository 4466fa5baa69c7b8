"""Decoding of Stripe's form encoding into nested Python values.

Stripe's v1 API takes `application/x-www-form-urlencoded` bodies (and query strings for GET)
whose keys nest with brackets: `metadata[order]=7`, `line_items[0][price_data][currency]=usd`,
`expand[]=line_items`. stripe-python always writes arrays with explicit indices
(`expand[0]=...`); other clients (curl examples, browsers) use `[]`. Both are accepted here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from .errors import StripeError

FormValue = Any  # str | dict[str, FormValue] | list[FormValue]

_KEY_PATTERN = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT_PATTERN = re.compile(r"\[([^\[\]]*)\]")
_APPEND = object()


def decode_form(*, encoded: str) -> dict[str, FormValue]:
    """Turn `a[b][0][c]=v&...` into nested dicts and lists, rejecting contradictory keys."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True, strict_parsing=False):
        path = _split_key(key)
        _insert(root=root, path=path, value=value, key=key)
    return {name: _listify(value) for name, value in root.items()}


def format_param(*, path: tuple[str | int, ...]) -> str:
    """Render a parameter path the way Stripe names it in errors: `line_items[0][quantity]`."""
    head, *rest = path
    return str(head) + "".join(f"[{segment}]" for segment in rest)


def _split_key(key: str) -> list[Any]:
    match = _KEY_PATTERN.match(key)
    if match is None:
        raise StripeError(
            status=400,
            param=key,
            message=f"Invalid parameter name: {key!r}. Nested keys look like a[b][c] or a[0][b].",
        )
    path: list[Any] = [match.group(1)]
    for segment in _SEGMENT_PATTERN.findall(match.group(2)):
        path.append(_APPEND if segment == "" else segment)
    return path


def _insert(*, root: dict[str, Any], path: list[Any], value: str, key: str) -> None:
    node: dict[str, Any] = root
    for index, segment in enumerate(path):
        is_last = index == len(path) - 1
        if segment is _APPEND:
            # `a[]=x` appends; give it the next free numeric slot so it merges with `a[0]` keys.
            segment = str(len(node))
        if is_last:
            if segment in node:
                raise StripeError(
                    status=400, param=key, message=f"Parameter {key} was sent more than once."
                )
            node[segment] = value
            return
        child = node.setdefault(segment, {})
        if not isinstance(child, dict):
            raise StripeError(
                status=400,
                param=key,
                message=f"Parameter {key} conflicts with a scalar value sent for the same name.",
            )
        node = child


def _listify(value: Any) -> Any:
    """Dicts whose keys are all array indices become lists, in index order."""
    if not isinstance(value, dict):
        return value
    converted = {name: _listify(child) for name, child in value.items()}
    if converted and all(name.isdigit() for name in converted):
        return [converted[name] for name in sorted(converted, key=int)]
    return converted
