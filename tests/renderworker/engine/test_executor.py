from __future__ import annotations

from typing import Any

import pytest
from conftest import RenderFunction, txt2img_graph

import renderworker.engine.resources as resources_module
from renderworker.engine.errors import GraphInvalidError, UnsupportedNodesError
from renderworker.engine.executor import plan_graph
from renderworker.engine.nodes.spec import ProgressEvent
from renderworker.engine.sampling_api import RenderCancelled


def test_unsupported_nodes_are_all_listed_before_any_model_loads(
    render: RenderFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Any] = []
    monkeypatch.setattr(resources_module, "load_checkpoint", lambda **kwargs: loads.append(kwargs))
    graph = txt2img_graph()
    graph["40"] = {
        "class_type": "FluxGuidance",
        "inputs": {"conditioning": ["6", 0], "guidance": 3.5},
    }
    graph["41"] = {"class_type": "IPAdapterApply", "inputs": {}}
    with pytest.raises(UnsupportedNodesError) as raised:
        render(graph)
    assert [(node_id, class_type) for node_id, class_type, _ in raised.value.problems] == [
        ("40", "FluxGuidance"),
        ("41", "IPAdapterApply"),
    ]
    assert loads == []


def test_missing_input_bad_link_and_wrong_type_are_reported_together() -> None:
    graph = txt2img_graph()
    del graph["3"]["inputs"]["steps"]
    graph["6"]["inputs"]["clip"] = ["99", 0]
    graph["8"]["inputs"]["vae"] = ["4", 0]
    graph["5"]["inputs"]["width"] = "wide"
    with pytest.raises(GraphInvalidError) as raised:
        plan_graph(graph=graph)
    reasons = {(node_id, reason) for node_id, _, reason in raised.value.problems}
    assert ("3", "required input 'steps' is missing") in reasons
    assert ("6", "input 'clip' links to node '99', which is not in the graph") in reasons
    assert ("8", "input 'vae' expects VAE but node 4 output 0 is MODEL") in reasons
    assert any(
        node_id == "5" and "'width'" in reason and "expected an integer" in reason
        for node_id, reason in reasons
    )


def test_widget_ranges_are_checked() -> None:
    graph = txt2img_graph()
    graph["3"]["inputs"]["denoise"] = 1.5
    with pytest.raises(
        GraphInvalidError, match=r"'denoise': got 1.5, expected a value in 0.0..1.0"
    ):
        plan_graph(graph=graph)


def test_graph_without_output_node_is_refused() -> None:
    graph = txt2img_graph()
    del graph["9"]
    with pytest.raises(GraphInvalidError, match="no output node"):
        plan_graph(graph=graph)


def test_cycle_is_refused() -> None:
    graph = txt2img_graph()
    graph["3"]["inputs"]["latent_image"] = ["3", 0]
    with pytest.raises(GraphInvalidError, match="cycle"):
        plan_graph(graph=graph)


def test_only_nodes_the_outputs_need_are_planned_in_dependency_order() -> None:
    graph = txt2img_graph()
    graph["50"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "unused", "clip": ["4", 1]}}
    order = [node.node_id for node in plan_graph(graph=graph).order]
    assert "50" not in order
    assert set(order) == {"3", "4", "5", "6", "7", "8", "9"}
    assert (
        order.index("4") < order.index("6") < order.index("3") < order.index("8") < order.index("9")
    )


def test_literal_lists_are_unwrapped_from_value_objects() -> None:
    graph = txt2img_graph()
    graph["6"]["inputs"]["text"] = {"__value__": "a cat"}
    node = next(node for node in plan_graph(graph=graph).order if node.node_id == "6")
    assert node.literals["text"] == "a cat"


def test_progress_reports_each_sampler_step_and_timings_cover_each_node(
    render: RenderFunction,
) -> None:
    events: list[ProgressEvent] = []
    result = render(txt2img_graph(steps=3), on_progress=events.append)
    steps = [
        (event.node_id, event.class_type, event.step, event.total)
        for event in events
        if event.total
    ]
    assert steps == [("3", "KSampler", 1, 3), ("3", "KSampler", 2, 3), ("3", "KSampler", 3, 3)]
    assert [timing.node_id for timing in result.timings] == ["4", "6", "7", "5", "3", "8", "9"]
    assert all(timing.seconds >= 0 and timing.peak_memory_bytes > 0 for timing in result.timings)
    assert result.environment["behaviour_version"].startswith("comfy-0.3.6x")


def test_cancellation_stops_the_sampler_mid_run(render: RenderFunction) -> None:
    events: list[ProgressEvent] = []

    def should_cancel() -> bool:
        return any(event.step == 1 and event.total for event in events)

    with pytest.raises(RenderCancelled) as raised:
        render(txt2img_graph(steps=3), on_progress=events.append, should_cancel=should_cancel)
    assert raised.value.completed_steps == 1
    assert max(event.step for event in events) == 1


def test_missing_model_file_names_the_file(render: RenderFunction) -> None:
    from renderworker.engine.errors import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError, match=r"'nope.safetensors' not found"):
        render(txt2img_graph(checkpoint="nope.safetensors"))


def test_missing_files_are_all_listed_before_any_model_loads(
    render: RenderFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    from renderworker.engine.errors import MissingResourcesError

    loads: list[Any] = []
    monkeypatch.setattr(resources_module, "load_checkpoint", lambda **kwargs: loads.append(kwargs))
    graph = txt2img_graph(checkpoint="nope.safetensors")
    graph["10"] = {
        "class_type": "LoraLoader",
        "inputs": {
            "model": ["4", 0],
            "clip": ["4", 1],
            "lora_name": "gone.safetensors",
            "strength_model": 1.0,
            "strength_clip": 1.0,
        },
    }
    graph["3"]["inputs"]["model"] = ["10", 0]
    with pytest.raises(MissingResourcesError) as raised:
        render(graph)
    assert [(node_id, class_type) for node_id, class_type, _ in raised.value.problems] == [
        ("4", "CheckpointLoaderSimple"),
        ("10", "LoraLoader"),
    ]
    assert loads == []
