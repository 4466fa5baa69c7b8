"""PUT/GET/DELETE /api/v1/posts/{id}/recipe/ and POST /api/v1/recipes/parse/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create
from marketplace.gallery.models import Post
from marketplace.recipes.models import Recipe
from marketplace.recipes.tools import TOOLS
from tests.recipes.recipe_examples import BAD_PARAM, VALID_PARAMS

CORPUS = Path(__file__).parent / "paste_corpus"
CORPUS_CASES = sorted(path.stem for path in CORPUS.glob("*.txt"))


@pytest.fixture(autouse=True)
def _fast_hashing_and_empty_cache(settings: Any) -> None:
    # The cast of users is created per test; the default hasher costs about a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The local-memory cache outlives a test (same LOCATION): empty it so earlier tests'
    # API calls do not count against this one's throttle (and the walk reads only its own).
    caches["default"].clear()


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def bearer(user: Any, *scopes: str) -> APIClient:
    _, raw = api_token_create(user=user, name="test", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def recipe_url(post: Post) -> str:
    return f"/api/v1/posts/{post.pk}/recipe/"


def body(tool_slug: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tool": tool_slug,
        "prompt": "a lighthouse at dusk, oil painting",
        "negative_prompt": "blurry",
        "params": VALID_PARAMS[tool_slug],
        "notes": "Use **low** contrast.",
        "price": {"amount": 350, "currency": "usd"},
    }
    data.update(overrides)
    return data


def snapshot(post: Post) -> tuple[Any, ...]:
    post.refresh_from_db()
    recipe = Recipe.objects.filter(post=post).values().first()
    return (post.tool, post.has_recipe, post.min_price_minor, post.currency, recipe)


# --- create, read, update ---------------------------------------------------------------------


@pytest.mark.parametrize("tool", list(TOOLS))
def test_owner_creates_a_recipe_for_every_tool_and_reads_it_back_in_full(
    owner: Any, make_post: Any, tool: str
) -> None:
    post = make_post(owner, tool=tool)
    response = client_for(owner).put(recipe_url(post), body(tool), format="json")
    assert response.status_code == 201, response.json()
    assert response["Cache-Control"] == "private, no-store"
    created = response.json()
    assert created["full"] is True
    assert created["params"] == VALID_PARAMS[tool]
    assert created["prompt"] == "a lighthouse at dusk, oil painting"
    assert created["notes_html"] == "<p>Use <strong>low</strong> contrast.</p>"
    assert created["price"] == {
        "amount": 350,
        "currency": "usd",
        "label": "$3.50",
        "is_free": False,
    }
    assert created["reproducible"] is TOOLS[tool].reproducible
    assert (created["structured_settings"] is not None) is TOOLS[tool].reproducible
    read = client_for(owner).get(recipe_url(post)).json()
    assert {
        key: read[key] for key in ("prompt", "negative_prompt", "params", "notes", "price")
    } == {key: created[key] for key in ("prompt", "negative_prompt", "params", "notes", "price")}


def test_second_put_replaces_the_recipe_and_answers_200(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    client = client_for(owner)
    assert client.put(recipe_url(post), body("dalle"), format="json").status_code == 201
    response = client.put(
        recipe_url(post),
        {"prompt": "a quiet harbour", "params": {"quality": "standard"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    recipe = Recipe.objects.get(post=post)
    assert (recipe.tool, recipe.prompt, recipe.negative_prompt, recipe.params, recipe.notes) == (
        "dalle",
        "a quiet harbour",
        "",
        {"quality": "standard"},
        "",
    )
    assert (recipe.price_minor, recipe.currency) == (0, "usd")
    assert Recipe.objects.count() == 1


def test_reproducible_recipe_keeps_the_blueprint_analysis_settings(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="automatic1111")
    client_for(owner).put(recipe_url(post), body("automatic1111"), format="json")
    settings = Recipe.objects.get(post=post).structured_settings
    assert settings is not None
    assert (settings["source"], settings["seed"], settings["steps"], settings["cfg"]) == (
        "automatic1111",
        42,
        25,
        7.0,
    )
    assert (settings["sampler_name"], settings["scheduler"]) == ("dpmpp_2m", "karras")
    assert (settings["width"], settings["height"], settings["stop_at_clip_layer"]) == (
        832,
        1216,
        -2,
    )
    assert settings["checkpoint"] == {
        "name": "sdxl_base",
        "hash": "31e35c80fc",
        "hash_kind": "autov2",
    }
    assert settings["loras"] == [
        {"name": "film_grain", "strength_model": 0.8, "strength_clip": 0.8, "autov3": None}
    ]


def test_visitor_and_stranger_get_the_teaser_only(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="automatic1111")
    client_for(owner).put(recipe_url(post), body("automatic1111"), format="json")
    expected = {
        "id": Recipe.objects.get(post=post).pk,
        "tool": "automatic1111",
        "tool_name": "Automatic1111 / Forge",
        "reproducible": True,
        "full": False,
        "param_names": [
            "model",
            "model_hash",
            "sampler",
            "schedule_type",
            "steps",
            "cfg_scale",
            "seed",
            "size",
            "clip_skip",
            "loras",
            "extra",
        ],
        "prompt_length": {"characters": 34, "words": 6},
        "has_negative_prompt": True,
        "price": {"amount": 350, "currency": "usd", "label": "$3.50", "is_free": False},
    }
    for client in (APIClient(), client_for(stranger)):
        response = client.get(recipe_url(post))
        assert response.status_code == 200
        assert response.json() == expected
    assert APIClient().get(f"/api/v1/posts/{post.pk}/").json()["recipe"] == expected


def test_get_is_404_json_when_the_post_has_no_recipe(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    response = APIClient().get(recipe_url(post))
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "This post has no Recipe.",
        "field": None,
    }


def test_unknown_post_is_404(owner: Any) -> None:
    assert (
        client_for(owner)
        .put("/api/v1/posts/999999/recipe/", body("dalle"), format="json")
        .status_code
        == 404
    )


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tool", list(TOOLS))
def test_bad_parameter_is_400_naming_field_value_and_accepted_and_saves_nothing(
    owner: Any, make_post: Any, tool: str
) -> None:
    post = make_post(owner, tool=tool)
    name, value = BAD_PARAM[tool]
    before = snapshot(post)
    response = client_for(owner).put(
        recipe_url(post), body(tool, params={name: value}), format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == f"params.{name}"
    assert error["details"][0]["field"] == f"params.{name}"
    assert error["details"][0]["value"] == value
    assert error["message"].startswith(f"{name}: {value!r} ")
    assert "; accepted: " in error["message"]
    assert snapshot(post) == before


def test_every_problem_is_reported_at_once(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    response = client_for(owner).put(
        recipe_url(post),
        {
            "tool": "dalle",
            "prompt": "",
            "params": {"size": "3x3", "bogus": 1},
            "price": {"amount": -1, "currency": "xyz"},
            "colour": "red",
        },
        format="json",
    )
    assert response.status_code == 400
    fields = [issue["field"] for issue in response.json()["error"]["details"]]
    assert fields == [
        "colour",
        "prompt",
        "params.size",
        "params.bogus",
        "price.amount",
        "price.currency",
    ]
    assert not Recipe.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"tool": "photoshop"},
            "tool",
            "tool: 'photoshop' is not a known tool; accepted: comfyui, automatic1111",
        ),
        (
            {"price": {"amount": 1_000_001, "currency": "usd"}},
            "price.amount",
            "price.amount: 1000001 is out of range; accepted: a whole number of minor units "
            "(cents) from 0 to 1000000",
        ),
        (
            {"price": {"amount": 4.99, "currency": "usd"}},
            "price.amount",
            "price.amount: 4.99 is not a whole number",
        ),
        (
            {"price": {"amount": 100, "currency": "btc"}},
            "price.currency",
            "price.currency: 'btc' is not accepted; accepted: usd, eur, gbp, cad, aud, jpy",
        ),
        ({"price": "free"}, "price", "price: 'free' is not an object"),
        ({"params": ["steps", 20]}, "params", "params: expected an object of parameters, got list"),
        (
            {"prompt": "x" * 10_001},
            "prompt",
            "prompt: 10001 characters is too long; accepted: at most 10000",
        ),
        ({"prompt": 42}, "prompt", "prompt: 42 is not text"),
    ],
)
def test_bad_fields_are_named_with_what_is_accepted(
    owner: Any, make_post: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    post = make_post(owner, tool="dalle")
    response = client_for(owner).put(recipe_url(post), body("dalle", **overrides), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"].startswith(message)
    assert not Recipe.objects.exists()


def test_currency_is_case_insensitive_and_zero_is_free(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    response = client_for(owner).put(
        recipe_url(post), body("dalle", price={"amount": 0, "currency": "EUR"}), format="json"
    )
    assert response.json()["price"] == {
        "amount": 0,
        "currency": "eur",
        "label": "Free",
        "is_free": True,
    }


# --- permissions -------------------------------------------------------------------------------


def test_stranger_put_is_403_json_and_changes_nothing(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    client_for(owner).put(recipe_url(post), body("dalle"), format="json")
    before = snapshot(post)
    response = client_for(stranger).put(
        recipe_url(post), body("dalle", prompt="hijacked"), format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot(post) == before


def test_stranger_cannot_create_a_recipe_on_someone_elses_post(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    response = client_for(stranger).put(recipe_url(post), body("dalle"), format="json")
    assert response.status_code == 403
    assert not Recipe.objects.exists()
    post.refresh_from_db()
    assert (post.has_recipe, post.min_price_minor) == (False, None)


def test_stranger_delete_is_403_and_the_recipe_stays(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    client_for(owner).put(recipe_url(post), body("dalle"), format="json")
    before = snapshot(post)
    assert client_for(stranger).delete(recipe_url(post)).status_code == 403
    assert snapshot(post) == before


def test_anonymous_put_is_refused_and_nothing_is_saved(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    response = APIClient().put(recipe_url(post), body("dalle"), format="json")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not Recipe.objects.exists()


def test_read_only_token_cannot_write_and_write_token_can(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    assert (
        bearer(owner, "read").put(recipe_url(post), body("dalle"), format="json").status_code == 403
    )
    assert not Recipe.objects.exists()
    assert (
        bearer(owner, "read", "write")
        .put(recipe_url(post), body("dalle"), format="json")
        .status_code
        == 201
    )


def test_owner_deletes_the_recipe_and_the_facets_follow(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    client = client_for(owner)
    client.put(recipe_url(post), body("dalle"), format="json")
    assert client.delete(recipe_url(post)).status_code == 204
    assert not Recipe.objects.exists()
    post.refresh_from_db()
    assert (post.has_recipe, post.min_price_minor) == (False, None)
    assert client.delete(recipe_url(post)).status_code == 404


# --- facets and cards ----------------------------------------------------------------------------


def test_facets_follow_the_recipe_and_the_gallery_filters_find_it(
    owner: Any, make_post: Any
) -> None:
    with_recipe = make_post(owner, tool="comfyui", title="With")
    make_post(owner, tool="midjourney", title="Without")
    client_for(owner).put(
        recipe_url(with_recipe),
        body("midjourney", price={"amount": 0, "currency": "usd"}),
        format="json",
    )
    with_recipe.refresh_from_db()
    assert (with_recipe.tool, with_recipe.has_recipe, with_recipe.min_price_minor) == (
        "midjourney",
        True,
        0,
    )

    def titles(query: str) -> list[str]:
        return [
            card["title"] for card in APIClient().get(f"/api/v1/posts/?{query}").json()["results"]
        ]

    assert titles("has=recipe") == ["With"]
    assert titles("has=recipe&tool=midjourney") == ["With"]
    assert titles("tool=comfyui") == []
    assert titles("max_price=0") == ["With"]
    card = APIClient().get("/api/v1/posts/?has=recipe").json()["results"][0]
    assert card["min_price"] == {"amount": 0, "currency": "usd", "label": "Free", "is_free": True}


def test_price_change_moves_the_card_price(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    client = client_for(owner)
    client.put(
        recipe_url(post), body("dalle", price={"amount": 1200, "currency": "gbp"}), format="json"
    )
    card = APIClient().get("/api/v1/posts/").json()["results"][0]
    assert card["min_price"] == {
        "amount": 1200,
        "currency": "gbp",
        "label": "£12.00",
        "is_free": False,
    }
    assert [
        c["id"] for c in APIClient().get("/api/v1/posts/?min_price=1201").json()["results"]
    ] == []


# --- paste ------------------------------------------------------------------------------------


def _corpus(name: str) -> tuple[str, dict[str, Any]]:
    text = (CORPUS / f"{name}.txt").read_bytes().decode("utf-8")
    return text, json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", CORPUS_CASES)
def test_parse_endpoint_answers_the_corpus_parse(owner: Any, name: str) -> None:
    text, expected = _corpus(name)
    request: dict[str, Any] = {"text": text}
    if expected["tool_hint"]:
        request["tool"] = expected["tool_hint"]
    response = client_for(owner).post("/api/v1/recipes/parse/", request, format="json")
    assert response.status_code == 200, response.json()
    got = response.json()
    assert {
        key: got[key]
        for key in ("tool", "format", "prompt", "negative_prompt", "params", "unparsed")
    } == {
        key: expected[key]
        for key in ("tool", "format", "prompt", "negative_prompt", "params", "unparsed")
    }
    assert got["structured_settings"] == expected["comfy_settings"]


@pytest.mark.parametrize("name", [case for case in CORPUS_CASES if not case.startswith("plain")])
def test_pasted_put_saves_the_parse_and_equals_the_same_recipe_written_field_by_field(
    owner: Any, make_post: Any, name: str
) -> None:
    text, expected = _corpus(name)
    tool = expected["tool"]
    post = make_post(owner, tool=tool)
    client = client_for(owner)
    response = client.put(recipe_url(post), {"pasted": text, "tool": tool}, format="json")
    if not expected["prompt"]:
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "prompt"
        assert not Recipe.objects.exists()
        return
    assert response.status_code == 201, response.json()
    pasted = response.json()
    assert pasted["paste"] == {"format": expected["format"], "unparsed": expected["unparsed"]}
    assert (pasted["prompt"], pasted["negative_prompt"], pasted["params"]) == (
        expected["prompt"],
        expected["negative_prompt"],
        expected["params"],
    )
    assert pasted["structured_settings"] == expected["comfy_settings"]
    stored = Recipe.objects.values(
        "prompt", "negative_prompt", "params", "structured_settings"
    ).get(post=post)
    rewritten = client.put(
        recipe_url(post),
        {key: pasted[key] for key in ("tool", "prompt", "negative_prompt", "params")},
        format="json",
    )
    assert rewritten.status_code == 200
    assert (
        Recipe.objects.values("prompt", "negative_prompt", "params", "structured_settings").get(
            post=post
        )
        == stored
    )


def test_paste_without_a_tool_detects_it_and_points_out_unparsed_pieces(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    response = client_for(owner).put(
        recipe_url(post),
        {
            "pasted": "a red fox in snow --ar 3:2 --stylize 250 --v 6.1 --foo bar",
            "price": {"amount": 200, "currency": "usd"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["tool"], data["prompt"]) == ("midjourney", "a red fox in snow")
    assert data["params"] == {"aspect_ratio": "3:2", "stylize": 250, "version": "6.1"}
    assert [piece["text"] for piece in data["paste"]["unparsed"]] == ["--foo bar"]
    post.refresh_from_db()
    assert post.tool == "midjourney"


def test_a1111_block_pasted_on_a_comfyui_post_becomes_ksampler_settings(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="comfyui")
    block = (
        "a castle\nNegative prompt: fog\n"
        "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5, Size: 512x768"
    )
    data = client_for(owner).put(recipe_url(post), {"pasted": block}, format="json").json()
    assert data["tool"] == "comfyui"
    assert data["params"] == {
        "seed": 5,
        "steps": 20,
        "cfg": 7.0,
        "sampler_name": "euler_ancestral",
        "width": 512,
        "height": 768,
    }


def test_pasted_together_with_prompt_is_refused(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="midjourney")
    response = client_for(owner).put(
        recipe_url(post), {"pasted": "a cat --ar 1:1", "prompt": "a dog"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "prompt"
    assert "cannot be given together with pasted" in response.json()["error"]["message"]
    assert not Recipe.objects.exists()


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x", "tool": "photoshop"}, "tool"),
        ({"text": "x" * 50_001}, "text"),
        ({}, "text"),
    ],
)
def test_parse_endpoint_rejects_bad_input_naming_the_field(
    owner: Any, request_body: dict[str, Any], field: str
) -> None:
    response = client_for(owner).post("/api/v1/recipes/parse/", request_body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


@pytest.mark.django_db
def test_parse_endpoint_needs_a_login() -> None:
    assert APIClient().post(
        "/api/v1/recipes/parse/", {"text": "a cat"}, format="json"
    ).status_code in (401, 403)
