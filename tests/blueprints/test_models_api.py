"""GET/POST /api/v1/models/: streaming upload with hashes, pickles refused, lookup by identity."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from rest_framework.test import APIClient

from blueprints import catalog
from blueprints.models import ModelAsset, ModelVersion
from tests.blueprints.blueprint_helpers import (
    add_model,
    bearer,
    client_for,
    safetensors_bytes,
    stored_files,
)

URL = "/api/v1/models/"


def model_fields(
    data: bytes, filename: str = "detail_tweaker.safetensors", **extra: Any
) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile(filename, data),
        "name": "Detail Tweaker",
        "kind": "lora",
        **extra,
    }


def test_upload_creates_a_catalog_file_with_every_hash_and_licence(
    owner: Any, tmp_path: Path
) -> None:
    data = safetensors_bytes(1, metadata={"ss_network_dim": "16"})

    response = client_for(owner).post(
        URL,
        model_fields(
            data,
            base_model="sd15",
            label="v1.0",
            source_url="https://example.test/detail-tweaker",
            air="urn:air:sd1:lora:civitai:58390@62833",
            commercial_use="true",
            credit_required="false",
            derivatives_allowed="1",
            licence_name="CreativeML OpenRAIL-M",
        ),
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    digest = hashlib.sha256(data).hexdigest()
    assert (body["sha256"], body["autov2"], body["size_bytes"]) == (digest, digest[:10], len(data))
    assert body["autov3"] == hashlib.sha256(data[-64:]).hexdigest()
    assert (body["name"], body["kind"], body["base_model"], body["label"]) == (
        "Detail Tweaker",
        "lora",
        "sd15",
        "v1.0",
    )
    assert body["filename"] == "detail_tweaker.safetensors"
    assert body["air"] == "urn:air:sd1:lora:civitai:58390@62833"
    assert body["licence"] == {
        "name": "CreativeML OpenRAIL-M",
        "commercial_use": True,
        "credit_required": False,
        "derivatives_allowed": True,
    }
    assert stored_files(tmp_path) == [f"models/{digest}.safetensors"]
    assert ModelVersion.objects.get().safetensors_metadata == {"ss_network_dim": "16"}


def test_the_same_file_twice_is_200_with_the_existing_version(owner: Any, stranger: Any) -> None:
    data = safetensors_bytes(2)
    first = client_for(owner).post(URL, model_fields(data), format="multipart")

    second = client_for(stranger).post(
        URL, model_fields(data, "renamed.safetensors"), format="multipart"
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["filename"] == "detail_tweaker.safetensors"
    assert (ModelAsset.objects.count(), ModelVersion.objects.count()) == (1, 1)


def test_a_multi_megabyte_upload_streams_through_a_temp_file_and_round_trips_its_hashes(
    owner: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, never to memory.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    data = safetensors_bytes(3, size=6 * 1024 * 1024 + 123)
    seen_types: list[type] = []
    real_chunks = catalog._chunks

    def spy(upload: Any) -> Any:
        seen_types.append(type(upload))
        return real_chunks(upload)

    monkeypatch.setattr(catalog, "_chunks", spy)

    response = client_for(owner).post(
        URL, model_fields(data, "big.safetensors"), format="multipart"
    )

    assert response.status_code == 201, response.json()
    assert seen_types == [TemporaryUploadedFile]
    digest = hashlib.sha256(data).hexdigest()
    assert (response.json()["sha256"], response.json()["size_bytes"]) == (digest, len(data))
    stored = tmp_path / "private" / "models" / f"{digest}.safetensors"
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest
    # AutoV1: SHA-256 of the 64 KiB at offset 1 MiB.
    assert (
        response.json()["autov1"]
        == hashlib.sha256(data[0x100000 : 0x100000 + 0x10000]).hexdigest()[:8]
    )


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("model.ckpt", safetensors_bytes(4), "pickle_refused"),
        ("model.pt", safetensors_bytes(4), "pickle_refused"),
        (
            "model.safetensors",
            pickle.dumps({"state_dict": [1, 2, 3]}, protocol=2),
            "pickle_refused",
        ),
        ("model.safetensors", b"PK\x03\x04" + b"\x00" * 100, "pickle_refused"),
        (
            "model.safetensors",
            b"\x10\x00\x00\x00\x00\x00\x00\x00not json!!!!!!!!",
            "not_safetensors",
        ),
        ("model.safetensors", safetensors_bytes(4)[:-10], "corrupt_safetensors"),
    ],
)
def test_bad_model_files_are_refused_and_nothing_is_stored(
    owner: Any, tmp_path: Path, filename: str, data: bytes, code: str
) -> None:
    response = client_for(owner).post(URL, model_fields(data, filename), format="multipart")

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, "file")
    assert (ModelAsset.objects.count(), ModelVersion.objects.count()) == (0, 0)
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"kind": "hypernetwork"}, "invalid_choice", "kind"),
        ({"base_model": "sd9"}, "invalid_choice", "base_model"),
        ({"air": "civitai:123"}, "invalid_air", "air"),
        ({"source_url": "javascript:alert(1)"}, "invalid_url", "source_url"),
        ({"name": ""}, "blank", "name"),
    ],
)
def test_bad_fields_name_the_field_and_store_nothing(
    owner: Any, tmp_path: Path, fields: dict[str, str], code: str, field: str
) -> None:
    response = client_for(owner).post(
        URL, {**model_fields(safetensors_bytes(5)), **fields}, format="multipart"
    )

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    assert ModelVersion.objects.count() == 0
    assert stored_files(tmp_path) == []


def test_anonymous_and_read_only_tokens_cannot_upload(owner: Any) -> None:
    for client in (APIClient(), bearer(owner, "read")):
        response = client.post(URL, model_fields(safetensors_bytes(6)), format="multipart")
        assert response.status_code in (401, 403)
    assert ModelVersion.objects.count() == 0


@pytest.fixture
def catalog_models(owner: Any) -> dict[str, ModelVersion]:
    return {
        "tweaker": add_model(
            owner,
            filename="detail_tweaker.safetensors",
            kind="lora",
            seed=10,
            air="urn:air:sd1:lora:civitai:58390@62833",
            name="Detail Tweaker",
        ),
        "dunes": add_model(
            owner, filename="dunes.safetensors", kind="checkpoint", seed=11, name="Dune Painter"
        ),
    }


@pytest.mark.parametrize(
    ("key", "query"),
    [
        ("tweaker", lambda m: {"sha256": m.sha256.upper()}),
        ("tweaker", lambda m: {"autov2": m.autov2}),
        ("tweaker", lambda m: {"air": m.air}),
        ("tweaker", lambda m: {"name": "DETAIL_TWEAKER.safetensors"}),
        ("dunes", lambda m: {"name": "dune pain"}),
    ],
)
def test_lookup_by_every_identity_finds_the_file(
    catalog_models: dict[str, ModelVersion], key: str, query: Any
) -> None:
    model = catalog_models[key]

    response = APIClient().get(URL, query(model))

    assert response.status_code == 200
    assert [found["sha256"] for found in response.json()["results"]] == [model.sha256]


def test_lookup_of_an_unknown_hash_is_an_empty_list(
    catalog_models: dict[str, ModelVersion],
) -> None:
    response = APIClient().get(URL, {"sha256": "0" * 64})

    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({}, "one_identity", "sha256"),
        ({"sha256": "a" * 64, "name": "x"}, "one_identity", "name"),
        ({"sha256": "xyz"}, "invalid_hash", "sha256"),
        ({"autov2": "abc"}, "invalid_hash", "autov2"),
        ({"air": "urn:nope"}, "invalid_air", "air"),
    ],
)
def test_bad_lookups_are_specific_errors(
    query: dict[str, str], code: str, field: str, db: Any
) -> None:
    response = APIClient().get(URL, query)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)


def test_lookup_by_name_has_a_fixed_number_of_queries(
    owner: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(12):
        add_model(
            owner,
            filename=f"style_{index}.safetensors",
            kind="lora",
            seed=100 + index,
            name=f"Style {index}",
        )

    with django_assert_max_num_queries(2):
        response = APIClient().get(URL, {"name": "style"})

    assert len(response.json()["results"]) == 12
