"""Property-based robustness: hostile input never raises anything but WorkflowError."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from upload_samples import comfy_webp_exif, png_with_text, webp_with_exif
from workflow_corpus import load_cases

from renderworker.workflow import (
    WorkflowError,
    WorkflowSource,
    analyze,
    compile_ui,
    read_upload,
    validate_graph,
)
from renderworker.workflow.compile_ui import compile_ui_report

CASES = load_cases()
UIS = [case.ui for case in CASES if case.ui is not None]
APIS = [case.api for case in CASES]
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
# Values that break assumptions about shape: wrong types, huge numbers, links to nowhere.
nasty_values = st.one_of(
    json_values,
    st.just(2**64),
    st.just(-1),
    st.just(10**30),
    st.just(["999", 0]),
    st.just([1, 2, 3]),
    st.just({"__value__": [1]}),
    st.just({"name": 5}),
    st.just([["x"]]),
    st.just("workflow>missing"),
)


@st.composite
def mutated(draw: st.DrawFn, documents: list[dict[str, Any]]) -> Any:
    """A corpus document with random deletions, replacements and insertions at any depth.

    Inserted values are copied: ``st.just`` hands out one shared object, which later
    mutations would otherwise change for every following example.
    """
    document = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        containers: list[Any] = []
        stack = [document]
        while stack:
            item = stack.pop()
            if isinstance(item, (dict, list)):
                containers.append(item)
                stack.extend(item.values() if isinstance(item, dict) else item)
        target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        if isinstance(target, dict) and target:
            key = draw(st.sampled_from(sorted(target, key=str)))
            if action == "delete":
                del target[key]
            else:
                new_key = key if action == "replace" else draw(st.text(max_size=6))
                target[new_key] = copy.deepcopy(draw(nasty_values))
        elif isinstance(target, list) and target:
            index = draw(st.integers(min_value=0, max_value=len(target) - 1))
            if action == "delete":
                del target[index]
            elif action == "replace":
                target[index] = copy.deepcopy(draw(nasty_values))
            else:
                target.insert(index, copy.deepcopy(draw(nasty_values)))
    return document


def only_workflow_errors(function: Any, *args: Any, **kwargs: Any) -> None:
    try:
        function(*args, **kwargs)
    except WorkflowError as error:
        assert error.problems and all(
            problem.code and problem.message for problem in error.problems
        )


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["", "a.json", "a.png", "a.webp", "a.jpg", "x"]))
def test_random_bytes_into_read_upload(data: bytes, filename: str) -> None:
    only_workflow_errors(read_upload, data, filename=filename)


@PROPERTY_SETTINGS
@given(
    st.sampled_from(
        [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe1", b"RIFF\x00\x00\x00\x00WEBP", b'{"nodes": ']
    ),
    st.binary(max_size=3000),
)
def test_random_bytes_behind_real_magic_numbers(magic: bytes, tail: bytes) -> None:
    only_workflow_errors(read_upload, magic + tail)


@PROPERTY_SETTINGS
@given(st.data())
def test_corrupted_real_images(data: st.DataObject) -> None:
    image = bytearray(
        data.draw(
            st.sampled_from(
                [
                    png_with_text({"prompt": json.dumps(APIS[0]), "workflow": json.dumps(UIS[0])}),
                    png_with_text({"prompt": json.dumps(APIS[1])}, compressed=True),
                    webp_with_exif(comfy_webp_exif(APIS[2], UIS[2])),
                ]
            )
        )
    )
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(image) - 1))
        image[position] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=1, max_value=len(image)))
    only_workflow_errors(read_upload, bytes(image[:cut]))


@PROPERTY_SETTINGS
@given(mutated(UIS))
def test_mutated_ui_workflows_into_compile_and_analyze(ui: Any) -> None:
    only_workflow_errors(compile_ui, ui)
    only_workflow_errors(analyze, WorkflowSource(ui=ui))
    only_workflow_errors(read_upload, json.dumps(ui).encode())


@PROPERTY_SETTINGS
@given(mutated(APIS))
def test_mutated_api_graphs_into_validate_and_analyze(api: Any) -> None:
    problems = validate_graph(api)
    assert all(problem.code for problem in problems)
    try:
        result = analyze(WorkflowSource(api=api))
    except WorkflowError as error:
        assert error.problems
    else:
        json.dumps(result.as_dict())
        json.dumps(result.public_summary())


@PROPERTY_SETTINGS
@given(json_values)
def test_arbitrary_json_everywhere(value: Any) -> None:
    only_workflow_errors(compile_ui, value)
    validate_graph(value)
    only_workflow_errors(analyze, WorkflowSource(api=value if isinstance(value, dict) else None))
    only_workflow_errors(read_upload, json.dumps(value).encode())


@PROPERTY_SETTINGS
@given(st.sampled_from(APIS), st.integers(min_value=0, max_value=50))
def test_cycles_are_reported_not_looped_on(api: dict[str, Any], pick: int) -> None:
    graph = copy.deepcopy(api)
    ids = sorted(graph)
    first, second = ids[pick % len(ids)], ids[(pick * 7 + 1) % len(ids)]
    graph[first]["inputs"]["loop_in"] = [second, 0]
    graph[second]["inputs"]["loop_back"] = [first, 0]
    codes = [problem.code for problem in validate_graph(graph)]
    assert "cycle" in codes
    only_workflow_errors(analyze, WorkflowSource(api=graph))


def test_deeply_nested_structures_in_ui_do_not_crash() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    ui = copy.deepcopy(UIS[0])
    ui["nodes"][0]["widgets_values"] = deep
    for function, argument in ((compile_ui, ui), (analyze, WorkflowSource(ui=ui))):
        with pytest.raises(WorkflowError) as caught:
            function(argument)
        assert caught.value.codes == ["json_too_deep"]
    assert [p.code for p in validate_graph({"1": {"class_type": "X", "inputs": {"a": deep}}})] == [
        "json_too_deep"
    ]


def test_reroute_and_subgraph_loops_terminate() -> None:
    ui = {
        "nodes": [
            {
                "id": 1,
                "type": "Reroute",
                "inputs": [{"name": "", "type": "*", "link": 2}],
                "outputs": [{"type": "*"}],
            },
            {
                "id": 2,
                "type": "Reroute",
                "inputs": [{"name": "", "type": "*", "link": 1}],
                "outputs": [{"type": "*"}],
            },
            {
                "id": 3,
                "type": "VAEDecode",
                "inputs": [{"name": "samples", "type": "LATENT", "link": 3}],
            },
        ],
        "links": [[1, 1, 0, 2, 0, "*"], [2, 2, 0, 1, 0, "*"], [3, 2, 0, 3, 0, "LATENT"]],
    }
    report = compile_ui_report(ui)
    assert "samples" not in report.api["3"]["inputs"]
    assert "cycle" in [p.code for p in report.problems]
