"""Linking a resource id that the version does not have is a 404, like any missing object."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create

from .workflows import api_prompt_bytes


def test_linking_an_unknown_resource_id_is_404_naming_it(owner: Any, make_post: Any) -> None:
    _, raw = api_token_create(user=owner, name="qa", scopes=("read", "write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    post = make_post(owner)
    created = client.post(
        f"/api/v1/posts/{post.pk}/blueprint/versions/",
        {"file": SimpleUploadedFile("wf.json", api_prompt_bytes())},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    response = client.post(
        f"/api/v1/blueprint-versions/{created.json()['id']}/resources/999999/link/",
        {"sha256": "0" * 64},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No resource 999999 in this version.",
        "field": "resource",
    }
