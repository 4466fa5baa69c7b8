from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import txt2img_graph
from PIL import Image

from renderworker.cli import main


def test_render_api_json_writes_png_and_prints_timings(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = tmp_path / "graph.json"
    workflow.write_text(json.dumps(txt2img_graph()))
    assert (
        main(["render", str(workflow), "--models", str(tiny_dir), "--out", str(tmp_path / "out")])
        == 0
    )
    out = capsys.readouterr().out
    assert "3 KSampler" in out and "total" in out
    image = Image.open(tmp_path / "out" / "kiln_00001_.png")
    assert image.size == (32, 32)
    assert json.loads(image.text["prompt"])["3"]["class_type"] == "KSampler"


def test_render_png_carrying_a_prompt_reproduces_it(tiny_dir: Path, tmp_path: Path) -> None:
    workflow = tmp_path / "graph.json"
    workflow.write_text(json.dumps(txt2img_graph()))
    assert (
        main(["render", str(workflow), "--models", str(tiny_dir), "--out", str(tmp_path / "a")])
        == 0
    )
    first = tmp_path / "a" / "kiln_00001_.png"
    assert (
        main(["render", str(first), "--models", str(tiny_dir), "--out", str(tmp_path / "b")]) == 0
    )
    again = tmp_path / "b" / "kiln_00001_.png"
    assert np.array_equal(np.array(Image.open(first)), np.array(Image.open(again)))


def test_render_ui_workflow_is_compiled_first(tiny_dir: Path, tmp_path: Path) -> None:
    ui = {
        "last_node_id": 9,
        "last_link_id": 9,
        "version": 0.4,
        "nodes": [
            {
                "id": 4,
                "type": "CheckpointLoaderSimple",
                "mode": 0,
                "inputs": [],
                "outputs": [
                    {"name": "MODEL", "type": "MODEL", "links": [1]},
                    {"name": "CLIP", "type": "CLIP", "links": [3, 5]},
                    {"name": "VAE", "type": "VAE", "links": [8]},
                ],
                "widgets_values": ["tiny-sd1.safetensors"],
            },
            {
                "id": 5,
                "type": "EmptyLatentImage",
                "mode": 0,
                "inputs": [],
                "outputs": [{"name": "LATENT", "type": "LATENT", "links": [2]}],
                "widgets_values": [32, 32, 1],
            },
            {
                "id": 6,
                "type": "CLIPTextEncode",
                "mode": 0,
                "inputs": [{"name": "clip", "type": "CLIP", "link": 3}],
                "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [4]}],
                "widgets_values": ["a photo of a red cat"],
            },
            {
                "id": 7,
                "type": "CLIPTextEncode",
                "mode": 0,
                "inputs": [{"name": "clip", "type": "CLIP", "link": 5}],
                "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [6]}],
                "widgets_values": ["blurry"],
            },
            {
                "id": 3,
                "type": "KSampler",
                "mode": 0,
                "inputs": [
                    {"name": "model", "type": "MODEL", "link": 1},
                    {"name": "positive", "type": "CONDITIONING", "link": 4},
                    {"name": "negative", "type": "CONDITIONING", "link": 6},
                    {"name": "latent_image", "type": "LATENT", "link": 2},
                ],
                "outputs": [{"name": "LATENT", "type": "LATENT", "links": [7]}],
                "widgets_values": [1, "fixed", 4, 7.0, "euler", "normal", 1.0],
            },
            {
                "id": 8,
                "type": "VAEDecode",
                "mode": 0,
                "inputs": [
                    {"name": "samples", "type": "LATENT", "link": 7},
                    {"name": "vae", "type": "VAE", "link": 8},
                ],
                "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [9]}],
            },
            {
                "id": 9,
                "type": "SaveImage",
                "mode": 0,
                "inputs": [{"name": "images", "type": "IMAGE", "link": 9}],
                "outputs": [],
                "widgets_values": ["kiln"],
            },
        ],
        "links": [
            [1, 4, 0, 3, 0, "MODEL"],
            [2, 5, 0, 3, 3, "LATENT"],
            [3, 4, 1, 6, 0, "CLIP"],
            [4, 6, 0, 3, 1, "CONDITIONING"],
            [5, 4, 1, 7, 0, "CLIP"],
            [6, 7, 0, 3, 2, "CONDITIONING"],
            [7, 3, 0, 8, 0, "LATENT"],
            [8, 4, 2, 8, 1, "VAE"],
            [9, 8, 0, 9, 0, "IMAGE"],
        ],
        "groups": [],
        "config": {},
        "extra": {},
    }
    (tmp_path / "ui.json").write_text(json.dumps(ui))
    (tmp_path / "api.json").write_text(json.dumps(txt2img_graph()))
    assert (
        main(
            [
                "render",
                str(tmp_path / "ui.json"),
                "--models",
                str(tiny_dir),
                "--out",
                str(tmp_path / "ui"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "render",
                str(tmp_path / "api.json"),
                "--models",
                str(tiny_dir),
                "--out",
                str(tmp_path / "api"),
            ]
        )
        == 0
    )
    from_ui = np.array(Image.open(tmp_path / "ui" / "kiln_00001_.png"))
    from_api = np.array(Image.open(tmp_path / "api" / "kiln_00001_.png"))
    assert np.array_equal(from_ui, from_api)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "error:"),
        (json.dumps({"1": {"class_type": "FluxGuidance", "inputs": {}}}), "FluxGuidance"),
    ],
)
def test_bad_input_exits_non_zero_with_a_message(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    workflow = tmp_path / "bad.json"
    workflow.write_text(content)
    assert (
        main(["render", str(workflow), "--models", str(tiny_dir), "--out", str(tmp_path / "out")])
        == 2
    )
    assert message in capsys.readouterr().err


def test_missing_workflow_file_exits_non_zero(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "render",
                str(tmp_path / "none.json"),
                "--models",
                str(tiny_dir),
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


def test_make_tiny_models_writes_checkpoints_and_configs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["make-tiny-models", str(tmp_path / "m")]) == 0
    names = sorted(path.name for path in (tmp_path / "m").iterdir())
    assert (
        "tiny-sd1.safetensors" in names
        and "tiny-sdxl.safetensors" in names
        and "model_configs" in names
    )
