"""Validating an API graph before any GPU time: every problem collected, none fatal to the scan."""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from .json_text import check_json_shape
from .limits import MAX_NODES, MAX_STRING_LENGTH
from .problems import Problem, WorkflowError, describe_value
from .specs import NODE_SPECS, InputSpec, NodeSpec

_MAX_REPORTED = 500


def is_link(value: Any) -> TypeGuard[list[Any]]:
    """ComfyUI's link shape: ``[source_id: str, output_index: int]``."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    )


def validate_graph(api: Any) -> list[Problem]:
    """Check an API graph against the node specs; returns every problem found (empty if valid).

    Checks: graph and node shapes, unknown node types, missing required inputs, link shape,
    dangling links and bad output slots, link type mismatches, cycles, value types and ranges,
    COMBO values (sampler and scheduler names included), and that something produces output.
    """
    problems: list[Problem] = []
    if not isinstance(api, dict):
        return [
            Problem(
                "graph_not_object",
                "The API graph must be a JSON object of nodes keyed by id; got "
                f"{type(api).__name__}.",
            )
        ]
    if not api:
        return [Problem("empty_workflow", "The graph has no nodes.")]
    try:
        check_json_shape(api, where="The graph")
    except WorkflowError as error:
        return list(error.problems)
    if len(api) > MAX_NODES:
        return [
            Problem(
                "too_many_nodes",
                f"The graph has {len(api):,} nodes; at most {MAX_NODES:,} are accepted.",
            )
        ]
    nodes: dict[str, dict[str, Any]] = {}
    for node_id, node in api.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            problems.append(
                Problem(
                    "bad_node_shape",
                    f"Node {node_id!s:.40} must be an object with a string 'class_type' and an "
                    "'inputs' object.",
                    node_id=str(node_id),
                )
            )
            continue
        if not isinstance(node.get("inputs", {}), dict):
            problems.append(
                Problem(
                    "bad_node_shape",
                    f"Node {node_id} ({node['class_type']:.60}): 'inputs' must be an object.",
                    node_id=str(node_id),
                    class_type=node["class_type"],
                    field="inputs",
                )
            )
            continue
        nodes[str(node_id)] = node
    edges: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    has_output = False
    for node_id, node in nodes.items():
        class_type = node["class_type"]
        spec = NODE_SPECS.get(class_type)
        inputs = node.get("inputs", {})
        if spec is None:
            problems.append(
                Problem(
                    "unknown_node_type",
                    f"Node {node_id} has class_type {describe_value(class_type)}, which is not a "
                    "ComfyUI core node (a custom node?).",
                    node_id=node_id,
                    class_type=class_type,
                )
            )
        elif spec.is_output_node:
            has_output = True
        for name, value in inputs.items():
            if isinstance(value, list):
                if not is_link(value):
                    problems.append(
                        Problem(
                            "bad_link_shape",
                            f"Input {name!r} of node {node_id} is {describe_value(value)}; a link "
                            'must be ["<node id>", <output index>] and a literal list must be '
                            f'wrapped as {{"__value__": [...]}}.',
                            node_id=node_id,
                            class_type=class_type,
                            field=str(name),
                        )
                    )
                    continue
                problems.extend(_check_link(nodes, node_id, class_type, spec, str(name), value))
                if value[0] in nodes:
                    edges[node_id].append(value[0])
            elif spec is not None:
                input_spec = spec.input(str(name))
                if input_spec is not None:
                    problems.extend(_check_value(node_id, class_type, input_spec, value))
        if spec is not None:
            for input_spec in spec.inputs:
                if input_spec.required and input_spec.name not in inputs:
                    problems.append(
                        Problem(
                            "missing_required_input",
                            f"Node {node_id} ({class_type}) has no value or link for required "
                            f"input {input_spec.name!r} ({input_spec.type}).",
                            node_id=node_id,
                            class_type=class_type,
                            field=input_spec.name,
                        )
                    )
        if len(problems) > _MAX_REPORTED:
            break
    problems.extend(_find_cycles(edges, nodes))
    if not has_output and not any(p.code == "unknown_node_type" for p in problems):
        problems.append(
            Problem(
                "no_output_node",
                "The graph has no output node (SaveImage or PreviewImage); nothing would be "
                "rendered.",
            )
        )
    return problems[:_MAX_REPORTED]


def validate_graph_or_raise(api: Any) -> None:
    """Raise :class:`WorkflowError` carrying every problem if the graph is not valid."""
    problems = validate_graph(api)
    if problems:
        raise WorkflowError(problems)


def _check_link(
    nodes: dict[str, dict[str, Any]],
    node_id: str,
    class_type: str,
    spec: NodeSpec | None,
    name: str,
    value: list[Any],
) -> list[Problem]:
    source_id, slot = value
    source = nodes.get(source_id)
    if source is None:
        return [
            Problem(
                "dangling_link",
                f"Input {name!r} of node {node_id} links to node {describe_value(source_id)}, "
                "which is not in the graph.",
                node_id=node_id,
                class_type=class_type,
                field=name,
            )
        ]
    source_spec = NODE_SPECS.get(source["class_type"])
    if source_spec is None:
        return []
    if not 0 <= slot < len(source_spec.outputs):
        return [
            Problem(
                "bad_output_slot",
                f"Input {name!r} of node {node_id} links to output {slot} of node {source_id} "
                f"({source['class_type']}), which has outputs 0..{len(source_spec.outputs) - 1}.",
                node_id=node_id,
                class_type=class_type,
                field=name,
            )
        ]
    input_spec = spec.input(name) if spec is not None else None
    if input_spec is None:
        return []
    output_type = source_spec.outputs[slot].type
    if output_type == input_spec.type or "*" in (output_type, input_spec.type):
        return []
    if input_spec.type == "COMBO" and output_type in ("COMBO", "STRING"):
        return []
    return [
        Problem(
            "wrong_link_type",
            f"Input {name!r} of node {node_id} ({class_type}) expects {input_spec.type} but is "
            f"linked to output {slot} of node {source_id} ({source['class_type']}), which gives "
            f"{output_type}.",
            node_id=node_id,
            class_type=class_type,
            field=name,
        )
    ]


def _check_value(node_id: str, class_type: str, spec: InputSpec, value: Any) -> list[Problem]:
    def problem(code: str, message: str) -> list[Problem]:
        return [Problem(code, message, node_id=node_id, class_type=class_type, field=spec.name)]

    where = f"Input {spec.name!r} of node {node_id} ({class_type})"
    if not spec.is_widget:
        return problem(
            "wrong_value_type",
            f"{where} must be linked to a {spec.type} output, not given the value "
            f"{describe_value(value)}.",
        )
    if spec.type in ("INT", "FLOAT"):
        number_ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if spec.type == "INT" and isinstance(value, float) and not value.is_integer():
            number_ok = False
        if not number_ok or (isinstance(value, float) and not math.isfinite(value)):
            return problem(
                "wrong_value_type",
                f"{where} must be {'an integer' if spec.type == 'INT' else 'a number'}; got "
                f"{describe_value(value)}.",
            )
        if (spec.min is not None and value < spec.min) or (
            spec.max is not None and value > spec.max
        ):
            return problem(
                "value_out_of_range",
                f"{where} is {value!r}; accepted range is {spec.min} to {spec.max}.",
            )
        return []
    if spec.type == "BOOLEAN":
        return (
            []
            if isinstance(value, bool)
            else problem(
                "wrong_value_type", f"{where} must be true or false; got {describe_value(value)}."
            )
        )
    if not isinstance(value, str):
        return problem(
            "wrong_value_type", f"{where} must be a string; got {describe_value(value)}."
        )
    if len(value) > MAX_STRING_LENGTH:
        return problem(
            "string_too_long",
            f"{where} has {len(value):,} characters; at most {MAX_STRING_LENGTH:,} are accepted.",
        )
    if spec.type == "COMBO":
        if spec.model_folder is not None:
            return (
                []
                if value.strip()
                else problem(
                    "value_not_in_choices",
                    f"{where} names no file; choose a file from the {spec.model_folder} folder.",
                )
            )
        if spec.choices is not None and value not in spec.choices and not spec.choices_are_open:
            code = {"sampler_name": "unknown_sampler", "scheduler": "unknown_scheduler"}.get(
                spec.name, "value_not_in_choices"
            )
            shown = ", ".join(spec.choices)
            return problem(
                code,
                f"{where} is {describe_value(value)}, which is not accepted; choose one of: "
                f"{shown}.",
            )
    return []


def _find_cycles(edges: dict[str, list[str]], nodes: dict[str, dict[str, Any]]) -> list[Problem]:
    """Iterative three-colour DFS (no recursion limit with thousands of nodes)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    problems: list[Problem] = []
    for start in edges:
        if colour[start] != white:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        colour[start] = grey
        path.append(start)
        while stack:
            node_id, index = stack[-1]
            targets = edges[node_id]
            if index < len(targets):
                stack[-1] = (node_id, index + 1)
                target = targets[index]
                if colour[target] == grey:
                    cycle = [*path[path.index(target) :], target]
                    problems.append(
                        Problem(
                            "cycle",
                            f"Nodes form a cycle: {' → '.join(cycle[:12])}; a graph must not feed "
                            "a node its own output.",
                            node_id=target,
                            class_type=nodes[target]["class_type"],
                        )
                    )
                elif colour[target] == white:
                    colour[target] = grey
                    path.append(target)
                    stack.append((target, 0))
            else:
                colour[node_id] = black
                path.pop()
                stack.pop()
    return problems
