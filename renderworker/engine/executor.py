"""Run a ComfyUI API graph: validate everything first, then evaluate what the outputs need."""

from __future__ import annotations

import re
import resource
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from renderworker.engine.errors import (
    GraphInvalidError,
    MissingResourcesError,
    NodeInputError,
    ResourceNotFoundError,
    UnsupportedNodesError,
)
from renderworker.engine.nodes import NODES, NodeSpec
from renderworker.engine.nodes.spec import OutputImage, ProgressEvent, RunState, coerce_widget
from renderworker.engine.precision import (
    PrecisionProfile,
    apply_deterministic_settings,
    environment_report,
)
from renderworker.engine.resources import Resources
from renderworker.engine.sampling_api import RenderCancelled

Problem = tuple[str, str, str]  # (node id, class_type, reason)


@dataclass(frozen=True)
class Link:
    source: str
    index: int


@dataclass(frozen=True)
class PlannedNode:
    node_id: str
    spec: NodeSpec
    literals: dict[str, Any]
    links: dict[str, Link]


@dataclass(frozen=True)
class GraphPlan:
    order: tuple[PlannedNode, ...]  # dependency order, only what output nodes need
    output_ids: tuple[str, ...]


@dataclass
class NodeTiming:
    node_id: str
    class_type: str
    seconds: float
    peak_memory_bytes: int  # CUDA peak allocated during the node, or process peak RSS on CPU


@dataclass
class RenderResult:
    images: list[OutputImage]
    timings: list[NodeTiming]
    warnings: list[str]
    environment: dict[str, str]
    loaded_files: dict[str, str] = field(default_factory=dict)


def _natural(node_id: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", node_id))


def _is_link(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], (str, int))
        and not isinstance(value[0], bool)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    )


def plan_graph(*, graph: Mapping[str, Any]) -> GraphPlan:
    """Check the whole graph before compute; return the evaluation order.

    Raises UnsupportedNodesError listing every node without an implementation, and
    GraphInvalidError listing every missing input, bad link, wrong type or bad widget value.
    """
    if not isinstance(graph, Mapping) or not graph:
        raise GraphInvalidError(
            problems=[("-", "-", "the graph must be a non-empty object of nodes")]
        )
    unsupported: list[Problem] = []
    invalid: list[Problem] = []
    planned: dict[str, PlannedNode] = {}
    for raw_id, node in graph.items():
        node_id = str(raw_id)
        if not isinstance(node, Mapping) or not isinstance(node.get("class_type"), str):
            invalid.append((node_id, "?", "not an object with a string class_type"))
            continue
        class_type = node["class_type"]
        spec = NODES.get(class_type)
        if spec is None:
            unsupported.append(
                (
                    node_id,
                    class_type,
                    "no implementation in Kiln (custom node or unsupported core node)",
                )
            )
            continue
        inputs = node.get("inputs", {})
        if not isinstance(inputs, Mapping):
            invalid.append((node_id, class_type, "inputs is not an object"))
            continue
        literals: dict[str, Any] = {}
        links: dict[str, Link] = {}
        for name, input_spec in spec.inputs.items():
            if name not in inputs:
                if input_spec.optional:
                    continue
                invalid.append((node_id, class_type, f"required input {name!r} is missing"))
                continue
            value = inputs[name]
            if isinstance(value, Mapping) and "__value__" in value:
                value = value["__value__"]
            elif _is_link(value):
                links[name] = Link(str(value[0]), int(value[1]))
                continue
            if not input_spec.is_widget:
                invalid.append(
                    (
                        node_id,
                        class_type,
                        f"input {name!r} must be a link to a {input_spec.kind} output, got {value!r}",
                    )
                )
                continue
            try:
                literals[name] = coerce_widget(
                    node_id=node_id, class_type=class_type, name=name, spec=input_spec, value=value
                )
            except NodeInputError as error:
                invalid.append((node_id, class_type, str(error)))
        planned[node_id] = PlannedNode(node_id, spec, literals, links)
    if unsupported:
        raise UnsupportedNodesError(problems=unsupported)
    for node in planned.values():
        for name, link in node.links.items():
            source = planned.get(link.source)
            expected = node.spec.inputs[name].kind
            if source is None:
                invalid.append(
                    (
                        node.node_id,
                        node.spec.class_type,
                        f"input {name!r} links to node {link.source!r}, which is not in the graph",
                    )
                )
            elif not 0 <= link.index < len(source.spec.outputs):
                invalid.append(
                    (
                        node.node_id,
                        node.spec.class_type,
                        f"input {name!r} links to output {link.index} of node {link.source}, which has {len(source.spec.outputs)} outputs",
                    )
                )
            elif source.spec.outputs[link.index] != expected:
                invalid.append(
                    (
                        node.node_id,
                        node.spec.class_type,
                        f"input {name!r} expects {expected} but node {link.source} output {link.index} is {source.spec.outputs[link.index]}",
                    )
                )
    output_ids = sorted(
        (node_id for node_id, node in planned.items() if node.spec.is_output), key=_natural
    )
    if not output_ids:
        invalid.append(("-", "-", "the graph has no output node (SaveImage or PreviewImage)"))
    if invalid:
        raise GraphInvalidError(problems=invalid)
    order: list[PlannedNode] = []
    state: dict[str, str] = {}

    def visit(node_id: str) -> None:
        mark = state.get(node_id)
        if mark == "done":
            return
        if mark == "active":
            raise GraphInvalidError(
                problems=[(node_id, planned[node_id].spec.class_type, "is part of a cycle")]
            )
        state[node_id] = "active"
        node = planned[node_id]
        for name in node.spec.inputs:
            if name in node.links:
                visit(node.links[name].source)
        state[node_id] = "done"
        order.append(node)

    for output_id in output_ids:
        visit(output_id)
    return GraphPlan(order=tuple(order), output_ids=tuple(output_ids))


