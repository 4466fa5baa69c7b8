"""The one error type of parameter validation, shared by the web form and the API serializer."""

from __future__ import annotations

import json
from typing import Any, TypedDict

# Error payloads echo the bad value; a huge pasted value must not turn into a huge response.
_MAX_ECHOED_CHARACTERS = 200


class ParamIssue(TypedDict):
    """One problem with one parameter: which, what was given, what is wrong, what is accepted."""

    field: str
    value: Any
    message: str
    accepted: Any


class ParamsError(ValueError):
    """Parameters rejected; ``issues`` lists every problem found (not just the first)."""

    def __init__(self, issues: list[ParamIssue]) -> None:
        self.issues: list[ParamIssue] = list(issues)
        super().__init__("; ".join(issue["message"] for issue in self.issues))

    @property
    def fields(self) -> list[str]:
        """The offending field names, in order, without repeats."""
        return list(dict.fromkeys(issue["field"] for issue in self.issues))

    def messages_by_field(self) -> dict[str, list[str]]:
        """``{field: [message, ...]}``: the shape Django's ``add_error`` and DRF's
        ``ValidationError`` both take."""
        grouped: dict[str, list[str]] = {}
        for issue in self.issues:
            grouped.setdefault(issue["field"], []).append(issue["message"])
        return grouped


def echo(value: Any) -> Any:
    """A JSON-safe, bounded copy of a bad value for error payloads."""
    if isinstance(value, str):
        return (
            value if len(value) <= _MAX_ECHOED_CHARACTERS else value[:_MAX_ECHOED_CHARACTERS] + "…"
        )
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        text = None
    if text is not None and len(text) <= _MAX_ECHOED_CHARACTERS:
        return value
    shown = text if text is not None else repr(value)
    return shown[:_MAX_ECHOED_CHARACTERS] + ("…" if len(shown) > _MAX_ECHOED_CHARACTERS else "")


def shown(value: Any) -> str:
    """How a bad value is written inside a message."""
    echoed = echo(value)
    return repr(echoed) if isinstance(echoed, str) else json.dumps(echoed, default=repr)
