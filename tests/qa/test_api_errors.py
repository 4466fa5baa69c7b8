"""Stranger probes of the API's plain Django views: errors stay JSON, never an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client


def csrf_checking_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/health/", "/api/v1/nope/", "/api/v1/posts/-1/", "/api/v1/posts/1"])
def test_post_without_csrf_token_to_plain_api_view_answers_json_not_html(path: str) -> None:
    response = csrf_checking_client().post(path, data=b"{}", content_type="application/json")
    assert response["Content-Type"] == "application/json"
    assert set(response.json()["error"]) >= {"code", "message", "field"}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_health_with_another_method_answers_json_405_naming_get(method: str) -> None:
    response = getattr(csrf_checking_client(), method)("/api/v1/health/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_health_get_and_head_still_answer() -> None:
    assert Client().get("/api/v1/health/").json() == {"ok": True}
    assert Client().head("/api/v1/health/").status_code == 200
