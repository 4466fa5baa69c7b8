"""validate_graph: one structured problem per defect, all of them collected."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from renderworker.workflow import WorkflowError, validate_graph, validate_graph_or_raise

VALID: dict[str, Any] = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}},
    "5": {
        "class_type": "EmptyLatentImage",
        "inputs": {"width": 512, "height": 512, "batch_size": 1},
    },
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "cat", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
    "3": {
        "class_type": "KSampler",
        "inputs": {
            "seed": 2**64 - 1,
            "steps": 20,
            "cfg": 8,
            "sampler_name": "euler",
            "scheduler": "normal",
            "denoise": 1,
            "model": ["4", 0],
            "positive": ["6", 0],
            "negative": ["7", 0],
            "latent_image": ["5", 0],
        },
    },
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
}


def with_change(node_id: str, name: str, value: Any) -> dict[str, Any]:
    graph = copy.deepcopy(VALID)
    graph[node_id]["inputs"][name] = value
    return graph


def problems_of(graph: Any) -> list[tuple[str, str | None, str | None]]:
    return [(problem.code, problem.node_id, problem.field) for problem in validate_graph(graph)]


def test_valid_graph_has_no_problems() -> None:
    assert validate_graph(VALID) == []
    validate_graph_or_raise(VALID)


@pytest.mark.parametrize(
    ("node_id", "name", "value", "expected"),
    [
        ("3", "sampler_name", "euler_fast", ("unknown_sampler", "3", "sampler_name")),
        ("3", "scheduler", "Karras", ("unknown_scheduler", "3", "scheduler")),
        ("3", "steps", 0, ("value_out_of_range", "3", "steps")),
        ("3", "seed", 2**64, ("value_out_of_range", "3", "seed")),
        ("3", "cfg", "high", ("wrong_value_type", "3", "cfg")),
        ("3", "steps", 20.5, ("wrong_value_type", "3", "steps")),
        ("3", "denoise", True, ("wrong_value_type", "3", "denoise")),
        ("5", "width", 8, ("value_out_of_range", "5", "width")),
        ("3", "model", ["4", 1], ("wrong_link_type", "3", "model")),
        ("3", "model", ["40", 0], ("dangling_link", "3", "model")),
        ("3", "model", ["4", 7], ("bad_output_slot", "3", "model")),
        ("3", "model", [4, 0], ("bad_link_shape", "3", "model")),
        ("3", "model", ["4", 0, 1], ("bad_link_shape", "3", "model")),
        ("3", "model", "4", ("wrong_value_type", "3", "model")),
        ("4", "ckpt_name", "", ("value_not_in_choices", "4", "ckpt_name")),
        ("6", "text", {"__value__": ["a"]}, ("wrong_value_type", "6", "text")),
    ],
)
def test_each_defect_gets_its_code_node_and_field(
    node_id: str, name: str, value: Any, expected: tuple[str, str, str]
) -> None:
    assert problems_of(with_change(node_id, name, value)) == [expected]


def test_unknown_sampler_message_lists_what_is_accepted() -> None:
    (problem,) = validate_graph(with_change("3", "sampler_name", "euler_fast"))
    assert (
        "'euler_fast'" in problem.message
        and "dpmpp_2m" in problem.message
        and problem.class_type == "KSampler"
    )


def test_missing_required_input() -> None:
    graph = copy.deepcopy(VALID)
    del graph["3"]["inputs"]["latent_image"]
    assert problems_of(graph) == [("missing_required_input", "3", "latent_image")]


def test_optional_input_may_be_absent() -> None:
    graph = copy.deepcopy(VALID)
    graph["10"] = {"class_type": "ControlNetLoader", "inputs": {"control_net_name": "c.pth"}}
    graph["11"] = {"class_type": "LoadImage", "inputs": {"image": "a.png"}}
    graph["12"] = {
        "class_type": "ControlNetApplyAdvanced",
        "inputs": {
            "positive": ["6", 0],
            "negative": ["7", 0],
            "control_net": ["10", 0],
            "image": ["11", 0],
            "strength": 1.0,
            "start_percent": 0.0,
            "end_percent": 1.0,
        },
    }
    assert validate_graph(graph) == []


def test_unknown_node_type() -> None:
    graph = copy.deepcopy(VALID)
    graph["20"] = {"class_type": "FaceDetailer", "inputs": {"image": ["8", 0]}}
    assert problems_of(graph) == [("unknown_node_type", "20", None)]


def test_cycle_is_found_and_named() -> None:
    graph = with_change("3", "latent_image", ["10", 0])
    graph["10"] = {
        "class_type": "LatentUpscaleBy",
        "inputs": {"samples": ["3", 0], "upscale_method": "area", "scale_by": 1.5},
    }
    (problem,) = validate_graph(graph)
    assert problem.code == "cycle" and "3" in problem.message and "10" in problem.message


def test_no_output_node() -> None:
    graph = copy.deepcopy(VALID)
    del graph["9"]
    assert problems_of(graph) == [("no_output_node", None, None)]


def test_all_problems_are_collected_not_just_the_first() -> None:
    graph = with_change("3", "sampler_name", "nope")
    graph["3"]["inputs"]["scheduler"] = "nope"
    graph["5"]["inputs"]["batch_size"] = 0
    assert sorted(problems_of(graph)) == [
        ("unknown_sampler", "3", "sampler_name"),
        ("unknown_scheduler", "3", "scheduler"),
        ("value_out_of_range", "5", "batch_size"),
    ]


@pytest.mark.parametrize(
    ("graph", "code"),
    [
        ([], "graph_not_object"),
        ("x", "graph_not_object"),
        ({}, "empty_workflow"),
        ({"1": 5}, "bad_node_shape"),
        ({"1": {"inputs": {}}}, "bad_node_shape"),
        ({"1": {"class_type": "VAEDecode", "inputs": []}}, "bad_node_shape"),
    ],
)
def test_malformed_graphs(graph: Any, code: str) -> None:
    assert code in [problem.code for problem in validate_graph(graph)]


def test_validate_or_raise_carries_every_problem() -> None:
    graph = with_change("3", "sampler_name", "nope")
    graph["3"]["inputs"]["scheduler"] = "nope"
    with pytest.raises(WorkflowError) as caught:
        validate_graph_or_raise(graph)
    assert caught.value.codes == ["unknown_sampler", "unknown_scheduler"]


def test_problem_as_dict_is_plain() -> None:
    (problem,) = validate_graph(with_change("3", "steps", 0))
    assert problem.as_dict() == {
        "code": "value_out_of_range",
        "message": problem.message,
        "node_id": "3",
        "class_type": "KSampler",
        "field": "steps",
    }
