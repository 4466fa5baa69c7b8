"""Stranger probes of Blueprint analysis: specific errors for odd workflow files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create
from renderworker.workflow.problems import WorkflowError
from renderworker.workflow.upload import read_upload


def analyse(user: Any, *, name: str, data: bytes) -> Any:
    _, raw = api_token_create(user=user, name="qa", scopes=("read",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.post(
        "/api/v1/blueprints/analyze/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


@pytest.mark.parametrize(
    ("text", "type_name"),
    [("42", "int"), ('"a workflow"', "str"), ("null", "NoneType"), ("true", "bool")],
)
def test_json_file_holding_a_scalar_is_not_a_workflow_rather_than_unrecognised(
    text: str, type_name: str
) -> None:
    with pytest.raises(WorkflowError) as caught:
        read_upload(text.encode(), filename="workflow.json")
    problem = caught.value.problems[0]
    assert problem.code == "not_a_workflow"
    assert f"The JSON is {type_name}" in problem.message


def test_json_named_file_that_is_not_json_gets_the_parse_error() -> None:
    with pytest.raises(WorkflowError) as caught:
        read_upload(b"hello there", filename="workflow.json")
    assert caught.value.problems[0].code == "invalid_json"


def _dangling_ui_workflow() -> dict[str, Any]:
    return {
        "last_node_id": 2,
        "last_link_id": 1,
        "nodes": [
            {
                "id": 1,
                "type": "EmptyLatentImage",
                "mode": 0,
                "inputs": [],
                "outputs": [{"name": "LATENT", "type": "LATENT", "links": [1]}],
                "widgets_values": [512, 512, 1],
            },
            {
                "id": 2,
                "type": "VAEDecode",
                "mode": 0,
                "inputs": [
                    {"name": "samples", "type": "LATENT", "link": 7},
                    {"name": "vae", "type": "VAE", "link": None},
                ],
                "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}],
                "widgets_values": [],
            },
        ],
        "links": [[1, 1, 0, 99, 0, "LATENT"]],
        "version": 0.4,
    }


def test_dangling_link_error_names_the_node_class_not_none(owner: Any) -> None:
    response = analyse(
        owner, name="dangling.json", data=json.dumps(_dangling_ui_workflow()).encode()
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "dangling_link"
    assert error["message"].startswith(
        "The workflow cannot run: node 2 (VAEDecode): Input 'samples'"
    )
    assert error["details"]["problems"][0]["class_type"] == "VAEDecode"


def _png_with_prompt_chunk() -> bytes:
    import io

    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("prompt", json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 1}}}))
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def test_png_cut_inside_its_metadata_says_truncated_not_stripped() -> None:
    data = _png_with_prompt_chunk()
    with pytest.raises(WorkflowError) as caught:
        read_upload(data[:60], filename="output.png")
    problem = caught.value.problems[0]
    assert problem.code == "truncated_image"
    assert problem.message == (
        "The PNG image is truncated (it ends inside a chunk) and the part that arrived carries no "
        "workflow; upload the complete file."
    )


def test_whole_png_without_metadata_still_says_stripped() -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "PNG")
    with pytest.raises(WorkflowError) as caught:
        read_upload(buffer.getvalue(), filename="output.png")
    assert caught.value.problems[0].code == "no_metadata"
