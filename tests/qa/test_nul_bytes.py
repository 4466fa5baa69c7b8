"""NUL characters reach PostgreSQL only as a 500; every API input refuses them with a 400/404."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from blueprints.models import BlueprintVersion
from marketplace.accounts.services import api_token_create

from .workflows import api_prompt_bytes


def bearer(user: Any, *scopes: str) -> APIClient:
    _, raw = api_token_create(user=user, name="qa", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.django_db
def test_model_lookup_by_name_with_nul_is_a_field_error() -> None:
    response = APIClient().get("/api/v1/models/", {"name": "juggernaut\x00"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "name"


@pytest.mark.django_db
def test_creator_handle_with_nul_is_not_found() -> None:
    response = APIClient().get("/api/v1/creators/de%00mo/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_blueprint_notes_with_nul_are_refused_and_nothing_is_saved(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner)
    response = bearer(owner, "read", "write").post(
        f"/api/v1/posts/{post.pk}/blueprint/versions/",
        {
            "file": SimpleUploadedFile("wf.json", api_prompt_bytes()),
            "notes": "use the \x00 refiner",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "notes"
    assert "NUL" in response.json()["error"]["message"]
    assert BlueprintVersion.objects.count() == 0
