"""API v1 posts and creators: listing, creating, errors, tokens and scopes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create
from marketplace.gallery.models import Post, PostStatus
from tests.conftest import png_bytes


def bearer(user: Any, *scopes: str) -> APIClient:
    _, raw = api_token_create(user=user, name="test", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def upload(name: str = "art.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else png_bytes(), content_type="image/png")


@pytest.mark.django_db
def test_anonymous_list_is_empty_json_with_no_next_page() -> None:
    response = APIClient().get("/api/v1/posts/")
    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None, "next_cursor": None}


def test_token_with_write_scope_creates_a_post(owner: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = bearer(owner, "read", "write")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/posts/",
            {"image": upload(), "title": "Tidepools", "tool": "midjourney", "tags": "sea, #Rocks", "description": "*wet*"},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Tidepools"
    assert body["tags"] == ["sea", "rocks"]
    assert body["description_html"] == "<p><em>wet</em></p>"
    post = Post.objects.get(pk=body["id"])
    assert post.status == PostStatus.PUBLISHED
    listed = APIClient().get("/api/v1/posts/").json()["results"]
    assert [item["id"] for item in listed] == [post.pk]
    assert listed[0]["image"]["srcset"].endswith("64w")


def test_read_only_token_cannot_create_and_nothing_is_saved(owner: Any) -> None:
    response = bearer(owner, "read").post(
        "/api/v1/posts/", {"image": upload(), "title": "x", "tool": "comfyui"}, format="multipart"
    )
    assert response.status_code == 403
    assert "write" in response.json()["error"]["message"]
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_anonymous_create_is_401_with_a_json_error() -> None:
    response = APIClient().post("/api/v1/posts/", {"title": "x"}, format="multipart")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_unknown_token_is_rejected() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer kiln_not-a-real-token")
    response = client.get("/api/v1/posts/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"tool": "photoshop"}, "tool", "invalid_choice"),
        ({"title": "   "}, "title", "blank"),
        ({"image": "jpg-named-png"}, "image", "extension_mismatch"),
        ({"image": "not-an-image"}, "image", "not_an_image"),
        ({"rating": "x-rated"}, "rating", "invalid_choice"),
    ],
)
def test_bad_post_input_names_the_field_and_saves_nothing(owner: Any, fields: dict[str, str], field: str, code: str) -> None:
    data: dict[str, Any] = {"image": upload(), "title": "Fine", "tool": "comfyui"}
    data.update(fields)
    if fields.get("image") == "jpg-named-png":
        data["image"] = upload("art.jpg")
    elif fields.get("image") == "not-an-image":
        data["image"] = upload("art.png", b"%PDF-1.7 not an image at all")
    response = bearer(owner, "write").post("/api/v1/posts/", data, format="multipart")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
    assert not Post.objects.exists()


def test_cursor_pages_cover_every_post_once_in_order(owner: Any, make_post: Any) -> None:
    posts = [make_post(owner, title=f"Post {index}") for index in range(7)]
    seen: list[int] = []
    url: str | None = "/api/v1/posts/?page_size=3"
    while url:
        body = APIClient().get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
    assert seen == [post.pk for post in reversed(posts)]


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ0b3AiLDEsMV0"])
@pytest.mark.django_db
def test_a_bad_cursor_is_a_400_naming_cursor(cursor: str) -> None:
    response = APIClient().get(f"/api/v1/posts/?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [("sort=random", "sort"), ("tool=paint", "tool"), ("has=everything", "has"), ("min_price=-5", "min_price"), ("page_size=1000", "page_size")],
)
def test_bad_filters_are_400_naming_the_filter(query: str, field: str) -> None:
    response = APIClient().get(f"/api/v1/posts/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_filters_and_search_select_the_right_posts(owner: Any, stranger: Any, make_post: Any) -> None:
    lighthouse = make_post(owner, title="Lighthouse in fog", tool="midjourney", tags="coast")
    forest = make_post(stranger, title="Moss forest", tool="flux", tags="green")
    client = APIClient()

    def ids(query: str) -> list[int]:
        return [item["id"] for item in client.get(f"/api/v1/posts/?{query}").json()["results"]]

    assert ids("tool=flux") == [forest.pk]
    assert ids("creator=owner") == [lighthouse.pk]
    assert ids("q=lighthouse") == [lighthouse.pk]
    assert ids("q=green") == [forest.pk]
    assert ids("q=stranger") == [forest.pk]
    assert ids("q=nothingmatchesthis") == []
    assert ids("tag=coast") == [lighthouse.pk]


def test_list_uses_a_fixed_number_of_queries(owner: Any, make_post: Any, django_assert_max_num_queries: Any) -> None:
    for index in range(30):
        make_post(owner, title=f"Post {index}", tags="a, b, c")
    client = bearer(owner, "read")
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/posts/?page_size=30")
    assert len(response.json()["results"]) == 30


def test_processing_posts_are_visible_only_to_their_creator(owner: Any, stranger: Any) -> None:
    from marketplace.gallery.services import post_create

    post = post_create(creator=owner, title="Draft", description="", tool="comfyui", tags="", image_bytes=png_bytes(), image_name="a.png")
    assert bearer(stranger, "read").get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert bearer(owner, "read").get(f"/api/v1/posts/{post.pk}/").json()["status"] == "processing"


def test_post_detail_and_creator(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    body = APIClient().get(f"/api/v1/posts/{post.pk}/").json()
    assert body["creator"]["handle"] == "owner"
    assert body["recipe"] is None
    creator = APIClient().get("/api/v1/creators/owner/").json()
    assert (creator["handle"], creator["post_count"]) == ("owner", 1)
    assert APIClient().get("/api/v1/creators/nobody-here/").status_code == 404


def test_like_and_follow_count_once(owner: Any, stranger: Any, make_post: Any) -> None:
    post = make_post(owner)
    client = bearer(stranger, "read", "write")
    for _ in range(2):
        assert client.post(f"/api/v1/posts/{post.pk}/like/").status_code == 200
        assert client.post("/api/v1/creators/owner/follow/").status_code == 200
    post.refresh_from_db()
    owner.profile.refresh_from_db()
    assert (post.like_count, owner.profile.follower_count) == (1, 1)
    assert post.top_score == 1
    client.delete(f"/api/v1/posts/{post.pk}/like/")
    post.refresh_from_db()
    assert post.like_count == 0


def test_self_follow_is_refused(owner: Any) -> None:
    response = bearer(owner, "write").post("/api/v1/creators/owner/follow/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "self_follow"


@pytest.mark.django_db
def test_unknown_api_paths_are_json_404() -> None:
    response = APIClient().get("/api/v1/nope/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served() -> None:
    schema = APIClient().get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/posts/", "/api/v1/posts/{post_id}/", "/api/v1/creators/{handle}/"} <= set(paths)
    docs = APIClient().get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_anonymous_first_pages_are_cached_but_users_and_cursors_are_not(
    owner: Any, make_post: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    from marketplace.api import views_gallery

    settings.API_ANONYMOUS_CACHE_SECONDS = 30
    views_gallery._first_pages.clear()
    for index in range(3):
        make_post(owner, title=f"Post {index}")
    anonymous = APIClient()
    first = anonymous.get("/api/v1/posts/?page_size=2").json()
    with django_assert_num_queries(0):
        assert anonymous.get("/api/v1/posts/?page_size=2").json() == first
    with django_assert_num_queries(1):
        anonymous.get(first["next"])
    client = bearer(owner, "read")
    client.get("/api/v1/posts/?page_size=2")  # first use stamps the token's last_used_at
    with django_assert_num_queries(2):  # token lookup + the list: signed-in pages are never cached
        client.get("/api/v1/posts/?page_size=2")
    views_gallery._first_pages.clear()


@pytest.mark.django_db
def test_health_answers_without_touching_the_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = APIClient().get("/api/v1/health/")
    assert response.json() == {"ok": True}
