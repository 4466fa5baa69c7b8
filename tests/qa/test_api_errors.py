"""Stranger probes of the API's plain Django views: errors stay JSON, never an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client


def csrf_checking_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/health/", "/api/v1/nope/", "/api/v1/posts/-1/", "/api/v1/posts/1"]
)
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


@pytest.mark.django_db
def test_path_without_trailing_slash_404_names_the_path_with_the_slash() -> None:
    response = Client().get("/api/v1/posts")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "No API endpoint at /api/v1/posts; did you mean /api/v1/posts/ (with the trailing slash)?"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/nope"])
def test_unknown_path_404_points_at_the_docs(path: str) -> None:
    response = Client().get(path)
    assert response.json()["error"]["message"] == f"No API endpoint at {path}; see /api/v1/docs/."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("post", {}, 405),
        ("delete", {}, 405),
        ("get", {"HTTP_AUTHORIZATION": "Bearer kiln_bogus"}, 401),
    ],
)
def test_schema_errors_are_json_not_yaml(method: str, headers: dict[str, str], status: int) -> None:
    response = getattr(Client(), method)("/api/v1/schema/", **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert set(response.json()["error"]) >= {"code", "message", "field"}


@pytest.mark.django_db
def test_schema_itself_is_still_openapi_yaml() -> None:
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3")


@pytest.mark.django_db
def test_an_unexpected_error_in_an_api_view_is_a_json_500_without_a_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from marketplace.gallery import presenters

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(presenters, "creator_dict", explode)
    from marketplace.accounts.services import user_create

    user_create(
        email="c@example.test",
        username="carver",
        password="a-long-test-password-1",
        display_name="C",
    )
    response = Client(raise_request_exception=False).get("/api/v1/creators/carver/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Kiln failed to answer this request; it has been logged. Try again later.",
            "field": None,
        }
    }


def _writer_client(user: object) -> object:
    from rest_framework.test import APIClient

    from marketplace.accounts.services import api_token_create

    _, raw = api_token_create(user=user, name="qa", scopes=("read", "write"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_json_body_over_the_memory_limit_is_a_json_413(owner: object, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # type: ignore[attr-defined]
    body = '{"text": "' + "x" * 2000 + '"}'
    response = _writer_client(owner).post(  # type: ignore[attr-defined]
        "/api/v1/recipes/parse/", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == {
        "code": "request_too_large",
        "message": "The request body is larger than 1,000 bytes (uploaded files aside); send less.",
        "field": None,
    }


def test_form_with_too_many_fields_is_a_json_400(owner: object, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10  # type: ignore[attr-defined]
    fields = {f"f{index}": "1" for index in range(50)}
    response = _writer_client(owner).post("/api/v1/posts/", fields, format="multipart")  # type: ignore[attr-defined]
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "too_many_fields"
    assert "at most 10" in response.json()["error"]["message"]


def test_wrong_content_type_names_the_accepted_ones(owner: object) -> None:
    response = _writer_client(owner).post(  # type: ignore[attr-defined]
        "/api/v1/blueprints/analyze/", data='{"nodes": []}', content_type="application/json"
    )
    assert response.status_code == 415
    assert response.json()["error"] == {
        "code": "unsupported_media_type",
        "message": 'Unsupported media type "application/json" in request; accepted: '
        "multipart/form-data, application/x-www-form-urlencoded.",
        "field": None,
    }
