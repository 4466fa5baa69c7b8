"""Model uploads from the wild: odd safetensors headers must not reach PostgreSQL as a 500."""

from __future__ import annotations

import json
import struct
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from blueprints.models import ModelVersion
from marketplace.accounts.services import api_token_create


def safetensors_bytes(metadata: dict[str, str]) -> bytes:
    header = json.dumps(
        {"__metadata__": metadata, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    ).encode()
    return struct.pack("<Q", len(header)) + header + b"\x00" * 8


def test_safetensors_metadata_with_nul_characters_is_stored_without_them(owner: Any) -> None:
    _, raw = api_token_create(user=owner, name="qa", scopes=("read", "write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    upload = SimpleUploadedFile(
        "lora.safetensors", safetensors_bytes({"ss_\x00note": "trained\x00 on cats"})
    )
    response = client.post(
        "/api/v1/models/", {"file": upload, "name": "Cats", "kind": "lora"}, format="multipart"
    )
    assert response.status_code == 201, response.content[:300]
    assert ModelVersion.objects.get().safetensors_metadata == {"ss_note": "trained on cats"}