# Which literal inputs name a file the job must provide: (class_type, input) → resource kind.
RESOURCE_INPUTS = {
    ("CheckpointLoaderSimple", "ckpt_name"): "checkpoint",
    ("VAELoader", "vae_name"): "vae",
    ("LoraLoader", "lora_name"): "lora",
    ("LoraLoaderModelOnly", "lora_name"): "lora",
    ("LoadImage", "image"): "image",
}


def check_resources(*, plan: GraphPlan, resources: Resources) -> None:
    """Fail before any compute when a planned node names a file the job lacks (all listed)."""
    missing: list[Problem] = []
    for node in plan.order:
        for name, value in node.literals.items():
            kind = RESOURCE_INPUTS.get((node.spec.class_type, name))
            if kind is None:
                continue
            try:
                if kind == "image":
                    resources.image(name=value)
                else:
                    resources.find(name=value, kind=kind)
            except ResourceNotFoundError as error:
                missing.append((node.node_id, node.spec.class_type, str(error)))
    if missing:
        raise MissingResourcesError(problems=missing)


def _peak_memory(profile: PrecisionProfile) -> int:
    if profile.device.type == "cuda":
        return int(torch.cuda.max_memory_allocated(profile.device))
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def render_graph(
    *,
    graph: Mapping[str, Any],
    resources: Resources,
    profile: PrecisionProfile,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    """Validate and run ``graph``; return the output images with per-node timings.

    ``on_progress`` receives (node id, class_type, step k, of n) for sampler steps and
    (k=0, n=0) when a node starts. ``should_cancel`` is polled between nodes and sampler
    steps; True raises RenderCancelled.
    """
    plan = plan_graph(graph=graph)
    check_resources(plan=plan, resources=resources)
    apply_deterministic_settings()
    state = RunState(
        resources=resources, profile=profile, on_progress=on_progress, should_cancel=should_cancel
    )
    values: dict[str, tuple[Any, ...]] = {}
    timings: list[NodeTiming] = []
    with torch.inference_mode():
        for node in plan.order:
            if should_cancel is not None and should_cancel():
                raise RenderCancelled(completed_steps=len(timings), total_steps=len(plan.order))
            state.node_id, state.class_type = node.node_id, node.spec.class_type
            state.step(0, 0)
            arguments = dict(node.literals)
            for name, link in node.links.items():
                arguments[name] = values[link.source][link.index]
            if profile.device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(profile.device)
                torch.cuda.synchronize(profile.device)
            started = time.perf_counter()
            values[node.node_id] = node.spec.run(state, **arguments)
            if profile.device.type == "cuda":
                torch.cuda.synchronize(profile.device)
            timings.append(
                NodeTiming(
                    node.node_id,
                    node.spec.class_type,
                    time.perf_counter() - started,
                    _peak_memory(profile),
                )
            )
    return RenderResult(
        images=state.images,
        timings=timings,
        warnings=state.warnings,
        environment=environment_report(profile=profile),
        loaded_files=dict(resources.loaded_files),
    )
