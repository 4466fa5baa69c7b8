"""The conformance helper itself must be able to fail."""

from __future__ import annotations

import copy
from typing import Any

from workflow_graph_compare import graph_difference

BASE: dict[str, Any] = {
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "cat", "clip": ["1", 1]}},
    "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "dog", "clip": ["1", 1]}},
    "4": {
        "class_type": "KSampler",
        "inputs": {"seed": 1, "model": ["1", 0], "positive": ["2", 0], "negative": ["3", 0]},
    },
}


def renumbered(graph: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    out = {}
    for node_id, node in graph.items():
        inputs = {
            name: [mapping[value[0]], value[1]] if isinstance(value, list) else value
            for name, value in node["inputs"].items()
        }
        out[mapping[node_id]] = {
            "class_type": node["class_type"],
            "inputs": inputs,
            "_meta": {"title": "x"},
        }
    return out


def test_identical_graphs_are_equivalent() -> None:
    assert graph_difference(BASE, copy.deepcopy(BASE)) is None


def test_renumbered_graph_is_equivalent() -> None:
    assert (
        graph_difference(BASE, renumbered(BASE, {"1": "10", "2": "30", "3": "20", "4": "5:1"}))
        is None
    )


def test_changed_value_is_a_difference() -> None:
    other = copy.deepcopy(BASE)
    other["4"]["inputs"]["seed"] = 2
    assert graph_difference(BASE, other) is not None


def test_swapped_links_are_a_difference() -> None:
    other = copy.deepcopy(BASE)
    other["4"]["inputs"]["positive"], other["4"]["inputs"]["negative"] = ["3", 0], ["2", 0]
    assert graph_difference(BASE, other) is not None


def test_other_output_slot_is_a_difference() -> None:
    other = copy.deepcopy(BASE)
    other["2"]["inputs"]["clip"] = ["1", 2]
    assert graph_difference(BASE, other) is not None


def test_extra_node_or_other_class_is_a_difference() -> None:
    extra = copy.deepcopy(BASE)
    extra["9"] = {"class_type": "PreviewImage", "inputs": {}}
    other_class = copy.deepcopy(BASE)
    other_class["1"]["class_type"] = "CheckpointLoader"
    assert graph_difference(BASE, extra) is not None
    assert graph_difference(BASE, other_class) is not None


def test_bool_and_int_are_not_confused() -> None:
    left = {"1": {"class_type": "X", "inputs": {"flag": True}}}
    right = {"1": {"class_type": "X", "inputs": {"flag": 1}}}
    assert graph_difference(left, right) is not None


def test_ignored_inputs_and_string_rule_are_honoured() -> None:
    other = copy.deepcopy(BASE)
    other["4"]["inputs"]["seed"] = 99
    other["2"]["inputs"]["text"] = "CAT"
    assert graph_difference(BASE, other, ignored_inputs={"4": {"seed"}}) is not None
    assert (
        graph_difference(
            BASE, other, ignored_inputs={"4": {"seed"}}, strings_equal=lambda a, b: a.upper() == b
        )
        is None
    )
