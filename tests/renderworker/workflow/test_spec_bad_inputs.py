"""SPEC §7, the bad inputs that reach this package: each gets its own specific problem code."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from upload_samples import API, png_with_text, raw_png, ztxt
from workflow_corpus import load_cases

from renderworker.workflow import (
    MAX_JSON_BYTES,
    WorkflowError,
    WorkflowSource,
    analyze,
    compile_ui,
    read_upload,
    validate_graph,
)

DEFAULT = next(case for case in load_cases() if case.name == "handwritten/comfy_default_sd15")


def upload_codes(data: bytes, filename: str = "") -> list[str]:
    with pytest.raises(WorkflowError) as caught:
        read_upload(data, filename=filename)
    return caught.value.codes


def graph_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    graph = json.loads(json.dumps(DEFAULT.api))
    change(graph)
    return graph


def analysis_codes(graph: dict[str, Any]) -> list[str]:
    return [problem.code for problem in analyze(WorkflowSource(api=graph)).problems]


def test_malformed_json() -> None:
    assert upload_codes(b'{"3": {"class_type": "KSampler",', "flow.json") == ["invalid_json"]


def test_huge_json() -> None:
    assert upload_codes(b"{" + b" " * MAX_JSON_BYTES + b"}", "flow.json") == ["json_too_large"]


def test_cycle() -> None:
    graph = graph_with(lambda g: g["3"]["inputs"].update(latent_image=["3", 0]))
    assert analysis_codes(graph) == ["cycle"]


def test_dangling_link_in_api_and_ui() -> None:
    graph = graph_with(lambda g: g["3"]["inputs"].update(model=["44", 0]))
    assert analysis_codes(graph) == ["dangling_link"]
    ui = json.loads(json.dumps(DEFAULT.ui))
    ui["links"] = [
        link for link in ui["links"] if link[0] != 1
    ]  # KSampler.model still names link 1
    with pytest.raises(WorkflowError) as caught:
        compile_ui(ui)
    assert caught.value.codes == ["dangling_link"]


def test_unknown_node_type() -> None:
    graph = graph_with(
        lambda g: g.update({"12": {"class_type": "UltimateSDUpscale", "inputs": {}}})
    )
    analysis = analyze(WorkflowSource(api=graph))
    assert [p.code for p in analysis.problems] == ["unknown_node_type"]
    assert [(u.node_id, u.class_type) for u in analysis.unsupported] == [
        ("12", "UltimateSDUpscale")
    ]


def test_png_bomb() -> None:
    assert upload_codes(raw_png(60_000, 60_000), "bomb.png") == ["image_too_large"]
    bomb = ztxt("workflow", b"{" + b" " * (30 * 1024 * 1024) + b"}")
    assert upload_codes(raw_png(8, 8, bomb), "bomb.png") == ["decompression_bomb"]


def test_file_that_is_not_what_its_extension_says() -> None:
    assert upload_codes(png_with_text({"prompt": json.dumps(API)}), "workflow.webp") == [
        "extension_mismatch"
    ]


def test_image_with_no_metadata() -> None:
    assert upload_codes(png_with_text({}), "render.png") == ["no_metadata"]


def test_unknown_sampler_and_scheduler_names() -> None:
    graph = graph_with(
        lambda g: g["3"]["inputs"].update(sampler_name="euler_a", scheduler="Karras")
    )
    assert validate_graph(graph)[0].code == "unknown_sampler"
    assert [p.code for p in validate_graph(graph)] == ["unknown_sampler", "unknown_scheduler"]
