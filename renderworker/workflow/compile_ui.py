"""Compiling a UI ("workflow") document into the API graph the ComfyUI frontend would queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .flat_graph import MODE_BYPASSED, MODE_MUTED, FlatGraph, FlatNode, SourceRef
from .json_text import check_json_shape
from .problems import Problem, WorkflowError, describe_value
from .prompt_text import frontend_prompt_text
from .specs import NODE_SPECS, VIRTUAL_NODE_TYPES
from .ui_graph import flatten_ui
from .widget_values import (
    CONTROL_VALUES,
    control_values,
    custom_widgets_by_name,
    widgets_by_name,
)

# Problems that mean the compiled graph cannot be trusted at all.
STRUCTURAL_CODES = frozenset(
    {"bad_node_shape", "bad_link_shape", "duplicate_node_id", "not_a_workflow", "dangling_link"}
)


@dataclass
class CompiledWorkflow:
    """The API graph plus what compilation noticed (custom nodes, unresolved dynamic prompts...)."""

    api: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    # Not errors: values the editor changes after every run (the next-seed trap).
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class _Resolved:
    link: SourceRef | None = None
    value: Any = None
    has_value: bool = False
    control: str | None = None


def types_compatible(first: str, second: str) -> bool:
    """Litegraph's connection rule: wildcards, equal types, or overlapping ``A,B`` type lists."""
    if first in ("", "*") or second in ("", "*") or first == second:
        return True
    first_types = {part.strip().lower() for part in first.split(",")}
    second_types = {part.strip().lower() for part in second.split(",")}
    return bool(first_types & second_types)


def bypass_input_index(node: FlatNode, output_slot: int, consumer_type: str) -> int | None:
    """Which input of a bypassed node stands in for ``output_slot`` (None: none does).

    Current frontends (ExecutableNodeDTO): a wildcard consumer takes the same index; otherwise
    the input at the output's index if it fits both the output and the consumer, then the first
    input of exactly the consumer's type, then the first input compatible with both.
    """
    inputs = node.inputs
    if not inputs:
        return None
    if consumer_type in ("", "*"):
        return output_slot if output_slot < len(inputs) else 0
    output_type = node.output_types[output_slot] if output_slot < len(node.output_types) else "*"
    if output_slot < len(inputs):
        opposite = inputs[output_slot].type
        if types_compatible(opposite, output_type) and types_compatible(opposite, consumer_type):
            return output_slot
    for index, slot in enumerate(inputs):
        if slot.type == consumer_type:
            return index
    for index, slot in enumerate(inputs):
        if types_compatible(slot.type, output_type) and types_compatible(slot.type, consumer_type):
            return index
    return None


def _serialisable(value: Any) -> Any:
    # A list in the API format means a link; literal lists travel wrapped, as the frontend does.
    return {"__value__": value} if isinstance(value, list) else value


