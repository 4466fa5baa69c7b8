"""A refused choice names the accepted values (SPEC §7: what is wrong and what is accepted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "accepted"),
    [("sort", "new, trending, top"), ("has", "recipe, blueprint, verified")],
)
def test_post_list_bad_choice_lists_the_accepted_values(name: str, accepted: str) -> None:
    response = APIClient().get("/api/v1/posts/", {name: "bogus"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == name
    assert (
        response.json()["error"]["message"]
        == f'"bogus" is not a valid choice; accepted: {accepted}.'
    )


def test_model_upload_bad_kind_lists_the_accepted_kinds(owner: Any) -> None:
    _, raw = api_token_create(user=owner, name="qa", scopes=("read", "write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        "/api/v1/models/",
        {"file": SimpleUploadedFile("m.safetensors", b"x"), "name": "M", "kind": "bogus"},
        format="multipart",
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith('"bogus" is not a valid choice; accepted: ')
    assert "checkpoint" in message and "lora" in message
