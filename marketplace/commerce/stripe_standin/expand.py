"""Stripe's `expand[]`: replace id references in a response with the objects they name."""

from __future__ import annotations

import copy
from typing import Any

from .errors import StripeError
from .listing import list_object
from .store import JsonObject, Store

MAX_EXPAND_DEPTH = 4


def expand_object(*, store: Store, obj: JsonObject, paths: list[str]) -> JsonObject:
    """A copy of `obj` with each dotted path (`payment_intent.latest_charge`) expanded."""
    result = copy.deepcopy(obj)
    for path in paths:
        segments = path.split(".")
        if len(segments) > MAX_EXPAND_DEPTH:
            raise StripeError(
                status=400,
                param="expand",
                message=(
                    f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property ({path})."
                ),
            )
        _expand(store=store, target=result, segments=segments, path=path)
    return result


def session_line_items(*, store: Store, session_id: str) -> JsonObject:
    """The `line_items` list of a Checkout Session (not part of the session unless expanded)."""
    items = store.session_line_items[session_id]
    return list_object(
        items=items, url=f"/v1/checkout/sessions/{session_id}/line_items", params={"limit": 100}
    )


def _expand(*, store: Store, target: Any, segments: list[str], path: str) -> None:
    if not isinstance(target, dict):
        raise _cannot_expand(path)
    name, rest = segments[0], segments[1:]
    if target.get("object") == "list" and name == "data":
        for item in target["data"]:
            if rest:
                _expand(store=store, target=item, segments=rest, path=path)
        return
    if name == "line_items" and target.get("object") == "checkout.session":
        target.setdefault("line_items", session_line_items(store=store, session_id=target["id"]))
    elif name not in target:
        raise _cannot_expand(path)
    elif target[name] is None:
        return  # Stripe expands an empty reference to null.
    elif isinstance(target[name], str):
        referenced = store.find(target[name])
        if referenced is None:
            raise _cannot_expand(path)
        target[name] = copy.deepcopy(referenced)
    elif not isinstance(target[name], dict):
        raise _cannot_expand(path)
    if rest:
        _expand(store=store, target=target[name], segments=rest, path=path)


def _cannot_expand(path: str) -> StripeError:
    return StripeError(
        status=400, param="expand", message=f"This property cannot be expanded ({path})."
    )
