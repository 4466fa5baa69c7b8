"""POST /api/v1/blueprints/analyze/: the dry run shows everything and saves nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.blueprints.blueprint_helpers import (
    add_model,
    bearer,
    client_for,
    corpus_upload,
    row_counts,
    stored_files,
)
from tests.renderworker.workflow.upload_samples import (
    A1111,
    jpeg_with_exif,
    png_with_text,
    raw_png,
    webp_with_exif,
    ztxt,
)

URL = "/api/v1/blueprints/analyze/"
EMPTY_COUNTS = {
    "blueprints": 0,
    "versions": 0,
    "resources": 0,
    "events": 0,
    "assets": 0,
    "models": 0,
}


def analyze(client: APIClient, upload: SimpleUploadedFile) -> Any:
    return client.post(URL, {"file": upload}, format="multipart")


def json_upload(value: Any, name: str = "workflow.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(value).encode())


def test_ui_workflow_lists_resources_seeds_and_sampler_settings(owner: Any, tmp_path: Path) -> None:
    response = analyze(client_for(owner), corpus_upload("generated/sd15_lora_stack.ui.json"))

    assert response.status_code == 200
    body = response.json()
    assert body["source"] == {"format": "ui", "image_format": None, "image_size": None}
    assert {(r["kind"], r["name"]) for r in body["resources"]} == {
        ("checkpoint", "v1-5-pruned-emaonly.safetensors"),
        ("lora", "detail_tweaker.safetensors"),
        ("lora", "styles/ink_wash.safetensors"),
        ("lora", "lcm_lora_sd15.safetensors"),
        ("embedding", "fine_detail"),
        ("embedding", "easynegative"),
    }
    assert all(
        r["found"] is False and r["message"] == "not found — upload or link it"
        for r in body["resources"]
    )
    ink = next(r for r in body["resources"] if r["name"] == "styles/ink_wash.safetensors")
    assert ink["uses"] == [
        {
            "node_id": "10",
            "class_type": "LoraLoader",
            "input_name": "lora_name",
            "strength_model": -0.5,
            "strength_clip": 1.25,
        }
    ]
    assert body["seeds"] == [
        {
            "node_id": "5",
            "class_type": "KSampler",
            "input_name": "seed",
            "value": 7,
            "linked_from": None,
        }
    ]
    (sampler,) = body["samplers"]
    assert (sampler["steps"], sampler["cfg"], sampler["sampler_name"], sampler["scheduler"]) == (
        25,
        7.0,
        "euler_ancestral",
        "normal",
    )
    assert body["base_model_family"] == "sd15"
    assert body["unsupported"] == [] and body["problems"] == []
    assert body["runnable"] is True and body["can_be_blueprint"] is True
    assert response["Cache-Control"] == "private, no-store"
    assert row_counts() == {**EMPTY_COUNTS, "assets": 0}
    assert stored_files(tmp_path) == []


def test_resources_in_the_catalog_show_their_match(owner: Any) -> None:
    model = add_model(owner, filename="v1-5-pruned-emaonly.safetensors", kind="checkpoint", seed=1)

    body = analyze(
        client_for(owner), corpus_upload("handwritten/comfy_default_sd15.api.json")
    ).json()

    (checkpoint,) = body["resources"]
    assert checkpoint["found"] is True
    assert checkpoint["resolved_by"] == "filename"
    assert checkpoint["model"]["sha256"] == model.sha256
    assert checkpoint["message"] == "found in the catalog by filename"


@pytest.mark.parametrize(
    ("relative", "source_format", "image_format", "family"),
    [
        ("handwritten/comfy_default_sd15.api.json", "api", None, "sd15"),
        ("generated/sd15_default.png", "api+ui", "PNG", "sd15"),
        ("generated/sdxl_base_refiner.webp", "api+ui", "WEBP", "sdxl"),
        ("handwritten/sdxl_lora_primitive_v1.ui.json", "ui", None, "sdxl"),
    ],
)
def test_api_png_and_webp_uploads_are_analysed(
    owner: Any, relative: str, source_format: str, image_format: str | None, family: str
) -> None:
    response = analyze(client_for(owner), corpus_upload(relative))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["source"]["format"] == source_format
    assert body["source"]["image_format"] == image_format
    assert body["base_model_family"] == family
    assert body["node_count"] > 0
    assert row_counts() == EMPTY_COUNTS


def test_unsupported_family_is_listed_with_reasons_not_refused(owner: Any) -> None:
    body = analyze(client_for(owner), corpus_upload("generated/flux_unet_dual_clip.ui.json")).json()

    assert body["base_model_family"] == "flux"
    assert {node["class_type"] for node in body["unsupported"]} == {
        "UNETLoader",
        "DualCLIPLoader",
        "FluxGuidance",
        "EmptySD3LatentImage",
    }
    assert all(node["reason"] for node in body["unsupported"])
    assert body["runnable"] is False


def test_automatic1111_parameters_are_analysed_but_cannot_be_a_blueprint(owner: Any) -> None:
    response = analyze(
        client_for(owner), SimpleUploadedFile("a.png", png_with_text({"parameters": A1111}))
    )

    assert response.status_code == 200
    assert response.json()["source"]["format"] == "a1111"
    assert response.json()["can_be_blueprint"] is False


CYCLE = {
    "1": {"class_type": "VAEDecode", "inputs": {"samples": ["2", 0], "vae": ["3", 2]}},
    "2": {"class_type": "VAEEncode", "inputs": {"pixels": ["1", 0], "vae": ["3", 2]}},
    "3": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}},
    "4": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}},
}
DANGLING = {
    "3": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}},
    "4": {"class_type": "VAEDecode", "inputs": {"samples": ["99", 0], "vae": ["3", 2]}},
    "5": {"class_type": "SaveImage", "inputs": {"images": ["4", 0], "filename_prefix": "x"}},
}
UNKNOWN_NODE = {
    "1": {"class_type": "FancyUpscalePlusPlus", "inputs": {}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}},
}


@pytest.mark.parametrize(
    ("upload", "code", "message_part"),
    [
        (SimpleUploadedFile("w.json", b'{"nodes": [1, 2,'), "invalid_json", "JSON"),
        (json_upload(CYCLE), "cycle", "cycle"),
        (json_upload(DANGLING), "dangling_link", "99"),
        (json_upload(UNKNOWN_NODE), "unknown_node_type", "FancyUpscalePlusPlus"),
        (SimpleUploadedFile("bomb.png", raw_png(100_000, 100_000)), "image_too_large", ""),
        (
            SimpleUploadedFile("z.png", raw_png(4, 4, ztxt("prompt", b" " * (25 * 1024 * 1024)))),
            "decompression_bomb",
            "",
        ),
        (SimpleUploadedFile("w.png", json.dumps(CYCLE).encode()), "extension_mismatch", ".png"),
        (SimpleUploadedFile("w.json", png_with_text({})), "extension_mismatch", ".json"),
        (
            SimpleUploadedFile("plain.png", png_with_text({"Software": "GIMP"})),
            "no_metadata",
            "no ComfyUI workflow",
        ),
        (SimpleUploadedFile("plain.webp", webp_with_exif(None)), "no_metadata", "WEBP"),
        (SimpleUploadedFile("plain.jpg", jpeg_with_exif(None)), "no_metadata", "JPEG"),
        (SimpleUploadedFile("w.json", b"[1, 2, 3]"), "not_a_workflow", "list"),
        (SimpleUploadedFile("w.json", b""), "empty_file", "empty"),
    ],
)
def test_bad_input_is_a_specific_400_and_saves_nothing(
    owner: Any, tmp_path: Path, upload: SimpleUploadedFile, code: str, message_part: str
) -> None:
    response = analyze(client_for(owner), upload)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["field"] == "file"
    assert message_part in error["message"]
    assert error["details"]["problems"][0]["code"] == code
    assert row_counts() == EMPTY_COUNTS
    assert stored_files(tmp_path) == []


def test_graph_problems_come_with_the_report_for_the_uploader(owner: Any) -> None:
    error = analyze(
        client_for(owner), corpus_upload("generated/custom_node_unmappable.api.json")
    ).json()["error"]

    assert error["code"] == "unknown_node_type"
    assert "Image Saver" in error["message"]
    report = error["details"]["analysis"]
    assert report["unsupported"][0]["class_type"] == "Image Saver"
    assert "custom node" in report["unsupported"][0]["reason"]
    assert report["resources"][0]["name"] == "v1-5-pruned-emaonly.safetensors"


def test_huge_json_is_refused_before_parsing(owner: Any, settings: Any) -> None:
    from renderworker.workflow import MAX_UPLOAD_BYTES

    data = b"{" + b" " * MAX_UPLOAD_BYTES + b"}"
    response = analyze(client_for(owner), SimpleUploadedFile("w.json", data))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_too_large"
    assert response.json()["error"]["field"] == "file"


def test_missing_file_names_the_field(owner: Any) -> None:
    response = client_for(owner).post(URL, {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "required",
        "field": "file",
        "message": (
            "No file: send the workflow as multipart field 'file' (JSON, or a ComfyUI PNG/WebP)."
        ),
    }


def test_anonymous_visitors_cannot_analyse() -> None:
    response = analyze(APIClient(), corpus_upload("handwritten/comfy_default_sd15.api.json"))

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed")


def test_a_read_scoped_token_may_analyse(owner: Any) -> None:
    response = analyze(
        bearer(owner, "read"), corpus_upload("handwritten/comfy_default_sd15.api.json")
    )

    assert response.status_code == 200
