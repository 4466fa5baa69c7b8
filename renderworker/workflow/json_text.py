"""Parsing JSON text under the package limits (size, nesting, string length, finite numbers)."""

from __future__ import annotations

import json
import math
from typing import Any

from .limits import MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_STRING_LENGTH
from .problems import WorkflowError


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN/Infinity; they are not JSON and break every consumer downstream.
    raise WorkflowError.single(
        "non_finite_number",
        f"The JSON contains {name}, which is not a valid JSON number; use a finite number.",
    )


def decode_json_bytes(data: bytes, *, where: str) -> Any:
    """Decode UTF-8 (optionally BOM-prefixed) JSON bytes and parse them under the limits.

    ``where`` names the origin ("the uploaded file", "the PNG 'prompt' chunk") for messages.
    """
    if len(data) > MAX_JSON_BYTES:
        raise WorkflowError.single(
            "json_too_large",
            f"{where} holds {len(data):,} bytes of JSON; at most {MAX_JSON_BYTES:,} bytes are "
            "accepted.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise WorkflowError.single(
            "not_utf8",
            f"{where} is not valid UTF-8 text (byte {error.start}); JSON must be UTF-8.",
        ) from None
    return parse_json_text(text, where=where)


def parse_json_text(text: str, *, where: str) -> Any:
    """Parse JSON text under the limits; every failure is a WorkflowError with a precise code."""
    if len(text) > MAX_JSON_BYTES:
        raise WorkflowError.single(
            "json_too_large",
            f"{where} holds {len(text):,} characters of JSON; at most {MAX_JSON_BYTES:,} are "
            "accepted.",
        )
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except WorkflowError:
        raise
    except RecursionError:
        raise WorkflowError.single(
            "json_too_deep",
            f"{where} nests JSON deeper than {MAX_JSON_DEPTH} levels, which is accepted at most.",
        ) from None
    except json.JSONDecodeError as error:
        raise WorkflowError.single(
            "invalid_json",
            f"{where} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}.",
        ) from None
    except ValueError as error:
        # e.g. an integer literal longer than Python's int-string conversion limit.
        raise WorkflowError.single(
            "invalid_json", f"{where} is not acceptable JSON: {error}."
        ) from None
    check_json_shape(value, where=where)
    return value


# Values in one document (a 20 MB JSON text holds far fewer than this).
MAX_JSON_ITEMS = 2_000_000


def check_json_shape(value: Any, *, where: str) -> None:
    """Walk a JSON-like value iteratively, enforcing the limits and plain-JSON types.

    Public functions also take Python dicts directly, so this is the single gate that makes
    everything downstream safe to recurse into, repr and serialise.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    items = 0
    while stack:
        item, depth = stack.pop()
        items += 1
        if items > MAX_JSON_ITEMS:
            raise WorkflowError.single(
                "json_too_large",
                f"{where} holds more than {MAX_JSON_ITEMS:,} values; that is not a workflow.",
            )
        if item is None or isinstance(item, (bool, int)):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise WorkflowError.single(
                    "non_finite_number",
                    f"{where} contains {item!r}, which is not a valid JSON number; use a finite "
                    "number.",
                )
            continue
        if isinstance(item, str):
            if len(item) > MAX_STRING_LENGTH:
                raise WorkflowError.single(
                    "string_too_long",
                    f"{where} contains a string of {len(item):,} characters "
                    f"(starting {item[:40]!r}); at most {MAX_STRING_LENGTH:,} are accepted.",
                )
            continue
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise WorkflowError.single(
                    "json_too_deep",
                    f"{where} nests JSON deeper than {MAX_JSON_DEPTH} levels, which is accepted at "
                    "most.",
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise WorkflowError.single(
                            "not_json_data",
                            f"{where} has a non-string object key of type {type(key).__name__}; "
                            "JSON keys are strings.",
                        )
                    stack.append((key, depth + 1))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
            continue
        raise WorkflowError.single(
            "not_json_data", f"{where} contains a {type(item).__name__}, which is not a JSON value."
        )
