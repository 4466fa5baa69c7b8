"""Stripe's list envelope and cursor pagination (`limit`, `starting_after`, `ending_before`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import invalid_parameter
from .params import Field, integer, string

JsonObject = dict[str, Any]

PAGINATION: dict[str, Field] = {
    "limit": integer(minimum=1),
    "starting_after": string(),
    "ending_before": string(),
}


def list_object(*, items: Sequence[JsonObject], url: str, params: JsonObject) -> JsonObject:
    """One page of `items` (already in Stripe's order, newest first for most lists)."""
    limit = params.get("limit", 10)
    if limit > 100:
        raise invalid_parameter(
            param="limit", message=f"Invalid limit: {limit}. Must be between 1 and 100."
        )
    ids = [item["id"] for item in items]
    start, stop = 0, len(items)
    if "starting_after" in params:
        start = _cursor_index(ids=ids, cursor=params["starting_after"], param="starting_after") + 1
    elif "ending_before" in params:
        stop = _cursor_index(ids=ids, cursor=params["ending_before"], param="ending_before")
        start = max(0, stop - limit)
    page = list(items[start:stop])[:limit]
    has_more = (start + limit < stop) if "ending_before" not in params else start > 0
    return {"object": "list", "data": page, "has_more": has_more, "url": url}


def _cursor_index(*, ids: list[str], cursor: str, param: str) -> int:
    if cursor not in ids:
        raise invalid_parameter(
            param=param, message=f"Invalid {param}: no object with id {cursor!r} in this list."
        )
    return ids.index(cursor)
