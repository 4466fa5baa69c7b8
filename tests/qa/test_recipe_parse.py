"""Paste-to-fill dry run: inputs the Recipe itself would refuse are refused here too."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create


def reader(user: Any) -> APIClient:
    _, raw = api_token_create(user=user, name="qa", scopes=("read",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_pasted_text_with_nul_is_refused_like_the_recipe_refuses_it(owner: Any) -> None:
    response = reader(owner).post("/api/v1/recipes/parse/", {"text": "a cat\x00"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "field": "text",
        "message": "text: contains a NUL character; accepted: text without NUL characters",
    }


def test_text_that_is_not_a_string_says_so_rather_than_missing(owner: Any) -> None:
    response = reader(owner).post("/api/v1/recipes/parse/", {"text": ["a cat"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "text: got list, not text; accepted: an Automatic1111 parameters block, a Midjourney "
        "prompt or plain text"
    )
