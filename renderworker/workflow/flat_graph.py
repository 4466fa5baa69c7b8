"""The flattened graph ``compile_ui`` works on, and the UI link table reader.

A UI document's links come as v0.4 lists ``[id, from, slot, to, slot, type]`` or v1 objects;
both are read into :class:`UiLink`. Nodes of every (sub)graph level end up as :class:`FlatNode`
under their execution ids (``"<outer>:<inner>"`` inside subgraphs and group nodes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .limits import MAX_LINKS
from .problems import Problem, WorkflowError, describe_value

MODE_MUTED = 2
MODE_BYPASSED = 4
# Subgraph boundary pseudo-nodes in link tables.
SUBGRAPH_INPUT_NODE = -10
SUBGRAPH_OUTPUT_NODE = -20

SourceRef = tuple[str, int]  # (flat node id, output slot)
SUBGRAPH_ID_PATTERN = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I
)


@dataclass
class FlatInput:
    """One input slot: its name (the widget's name for converted widgets), type and source."""

    name: str
    type: str
    source: SourceRef | None
    is_widget: bool


@dataclass
class FlatNode:
    """A node of the flattened graph, still in UI terms."""

    id: str
    type: str
    mode: int
    inputs: list[FlatInput]
    output_types: list[str]
    widgets_values: Any
    title: str | None
    # For PrimitiveNodes synthesised from a subgraph's promoted widget.
    constant: Any = None


@dataclass(frozen=True)
class BoundaryRef:
    """A link from a subgraph's input node: resolved once the instance's own inputs are known."""

    prefix: str
    slot: int


@dataclass
class UiLink:
    origin_id: str
    origin_slot: int
    target_id: str
    target_slot: int
    type: str


@dataclass
class FlatGraph:
    """The flattened graph plus the problems met while flattening (never fatal ones)."""

    nodes: dict[str, FlatNode] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # (instance flat id, output slot) -> where that output really comes from.
    boundary_outputs: dict[SourceRef, SourceRef | None] = field(default_factory=dict)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None


def node_id_text(value: Any) -> str | None:
    number = as_int(value)
    if number is not None:
        return str(number)
    if isinstance(value, str) and value and len(value) <= 200:
        return value
    return None


def parse_links(raw_links: Any, *, problems: list[Problem], where: str) -> dict[int, UiLink]:
    """Links by id from the v0.4 list form ``[id, from, slot, to, slot, type]`` or v1 objects."""
    links: dict[int, UiLink] = {}
    if raw_links is None:
        return links
    if not isinstance(raw_links, list):
        problems.append(
            Problem(
                "bad_link_shape",
                f"{where}: 'links' must be a list, got {type(raw_links).__name__}.",
                field="links",
            )
        )
        return links
    if len(raw_links) > MAX_LINKS:
        raise WorkflowError.single(
            "too_many_links",
            f"{where} has {len(raw_links):,} links; at most {MAX_LINKS:,} are accepted.",
            field="links",
        )
    for raw in raw_links:
        if raw is None:
            continue  # editors leave null holes where links were deleted
        if isinstance(raw, list) and len(raw) >= 5:
            link_id, origin, origin_slot, target, target_slot = raw[:5]
            link_type = raw[5] if len(raw) > 5 else "*"
        elif isinstance(raw, dict):
            link_id, origin, origin_slot = (
                raw.get("id"),
                raw.get("origin_id"),
                raw.get("origin_slot"),
            )
            target, target_slot, link_type = (
                raw.get("target_id"),
                raw.get("target_slot"),
                raw.get("type", "*"),
            )
        else:
            problems.append(
                Problem(
                    "bad_link_shape",
                    f"{where}: a link is {describe_value(raw)}; expected [id, from_node, "
                    "from_slot, to_node, to_slot, type] or an object.",
                    field="links",
                )
            )
            continue
        numbers = [as_int(link_id), as_int(origin_slot), as_int(target_slot)]
        origin_text, target_text = node_id_text(origin), node_id_text(target)
        if None in numbers or origin_text is None or target_text is None:
            problems.append(
                Problem(
                    "bad_link_shape",
                    f"{where}: link {describe_value(raw)} has a missing or non-integer id, node or "
                    "slot.",
                    field="links",
                )
            )
            continue
        assert numbers[0] is not None and numbers[1] is not None and numbers[2] is not None
        links[numbers[0]] = UiLink(
            origin_id=origin_text,
            origin_slot=numbers[1],
            target_id=target_text,
            target_slot=numbers[2],
            type=link_type if isinstance(link_type, str) else "*",
        )
    return links
