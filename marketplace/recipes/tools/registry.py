"""Look tools up by slug; the Django choices come from here too."""

from __future__ import annotations

from types import MappingProxyType

from .catalog import TOOL_LIST
from .tool import Tool

TOOLS: MappingProxyType[str, Tool] = MappingProxyType({tool.slug: tool for tool in TOOL_LIST})
if len(TOOLS) != len(TOOL_LIST):  # pragma: no cover - guards edits of the catalog
    raise ValueError("two tools share a slug in catalog.TOOL_LIST")

# (value, label) pairs for a Django ``choices=`` or a DRF ``ChoiceField``.
TOOL_CHOICES: tuple[tuple[str, str], ...] = tuple((tool.slug, tool.name) for tool in TOOL_LIST)

REPRODUCIBLE_TOOLS: frozenset[str] = frozenset(tool.slug for tool in TOOL_LIST if tool.reproducible)


class UnknownToolError(ValueError):
    """No tool has this slug."""


def get_tool(slug: str) -> Tool:
    """The tool with this slug; raises :class:`UnknownToolError` naming the accepted slugs."""
    tool = TOOLS.get(slug) if isinstance(slug, str) else None
    if tool is None:
        raise UnknownToolError(f"tool: {slug!r} is not a known tool; accepted: {', '.join(TOOLS)}")
    return tool
