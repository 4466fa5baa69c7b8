"""Structured problems and the one exception type the workflow package raises for bad input."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel = 3
_SHORT_REPR.maxstring = 60
_SHORT_REPR.maxother = 60
_SHORT_REPR.maxlist = 5
_SHORT_REPR.maxdict = 5


def describe_value(value: Any) -> str:
    """A short repr of a user-supplied value for messages (bounded length and depth)."""
    return _SHORT_REPR.repr(value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload or a graph, precise enough to show next to the node.

    ``code`` is stable and machine-readable (tests and the web side switch on it); ``message``
    names the field, the bad value and what is accepted.
    """

    code: str
    message: str
    node_id: str | None = None
    class_type: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form for API responses and stored analysis records."""
        return {
            "code": self.code,
            "message": self.message,
            "node_id": self.node_id,
            "class_type": self.class_type,
            "field": self.field,
        }


class WorkflowError(ValueError):
    """Bad input: the only exception any public function of this package raises for it."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            problems = [Problem(code="invalid_workflow", message="The workflow is invalid.")]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(problem.message for problem in self.problems[:5]))

    @classmethod
    def single(
        cls,
        code: str,
        message: str,
        *,
        node_id: str | None = None,
        class_type: str | None = None,
        field: str | None = None,
    ) -> WorkflowError:
        """Shorthand for an error carrying exactly one problem."""
        return cls(
            [
                Problem(
                    code=code, message=message, node_id=node_id, class_type=class_type, field=field
                )
            ]
        )

    @property
    def codes(self) -> list[str]:
        """The problem codes, in order (handy in tests and logs)."""
        return [problem.code for problem in self.problems]
