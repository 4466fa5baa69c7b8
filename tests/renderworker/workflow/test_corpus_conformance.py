"""Conformance: compiling each corpus UI workflow gives the graph the frontend queued."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from workflow_corpus import CORPUS, GENERATED, CorpusCase, load_cases
from workflow_graph_compare import graph_difference

from renderworker.workflow import NODE_SPECS, compile_ui, read_upload
from renderworker.workflow.compile_ui import compile_ui_report
from renderworker.workflow.prompt_text import text_is_resolution_of

CASES = load_cases()
IMAGE_CASES = [case for case in CASES if case.image_path is not None]
UI_CASES = [case for case in CASES if case.ui is not None]

REQUIRED_NODES = [
    "CheckpointLoaderSimple",
    "CheckpointLoader",
    "VAELoader",
    "LoraLoader",
    "LoraLoaderModelOnly",
    "CLIPSetLastLayer",
    "CLIPTextEncode",
    "CLIPTextEncodeSDXL",
    "ConditioningCombine",
    "ConditioningSetArea",
    "ConditioningZeroOut",
    "EmptyLatentImage",
    "KSampler",
    "KSamplerAdvanced",
    "SamplerCustom",
    "SamplerCustomAdvanced",
    "KSamplerSelect",
    "BasicScheduler",
    "KarrasScheduler",
    "RandomNoise",
    "CFGGuider",
    "BasicGuider",
    "VAEDecode",
    "VAEEncode",
    "VAEEncodeForInpaint",
    "SetLatentNoiseMask",
    "LatentUpscale",
    "LatentUpscaleBy",
    "LoadImage",
    "ImageScale",
    "ImageScaleBy",
    "UpscaleModelLoader",
    "ImageUpscaleWithModel",
    "ControlNetLoader",
    "ControlNetApply",
    "ControlNetApplyAdvanced",
    "SaveImage",
    "PreviewImage",
    "UNETLoader",
    "CLIPLoader",
    "DualCLIPLoader",
]
REQUIRED_TRAPS = [
    "control_after_generate",
    "converted_widget",
    "PrimitiveNode",
    "Reroute",
    "reroute_chain",
    "Note",
    "MarkdownNote",
    "muted",
    "bypassed",
    "subgraph",
    "group_node",
    "next_seed_trap",
    "dynamic_prompts",
    "prompt_comments",
    "ui_v1",
    "webp",
    "missing_trailing_widgets",
    "dict_widgets_values",
    "custom_node",
]


def _resolution_rule(compiled_text: str, expected_text: str) -> bool:
    return text_is_resolution_of(template_text=compiled_text, resolved_text=expected_text)


def _difference(
    case: CorpusCase, ui: dict, api: dict, *, honour_declared: bool = True
) -> str | None:
    compiled = compile_ui_report(ui).api
    return graph_difference(
        compiled,
        api,
        strings_equal=_resolution_rule,
        ignored_inputs=case.expected_differences if honour_declared else {},
    )


@pytest.mark.parametrize("case", IMAGE_CASES, ids=lambda case: case.name)
def test_compiled_workflow_chunk_equals_prompt_chunk_of_every_corpus_image(
    case: CorpusCase,
) -> None:
    assert case.image_path is not None
    source = read_upload(case.image_path.read_bytes(), filename=case.image_path.name)
    assert source.ui is not None and source.api is not None
    assert _difference(case, source.ui, source.api) is None


@pytest.mark.parametrize("case", UI_CASES, ids=lambda case: case.name)
def test_compiled_ui_json_equals_api_json_of_every_corpus_case(case: CorpusCase) -> None:
    assert case.ui is not None
    assert _difference(case, case.ui, case.api) is None


@pytest.mark.parametrize(
    "case", [case for case in UI_CASES if case.expected_differences], ids=lambda case: case.name
)
def test_declared_differences_are_real_differences(case: CorpusCase) -> None:
    # The next-seed trap and unmappable custom nodes must really differ, or the declaration
    # would hide a broken comparison.
    assert case.ui is not None
    assert _difference(case, case.ui, case.api, honour_declared=False) is not None


def test_corpus_holds_at_least_thirty_workflows_with_images_in_both_formats() -> None:
    assert len(CASES) >= 30
    suffixes = {case.image_path.suffix for case in IMAGE_CASES if case.image_path}
    assert suffixes == {".png", ".webp"}


def test_corpus_uses_every_required_core_node() -> None:
    used = {node["class_type"] for case in CASES for node in case.api.values()}
    used |= {node["type"] for case in UI_CASES for node in case.ui["nodes"]}  # type: ignore[index]
    assert sorted(set(REQUIRED_NODES) - used) == []
    assert set(REQUIRED_NODES) <= set(NODE_SPECS)


def test_corpus_exercises_every_ui_trap() -> None:
    features = {feature for case in CASES for feature in case.features}
    assert sorted(set(REQUIRED_TRAPS) - features) == []


def test_renumbered_prompt_still_matches_its_workflow() -> None:
    case = next(case for case in CASES if case.name == "renumbered_prompt")
    assert case.ui is not None
    assert set(case.api) != set(compile_ui(case.ui))
    assert _difference(case, case.ui, case.api) is None


def test_generator_reproduces_the_committed_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("kiln_corpus_generate", CORPUS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(sys, "path", list(sys.path))
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path)
    module.main()
    for committed in sorted(GENERATED.glob("*.json")):
        assert json.loads((tmp_path / committed.name).read_text()) == json.loads(
            committed.read_text()
        ), committed.name
    for committed in sorted([*GENERATED.glob("*.png"), *GENERATED.glob("*.webp")]):
        fresh = read_upload((tmp_path / committed.name).read_bytes())
        stored = read_upload(committed.read_bytes())
        assert (fresh.ui, fresh.api) == (stored.ui, stored.api), committed.name
