"""fill_models_list: the models[] buyers' ComfyUI uses to fetch what a workflow needs."""

from __future__ import annotations

import copy

import pytest
from ui_samples import checkpoint, workflow

from renderworker.workflow import WorkflowError, fill_models_list

HASH = "ab" * 32


def test_models_are_filled_on_a_copy() -> None:
    ui = workflow([checkpoint(1)], [])
    original = copy.deepcopy(ui)
    filled = fill_models_list(
        ui,
        [
            {
                "name": "m.safetensors",
                "url": "https://example.org/m.safetensors",
                "hash": HASH.upper(),
                "directory": "checkpoints",
            },
            {"name": "l.safetensors", "hash": "cd" * 32, "directory": "loras"},
            {"name": "m.safetensors", "hash": HASH, "directory": "checkpoints"},
        ],
    )
    assert filled["models"] == [
        {
            "name": "m.safetensors",
            "url": "https://example.org/m.safetensors",
            "hash": HASH,
            "hash_type": "SHA256",
            "directory": "checkpoints",
        },
        {"name": "l.safetensors", "hash": "cd" * 32, "hash_type": "SHA256", "directory": "loras"},
    ]
    assert ui == original
    assert filled["nodes"] == ui["nodes"]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ({"name": "", "hash": HASH, "directory": "loras"}, "models[0].name"),
        ({"name": "a", "hash": "abc", "directory": "loras"}, "models[0].hash"),
        ({"name": "a", "hash": HASH, "directory": "../etc"}, "models[0].directory"),
        ({"name": "a", "hash": HASH, "directory": "loras", "url": "ftp://x"}, "models[0].url"),
        ("nope", "models[0]"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(model: object, field: str) -> None:
    with pytest.raises(WorkflowError) as caught:
        fill_models_list(workflow([], []), [model])  # type: ignore[list-item]
    assert [(p.code, p.field) for p in caught.value.problems] == [("bad_models_list", field)]


def test_needs_a_ui_workflow() -> None:
    with pytest.raises(WorkflowError) as caught:
        fill_models_list({"1": {"class_type": "X"}}, [])
    assert caught.value.codes == ["not_a_workflow"]
