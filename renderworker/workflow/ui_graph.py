"""Flattening a UI ("workflow") document into one graph of plain nodes.

Subgraphs (``definitions.subgraphs``) and legacy group nodes (``extra.groupNodes``) are
expanded here, their inner nodes renamed ``"<outer>:<inner>"`` as ComfyUI's frontend does, and
links crossing their boundaries re-attached. The result still holds virtual nodes (Reroute,
PrimitiveNode, Note) and muted/bypassed nodes: ``compile_ui`` decides what reaches the API.
"""

from __future__ import annotations

from typing import Any

from .flat_graph import (
    MODE_BYPASSED,
    MODE_MUTED,
    SUBGRAPH_ID_PATTERN,
    SUBGRAPH_INPUT_NODE,
    SUBGRAPH_OUTPUT_NODE,
    BoundaryRef,
    FlatGraph,
    FlatInput,
    FlatNode,
    SourceRef,
    UiLink,
    as_int,
    node_id_text,
    parse_links,
)
from .limits import MAX_NODES, MAX_SUBGRAPH_DEPTH
from .problems import Problem, WorkflowError, describe_value
from .specs import NODE_SPECS

__all__ = ["flatten_ui"]


class _GroupLayout:
    """Which inner slots of a legacy group node are linked inside, used outside, or hidden."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.internal: dict[tuple[int, int], tuple[int, int]] = {}
        self.linked_outputs: set[tuple[int, int]] = set()
        raw_links = definition.get("links")
        for raw in raw_links if isinstance(raw_links, list) else []:
            if isinstance(raw, list) and len(raw) >= 4:
                from_index, from_slot, to_index, to_slot = (as_int(value) for value in raw[:4])
                if None in (from_index, from_slot, to_index, to_slot):
                    continue
                assert from_index is not None and from_slot is not None
                assert to_index is not None and to_slot is not None
                self.internal[(to_index, to_slot)] = (from_index, from_slot)
                self.linked_outputs.add((from_index, from_slot))
        self.external: set[tuple[int, int]] = set()
        raw_external = definition.get("external")
        for raw in raw_external if isinstance(raw_external, list) else []:
            if isinstance(raw, list) and len(raw) >= 2:
                index, slot = as_int(raw[0]), as_int(raw[1])
                if index is not None and slot is not None:
                    self.external.add((index, slot))
        config = definition.get("config")
        self.config: dict[str, Any] = config if isinstance(config, dict) else {}

    def _visible_flag(self, index: int, kind: str, key: str) -> bool | None:
        node_config = self.config.get(str(index))
        section = node_config.get(kind) if isinstance(node_config, dict) else None
        entry = section.get(key) if isinstance(section, dict) else None
        visible = entry.get("visible") if isinstance(entry, dict) else None
        return visible if isinstance(visible, bool) else None

    def input_visible(self, index: int, name: str) -> bool:
        return self._visible_flag(index, "input", name) is not False

    def output_visible(self, index: int, slot: int) -> bool:
        flag = self._visible_flag(index, "output", str(slot))
        if flag is not None:
            return flag
        return (index, slot) not in self.linked_outputs or (index, slot) in self.external


class _Flattener:
    def __init__(self, ui: dict[str, Any]) -> None:
        self.graph = FlatGraph()
        definitions = ui.get("definitions")
        subgraphs = definitions.get("subgraphs") if isinstance(definitions, dict) else None
        self.subgraphs: dict[str, dict[str, Any]] = {}
        if isinstance(subgraphs, list):
            for subgraph in subgraphs:
                if isinstance(subgraph, dict) and isinstance(subgraph.get("id"), str):
                    self.subgraphs[subgraph["id"]] = subgraph
        extra = ui.get("extra")
        group_nodes = extra.get("groupNodes") if isinstance(extra, dict) else None
        self.group_nodes: dict[str, dict[str, Any]] = (
            {name: value for name, value in group_nodes.items() if isinstance(value, dict)}
            if isinstance(group_nodes, dict)
            else {}
        )
        # Inputs of inner nodes fed from a subgraph boundary: filled when the instance is known.
        self.pending_boundary_inputs: list[tuple[FlatInput, str, int]] = []
        self.pending_ids: set[int] = set()
        # The instance's own input slots, read only in finish() so that nested boundaries resolve.
        self.instance_inputs: dict[str, list[FlatInput]] = {}
        self.pending_outputs: list[tuple[str, int, str, int]] = []

    @property
    def problems(self) -> list[Problem]:
        return self.graph.problems

    def add_node(self, node: FlatNode) -> None:
        if node.id in self.graph.nodes:
            self.problems.append(
                Problem(
                    "duplicate_node_id",
                    f"Node id {node.id} is used more than once; ids must be unique.",
                    node_id=node.id,
                    class_type=node.type,
                )
            )
            return
        if len(self.graph.nodes) >= MAX_NODES:
            raise WorkflowError.single(
                "too_many_nodes",
                f"The workflow has more than {MAX_NODES:,} nodes (after expanding subgraphs); at "
                f"most {MAX_NODES:,} are accepted.",
                field="nodes",
            )
        self.graph.nodes[node.id] = node

    def flatten_level(
        self,
        raw_nodes: Any,
        raw_links: Any,
        *,
        prefix: str,
        depth: int,
        where: str,
        forced_mode: int | None,
        stack: tuple[str, ...],
    ) -> None:
        if depth > MAX_SUBGRAPH_DEPTH:
            raise WorkflowError.single(
                "subgraph_too_deep",
                f"Subgraphs are nested more than {MAX_SUBGRAPH_DEPTH} levels deep at {where}.",
                field="definitions",
            )
        if not isinstance(raw_nodes, list):
            self.problems.append(
                Problem(
                    "bad_node_shape",
                    f"{where}: 'nodes' must be a list, got {type(raw_nodes).__name__}.",
                    field="nodes",
                )
            )
            return
        if len(raw_nodes) > MAX_NODES:
            raise WorkflowError.single(
                "too_many_nodes",
                f"{where} has {len(raw_nodes):,} nodes; at most {MAX_NODES:,} are accepted.",
                field="nodes",
            )
        links = parse_links(raw_links, problems=self.problems, where=where)
        for raw in raw_nodes:
            self.flatten_node(
                raw,
                links,
                prefix=prefix,
                depth=depth,
                where=where,
                forced_mode=forced_mode,
                stack=stack,
            )

    def source_for(
        self,
        link_id: Any,
        links: dict[int, UiLink],
        *,
        prefix: str,
        node_id: str,
        slot: Any,
        class_type: str | None = None,
    ) -> SourceRef | BoundaryRef | None:
        number = as_int(link_id)
        if link_id is None or number is None:
            return None
        link = links.get(number)
        if link is None:
            self.problems.append(
                Problem(
                    "dangling_link",
                    f"Input {slot!r} of node {node_id} refers to link {link_id}, which does not "
                    "exist; the input is left unconnected.",
                    node_id=node_id,
                    class_type=class_type,
                    field=str(slot),
                )
            )
            return None
        if link.origin_id == str(SUBGRAPH_INPUT_NODE):
            return BoundaryRef(prefix=prefix, slot=link.origin_slot)
        return (prefix + link.origin_id, link.origin_slot)

    def flatten_node(
        self,
        raw: Any,
        links: dict[int, UiLink],
        *,
        prefix: str,
        depth: int,
        where: str,
        forced_mode: int | None,
        stack: tuple[str, ...],
    ) -> None:
        if not isinstance(raw, dict):
            self.problems.append(
                Problem(
                    "bad_node_shape",
                    f"{where}: a node is {type(raw).__name__}, expected an object.",
                    field="nodes",
                )
            )
            return
        local_id = node_id_text(raw.get("id"))
        node_type = raw.get("type")
        if local_id is None or not isinstance(node_type, str) or not node_type:
            self.problems.append(
                Problem(
                    "bad_node_shape",
                    f"{where}: a node has no usable 'id' or 'type' "
                    f"(id={describe_value(raw.get('id'))}, type={describe_value(node_type)}).",
                    field="nodes",
                )
            )
            return
        flat_id = prefix + local_id
        mode = as_int(raw.get("mode")) or 0
        if forced_mode is not None and mode not in (MODE_MUTED, MODE_BYPASSED):
            mode = forced_mode
        inputs: list[FlatInput] = []
        raw_inputs = raw.get("inputs")
        for index, slot in enumerate(raw_inputs if isinstance(raw_inputs, list) else []):
            if not isinstance(slot, dict):
                self.problems.append(
                    Problem(
                        "bad_node_shape",
                        f"Node {flat_id}: input slot {index} is not an object.",
                        node_id=flat_id,
                        class_type=node_type,
                    )
                )
                inputs.append(FlatInput(name=f"#{index}", type="*", source=None, is_widget=False))
                continue
            widget = slot.get("widget")
            widget_name = widget.get("name") if isinstance(widget, dict) else None
            name = widget_name if isinstance(widget_name, str) else slot.get("name")
            if not isinstance(name, str):
                name = f"#{index}"
            raw_type = slot.get("type")
            slot_type = raw_type if isinstance(raw_type, str) else "*"
            source = self.source_for(
                slot.get("link"),
                links,
                prefix=prefix,
                node_id=flat_id,
                slot=name,
                class_type=node_type,
            )
            flat_input = FlatInput(
                name=name, type=slot_type, source=None, is_widget=isinstance(widget_name, str)
            )
            if isinstance(source, BoundaryRef):
                self.pending_boundary_inputs.append((flat_input, source.prefix, source.slot))
                self.pending_ids.add(id(flat_input))
            else:
                flat_input.source = source
            inputs.append(flat_input)
        raw_outputs = raw.get("outputs")
        output_types: list[str] = []
        for slot in raw_outputs if isinstance(raw_outputs, list) else []:
            output_type = slot.get("type") if isinstance(slot, dict) else None
            output_types.append(output_type if isinstance(output_type, str) else "*")
        title = raw.get("title") if isinstance(raw.get("title"), str) else None
        node = FlatNode(
            id=flat_id,
            type=node_type,
            mode=mode,
            inputs=inputs,
            output_types=output_types,
            widgets_values=raw.get("widgets_values"),
            title=title,
        )
        if node_type in self.subgraphs:
            self.expand_subgraph(node, self.subgraphs[node_type], depth=depth, stack=stack)
        elif node_type.startswith(("workflow>", "workflow/")) and node_type[9:] in self.group_nodes:
            self.expand_group_node(node, self.group_nodes[node_type[9:]], depth=depth)
        else:
            self._report_missing_definition(node)
            self.add_node(node)
        # Outputs of this node consumed inside the same level are resolved later by id.

    def _report_missing_definition(self, node: FlatNode) -> None:
        if SUBGRAPH_ID_PATTERN.match(node.type):
            where = "definitions.subgraphs"
        elif node.type.startswith(("workflow>", "workflow/")):
            where = "extra.groupNodes"
        else:
            return
        self.problems.append(
            Problem(
                "missing_definition",
                f"Node {node.id} is an instance of {describe_value(node.type)}, whose definition "
                f"is missing from {where}; it cannot be expanded.",
                node_id=node.id,
                class_type=node.type,
            )
        )

    def expand_subgraph(
        self, instance: FlatNode, definition: dict[str, Any], *, depth: int, stack: tuple[str, ...]
    ) -> None:
        subgraph_id = instance.type
        if subgraph_id in stack:
            raise WorkflowError.single(
                "recursive_subgraph",
                f"Subgraph {subgraph_id} contains itself (through node {instance.id}); subgraphs "
                "cannot be recursive.",
                node_id=instance.id,
                class_type=subgraph_id,
            )
        prefix = instance.id + ":"
        self.instance_inputs[prefix] = list(instance.inputs)
        self._promote_widgets(instance, prefix)
        if instance.mode == MODE_MUTED:
            self.add_node(
                FlatNode(
                    id=instance.id,
                    type=instance.type,
                    mode=MODE_MUTED,
                    inputs=[],
                    output_types=instance.output_types,
                    widgets_values=None,
                    title=instance.title,
                )
            )
            return
        if instance.mode == MODE_BYPASSED:
            # Bypassing the instance passes its inputs through to same-typed outputs.
            self.add_node(instance)
            return
        # Parsed again by flatten_level below, which reports any problem once.
        links = parse_links(definition.get("links"), problems=[], where=f"subgraph {subgraph_id}")
        for link in links.values():
            if link.target_id == str(SUBGRAPH_OUTPUT_NODE):
                if link.origin_id == str(SUBGRAPH_INPUT_NODE):
                    self.graph.boundary_outputs[(instance.id, link.target_slot)] = None
                    self.pending_outputs.append(
                        (instance.id, link.target_slot, prefix, link.origin_slot)
                    )
                else:
                    self.graph.boundary_outputs[(instance.id, link.target_slot)] = (
                        prefix + link.origin_id,
                        link.origin_slot,
                    )
        self.flatten_level(
            definition.get("nodes"),
            definition.get("links"),
            prefix=prefix,
            depth=depth + 1,
            where=f"subgraph {subgraph_id}",
            forced_mode=None,
            stack=(*stack, subgraph_id),
        )

    def _promote_widgets(self, instance: FlatNode, prefix: str) -> None:
        """Values typed on the instance for unconnected subgraph inputs feed the inner widgets."""
        values = instance.widgets_values
        widget_slots = [index for index, slot in enumerate(instance.inputs) if slot.is_widget]
        slots = self.instance_inputs[prefix]
        for position, index in enumerate(widget_slots):
            if slots[index].source is not None or id(slots[index]) in self.pending_ids:
                continue
            if isinstance(values, list) and position < len(values):
                value = values[position]
            elif isinstance(values, dict) and instance.inputs[index].name in values:
                value = values[instance.inputs[index].name]
            else:
                continue
            constant_id = f"{prefix}input{index}"
            self.add_node(
                FlatNode(
                    id=constant_id,
                    type="PrimitiveNode",
                    mode=0,
                    inputs=[],
                    output_types=["*"],
                    widgets_values=[value],
                    title=None,
                    constant=value,
                )
            )
            slots[index].source = (constant_id, 0)

    def expand_group_node(
        self, instance: FlatNode, definition: dict[str, Any], *, depth: int
    ) -> None:
        """Legacy group nodes (``extra.groupNodes``), as the frontend's group-node code maps them.

        Inner node ``i`` (its position in ``nodes``) becomes ``"<outer>:<i>"``; inner links are
        ``[from, slot, to, slot, origin id, type]``. Outer inputs are, in node order, the link
        inputs not fed inside, then the converted-widget inputs not fed inside. Outer outputs are
        the inner outputs not consumed inside (or also used outside, or marked visible in
        ``config``). The instance's ``widgets_values`` are the inner nodes' widgets in order,
        converted ones excluded, hidden control values included.
        """
        if instance.mode == MODE_BYPASSED:
            # Bypassing the instance passes its inputs through to same-typed outputs.
            self.add_node(instance)
            return
        raw_nodes = definition.get("nodes")
        if not isinstance(raw_nodes, list):
            self.problems.append(
                Problem(
                    "bad_node_shape",
                    f"Group node {instance.type} has no 'nodes' list.",
                    node_id=instance.id,
                    class_type=instance.type,
                )
            )
            return
        layout = _GroupLayout(definition)
        prefix = instance.id + ":"
        widget_values = (
            instance.widgets_values if isinstance(instance.widgets_values, list) else None
        )
        widget_cursor = 0
        flat_nodes: list[FlatNode] = []
        for index, raw in enumerate(raw_nodes):
            if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
                continue
            inner = dict(raw)
            inner["id"] = index
            raw_inputs = raw.get("inputs")
            inner["inputs"] = [
                {**slot, "link": None}
                for slot in (raw_inputs if isinstance(raw_inputs, list) else [])
                if isinstance(slot, dict)
            ]
            spec = NODE_SPECS.get(raw["type"])
            if widget_values is not None and spec is not None:
                converted = {
                    slot["widget"].get("name")
                    for slot in inner["inputs"]
                    if isinstance(slot.get("widget"), dict)
                }
                stored = raw.get("widgets_values")
                stored_values = stored if isinstance(stored, list) else []
                own: list[Any] = []
                for widget in spec.widget_inputs:
                    count = 1 + widget.hidden_slots_after
                    if widget.name in converted:
                        # Not a group widget: the inner node keeps the value it was stored with.
                        chunk = stored_values[len(own) : len(own) + count]
                    else:
                        chunk = widget_values[widget_cursor : widget_cursor + count]
                        widget_cursor += count
                    if not chunk:
                        chunk = [widget.default_value()]
                    own.extend(chunk + [None] * (count - len(chunk)))
                inner["widgets_values"] = own
            forced = instance.mode if instance.mode == MODE_MUTED else None
            self.flatten_node(
                inner,
                {},
                prefix=prefix,
                depth=depth + 1,
                where=f"group node {instance.type}",
                forced_mode=forced,
                stack=(),
            )
            flat = self.graph.nodes.get(prefix + str(index))
            if flat is not None:
                flat_nodes.append(flat)
        outer_inputs = iter(instance.inputs)
        # Normal link inputs of every inner node first, converted widgets after all of them.
        for converted_pass in (False, True):
            for flat in flat_nodes:
                index = int(flat.id.rsplit(":", 1)[1])
                for slot_index, flat_input in enumerate(flat.inputs):
                    if flat_input.is_widget is not converted_pass:
                        continue
                    origin = layout.internal.get((index, slot_index))
                    if origin is not None:
                        flat_input.source = (prefix + str(origin[0]), origin[1])
                    elif layout.input_visible(index, flat_input.name):
                        outer = next(outer_inputs, None)
                        flat_input.source = outer.source if outer is not None else None
        outer_slot = 0
        for flat in flat_nodes:
            index = int(flat.id.rsplit(":", 1)[1])
            for slot_index in range(len(flat.output_types)):
                if layout.output_visible(index, slot_index):
                    self.graph.boundary_outputs[(instance.id, outer_slot)] = (flat.id, slot_index)
                    outer_slot += 1

    def finish(self) -> FlatGraph:
        # Outer levels were queued first, so an instance's own slots are final when read here.
        for flat_input, prefix, slot in self.pending_boundary_inputs:
            slots = self.instance_inputs.get(prefix, [])
            flat_input.source = slots[slot].source if 0 <= slot < len(slots) else None
        for instance_id, output_slot, prefix, input_slot in self.pending_outputs:
            slots = self.instance_inputs.get(prefix, [])
            self.graph.boundary_outputs[(instance_id, output_slot)] = (
                slots[input_slot].source if 0 <= input_slot < len(slots) else None
            )
        return self.graph


def flatten_ui(ui: dict[str, Any]) -> FlatGraph:
    """Flatten a UI workflow (subgraphs and group nodes expanded) without compiling it."""
    flattener = _Flattener(ui)
    flattener.flatten_level(
        ui.get("nodes"),
        ui.get("links"),
        prefix="",
        depth=0,
        where="The workflow",
        forced_mode=None,
        stack=(),
    )
    return flattener.finish()