class _Compiler:
    def __init__(self, graph: FlatGraph) -> None:
        self.graph = graph
        self.problems = graph.problems
        self.unmapped: set[str] = set()
        self.warnings: list[Problem] = []

    def note_control(self, node: FlatNode, name: str, control: str | None, value: Any) -> None:
        if control is None or control == "fixed":
            return
        self.warnings.append(
            Problem(
                "value_changes_after_queue",
                f"Input {name!r} of node {node.id} ({node.type}) is set to {control!r} after each "
                f"run: a workflow saved after queueing already holds the next value "
                f"({describe_value(value)}), not the one that made the image. Upload the output "
                "image (its 'prompt' metadata holds the value used) or set it to 'fixed'.",
                node_id=node.id,
                class_type=node.type,
                field=name,
            )
        )

    def node_at(self, ref: SourceRef) -> tuple[FlatNode | None, SourceRef | None]:
        """The node behind a reference, following subgraph/group output boundaries."""
        seen: set[SourceRef] = set()
        current: SourceRef | None = ref
        while current is not None:
            node = self.graph.nodes.get(current[0])
            if node is not None:
                return node, current
            if current in seen or current not in self.graph.boundary_outputs:
                return None, current
            seen.add(current)
            current = self.graph.boundary_outputs[current]
        return None, None

    def resolve(self, ref: SourceRef, consumer_type: str) -> _Resolved:
        """Follow Reroutes and bypassed nodes back to a real output or a PrimitiveNode value."""
        current: SourceRef | None = ref
        visited: set[SourceRef] = set()
        while current not in visited:
            if current is None:
                return _Resolved()
            visited.add(current)
            node, current = self.node_at(current)
            if node is None:
                # Missing node: keep the dangling reference; validation reports it.
                return _Resolved(link=current)
            assert current is not None
            if node.type == "PrimitiveNode":
                if len(visited) > 1 and node.constant is None:
                    # The frontend copies a PrimitiveNode's value only into widgets it is
                    # linked to directly; behind a Reroute the target keeps its own value.
                    return _Resolved()
                if node.constant is not None:
                    return _Resolved(value=node.constant, has_value=True)
                values = node.widgets_values
                if isinstance(values, list) and values:
                    control = values[1] if len(values) > 1 else None
                    if not (isinstance(control, str) and control in CONTROL_VALUES):
                        control = None
                    return _Resolved(value=values[0], has_value=True, control=control)
                if isinstance(values, dict) and "value" in values:
                    return _Resolved(value=values["value"], has_value=True)
                return _Resolved()
            if node.type == "Reroute":
                current = node.inputs[0].source if node.inputs else None
                continue
            if node.type in VIRTUAL_NODE_TYPES:
                return _Resolved()
            if node.mode == MODE_BYPASSED:
                match = bypass_input_index(node, current[1], consumer_type)
                if match is None:
                    return _Resolved()  # nothing passes through: the input stays unset
                # Past a bypassed node the frontend matches against that node's input type.
                consumer_type = node.inputs[match].type
                current = node.inputs[match].source
                continue
            return _Resolved(link=current)
        self.problems.append(
            Problem(
                "cycle", "Reroute/bypass links form a loop; the affected input is left unconnected."
            )
        )
        return _Resolved()

    def widget_values(self, node: FlatNode) -> dict[str, Any]:
        spec = NODE_SPECS.get(node.type)
        if spec is not None:
            values, _defaulted = widgets_by_name(spec, node.widgets_values)
            return values
        widget_names = [slot.name for slot in node.inputs if slot.is_widget]
        mapped = custom_widgets_by_name(widget_names, node.widgets_values)
        if mapped is None:
            self.problems.append(
                Problem(
                    "custom_node_values_unmapped",
                    f"Node {node.id} ({node.type}) is not a ComfyUI core node; its widget values "
                    f"{describe_value(node.widgets_values)} cannot be mapped to input names "
                    "without its definition.",
                    node_id=node.id,
                    class_type=node.type,
                    field="widgets_values",
                )
            )
            self.unmapped.add(node.id)
            return {}
        return mapped

    def prompt_text(self, node: FlatNode, name: str, value: Any) -> Any:
        spec = NODE_SPECS.get(node.type)
        widget = spec.input(name) if spec is not None else None
        if widget is None or not widget.dynamic_prompts or not isinstance(value, str):
            return value
        text, exact = frontend_prompt_text(value)
        if not exact:
            self.problems.append(
                Problem(
                    "dynamic_prompt_unresolved",
                    f"Input {name!r} of node {node.id} ({node.type}) has {{a|b}} choices that the "
                    "frontend resolves at random when queueing; the chosen text is only known from "
                    "an image's 'prompt' metadata.",
                    node_id=node.id,
                    class_type=node.type,
                    field=name,
                )
            )
        return text

    def compile(self) -> dict[str, Any]:
        api: dict[str, Any] = {}
        for node in self.graph.nodes.values():
            if node.type in VIRTUAL_NODE_TYPES or node.mode in (MODE_MUTED, MODE_BYPASSED):
                continue
            inputs: dict[str, Any] = {}
            for name, value in self.widget_values(node).items():
                inputs[name] = _serialisable(self.prompt_text(node, name, value))
            spec = NODE_SPECS.get(node.type)
            controls = control_values(spec, node.widgets_values) if spec is not None else {}
            for slot in node.inputs:
                if slot.source is None:
                    continue
                resolved = self.resolve(slot.source, slot.type)
                controls.pop(slot.name, None)  # a link decides this input, not the widget
                if resolved.has_value:
                    inputs[slot.name] = _serialisable(
                        self.prompt_text(node, slot.name, resolved.value)
                    )
                    self.note_control(node, slot.name, resolved.control, resolved.value)
                elif resolved.link is not None:
                    inputs[slot.name] = [resolved.link[0], resolved.link[1]]
            for name, control in controls.items():
                self.note_control(node, name, control, inputs.get(name))
            entry: dict[str, Any] = {"inputs": inputs, "class_type": node.type}
            meta: dict[str, Any] = {"title": node.title} if node.title else {}
            if node.id in self.unmapped:
                # Kept for the record (ComfyUI ignores _meta): nothing else can hold them.
                meta["unmapped_widgets_values"] = node.widgets_values
            if meta:
                entry["_meta"] = meta
            api[node.id] = entry
        # Links into nodes that were not emitted (muted, bypassed without a match) vanish, and
        # with them the input — exactly what the frontend sends.
        for entry in api.values():
            for name in list(entry["inputs"]):
                value = entry["inputs"][name]
                if _is_compiled_link(value) and value[0] not in api:
                    del entry["inputs"][name]
        return api


def _is_compiled_link(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
    )


def compile_ui_report(ui: Any) -> CompiledWorkflow:
    """Compile and return the API graph with every problem noticed (custom nodes included).

    Raises :class:`WorkflowError` only when ``ui`` is not a UI workflow at all or exceeds a limit.
    """
    if not isinstance(ui, dict) or not isinstance(ui.get("nodes"), list):
        raise WorkflowError.single(
            "not_a_workflow",
            "A UI workflow must be an object with a 'nodes' list (and 'links'); "
            f"got {type(ui).__name__}{' without nodes' if isinstance(ui, dict) else ''}.",
            field="nodes",
        )
    check_json_shape(ui, where="The workflow")
    try:
        graph = flatten_ui(ui)
        compiler = _Compiler(graph)
        api = compiler.compile()
    except RecursionError:
        raise WorkflowError.single(
            "json_too_deep", "The workflow is nested too deeply to compile."
        ) from None
    return CompiledWorkflow(api=api, problems=compiler.problems, warnings=compiler.warnings)


def compile_ui(ui: dict[str, Any]) -> dict[str, Any]:
    """Compile a UI workflow to the API graph exactly as ComfyUI's frontend does.

    Custom (unknown) nodes compile through with what can be kept; structural damage (malformed
    nodes or links, duplicate ids, links to nowhere) raises :class:`WorkflowError`.
    """
    report = compile_ui_report(ui)
    structural = [problem for problem in report.problems if problem.code in STRUCTURAL_CODES]
    if structural:
        raise WorkflowError(structural)
    return report.api
