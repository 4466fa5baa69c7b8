"""What Kiln knows about one image tool: identity, whether Kiln can re-run it, its schema."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ParamIssue
from .params import Param

# A cross-field rule gets the cleaned parameters and returns the issues it finds.
Rule = Callable[[Mapping[str, Any]], list[ParamIssue]]


@dataclass(frozen=True)
class Tool:
    """One of the tools of SPEC §1. ``reproducible``: Kiln can re-run its recipes."""

    slug: str
    name: str
    reproducible: bool
    url: str
    help: str
    params: tuple[Param, ...]
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        names = [param.name for param in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"tool {self.slug!r} declares a parameter twice: {names}")

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names in schema order."""
        return tuple(param.name for param in self.params)

    def param(self, name: str) -> Param | None:
        """The parameter called ``name``, or ``None``."""
        for param in self.params:
            if param.name == name:
                return param
        return None
