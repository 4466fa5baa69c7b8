"""The Recipe web form: generated from the tool schema, same validator and messages as the API."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from marketplace.gallery.models import Post
from marketplace.recipes.forms import PARAM_PREFIX, widget_value
from marketplace.recipes.models import Recipe
from marketplace.recipes.tools import TOOLS, describe_form_fields
from tests.recipes.recipe_examples import BAD_PARAM, VALID_PARAMS


@pytest.fixture(autouse=True)
def _fast_hashing_and_empty_cache(settings: Any) -> None:
    # The cast of users is created per test; the default hasher costs about a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The local-memory cache outlives a test (same LOCATION): empty it so earlier tests'
    # API calls do not count against this one's throttle (and the walk reads only its own).
    caches["default"].clear()


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(post: Post) -> str:
    return f"/posts/{post.pk}/recipe/edit/"


def form_data(tool: str, params: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """What a browser sends for ``params`` typed into the generated form."""
    specs = {spec["name"]: spec for spec in describe_form_fields(tool)}
    data: dict[str, Any] = {
        "action": "save",
        "tool": tool,
        "prompt": "a lighthouse at dusk, oil painting",
        "negative_prompt": "blurry",
        "notes": "Use **low** contrast.",
        "price": "3.50",
        "currency": "usd",
    }
    for name, value in params.items():
        data[PARAM_PREFIX + name] = (
            widget_value(specs[name], value) if not isinstance(value, str) else value
        )
    data.update(overrides)
    return data


def snapshot(post: Post) -> tuple[Any, ...]:
    post.refresh_from_db()
    return (
        post.tool,
        post.has_recipe,
        post.min_price_minor,
        Recipe.objects.filter(post=post).values().first(),
    )


@pytest.mark.parametrize("tool", list(TOOLS))
def test_form_shows_one_field_per_schema_parameter(owner: Any, make_post: Any, tool: str) -> None:
    post = make_post(owner, tool=tool)
    response = logged_in(owner).get(edit_url(post))
    assert response.status_code == 200
    html = response.content.decode()
    for spec in describe_form_fields(tool):
        assert f'name="{PARAM_PREFIX}{spec["name"]}"' in html
    assert 'name="pasted"' in html and 'value="paste"' in html


@pytest.mark.parametrize("tool", list(TOOLS))
def test_form_saves_the_same_recipe_as_the_api(owner: Any, make_post: Any, tool: str) -> None:
    post = make_post(owner, tool=tool)
    response = logged_in(owner).post(edit_url(post), form_data(tool, VALID_PARAMS[tool]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/posts/{post.pk}/"
    recipe = Recipe.objects.get(post=post)
    assert (recipe.tool, recipe.params, recipe.price_minor, recipe.currency) == (
        tool,
        VALID_PARAMS[tool],
        350,
        "usd",
    )
    assert recipe.notes_html == "<p>Use <strong>low</strong> contrast.</p>"
    api_post = make_post(owner, tool=tool, title="Twin")
    client = APIClient()
    client.force_authenticate(owner)
    client.put(
        f"/api/v1/posts/{api_post.pk}/recipe/",
        {
            "tool": tool,
            "prompt": "a lighthouse at dusk, oil painting",
            "negative_prompt": "blurry",
            "params": VALID_PARAMS[tool],
            "notes": "Use **low** contrast.",
            "price": {"amount": 350, "currency": "usd"},
        },
        format="json",
    )
    twin = Recipe.objects.get(post=api_post)
    fields = (
        "tool",
        "prompt",
        "negative_prompt",
        "params",
        "notes_html",
        "price_minor",
        "structured_settings",
    )
    assert [getattr(recipe, name) for name in fields] == [getattr(twin, name) for name in fields]


@pytest.mark.parametrize("tool", list(TOOLS))
def test_form_and_api_give_the_same_error_next_to_the_field(
    owner: Any, make_post: Any, tool: str
) -> None:
    post = make_post(owner, tool=tool)
    name, value = BAD_PARAM[tool]
    before = snapshot(post)
    response = logged_in(owner).post(edit_url(post), form_data(tool, {name: value}))
    assert response.status_code == 400
    form_errors = response.context["form"].errors
    client = APIClient()
    client.force_authenticate(owner)
    api = client.put(
        f"/api/v1/posts/{post.pk}/recipe/",
        {"tool": tool, "prompt": "x", "params": {name: value}},
        format="json",
    )
    api_message = api.json()["error"]["message"]
    assert form_errors[PARAM_PREFIX + name] == [api_message]
    page = html.unescape(response.content.decode())
    error_block = page[page.index(f'id="id_{PARAM_PREFIX}{name}_error"') :]
    assert error_block[: error_block.index("</div>")].count(api_message) == 1
    assert snapshot(post) == before


def test_form_reports_empty_prompt_and_bad_price_next_to_their_fields(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    response = logged_in(owner).post(
        edit_url(post), form_data("dalle", {}, prompt="  ", price="4.999")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["price"] == [
        "price: '4.999' has more than 2 decimals; "
        "accepted: an amount in USD with at most 2 decimals"
    ]
    assert not Recipe.objects.exists()
    response = logged_in(owner).post(edit_url(post), form_data("dalle", {}, prompt="  ", price="2"))
    errors = response.context["form"].errors
    assert errors["prompt"] == [
        "prompt: is empty; accepted: the prompt text, 1 to 10000 characters"
    ]
    # Above the maximum is refused by the form in the units typed (dollars, not cents).
    response = logged_in(owner).post(edit_url(post), form_data("dalle", {}, price="20000.01"))
    errors = response.context["form"].errors
    assert errors["price"] == [
        "price: '20000.01' is above the maximum; accepted: at most 10000.00 USD"
    ]
    assert not Recipe.objects.exists()


def test_jpy_price_is_typed_without_decimals(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    logged_in(owner).post(edit_url(post), form_data("dalle", {}, price="1200", currency="jpy"))
    assert Recipe.objects.values_list("price_minor", "currency").get(post=post) == (1200, "jpy")


def test_paste_fills_the_fields_server_side_and_saves_nothing(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    pasted = (
        "a castle on a cliff, <lora:film_grain:0.8>\nNegative prompt: fog\n"
        "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 5, Size: 512x768, Mystery: 1"
    )
    response = logged_in(owner).post(
        edit_url(post),
        {
            "action": "paste",
            "tool": "dalle",
            "pasted": pasted,
            "price": "1.00",
            "currency": "eur",
            "notes": "kept",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.tool_slug == "automatic1111"
    assert form.initial["prompt"] == "a castle on a cliff, <lora:film_grain:0.8>"
    assert (
        form.initial["negative_prompt"],
        form.initial["param_steps"],
        form.initial["param_sampler"],
    ) == ("fog", "20", "DPM++ 2M")
    assert (form.initial["param_schedule_type"], form.initial["param_size"]) == (
        "Karras",
        "512x768",
    )
    assert form.initial["param_loras"] == "<lora:film_grain:0.8>"
    assert (form.initial["price"], form.initial["currency"], form.initial["notes"]) == (
        "1.00",
        "eur",
        "kept",
    )
    assert form.initial["param_extra"] == "Mystery: 1"
    assert response.context["unparsed"] == []
    assert not Recipe.objects.exists()


def test_paste_points_out_what_it_could_not_use(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="midjourney")
    response = logged_in(owner).post(
        edit_url(post),
        {"action": "paste", "tool": "midjourney", "pasted": "a fox --ar 3:2 --stylize 9999 --foo"},
    )
    assert [piece["text"] for piece in response.context["unparsed"]] == ["--foo", "--stylize 9999"]
    assert "--stylize 9999" in response.content.decode()


def test_paste_then_save_round_trips_to_the_same_recipe_as_the_api_paste(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="midjourney")
    text = "a red fox in snow --ar 3:2 --stylize 250 --v 6.1 --no text, frames --style raw"
    client = logged_in(owner)
    filled = client.post(
        edit_url(post), {"action": "paste", "tool": "midjourney", "pasted": text}
    ).context["form"]
    data = {key: value for key, value in filled.initial.items() if value not in (None, "")}
    assert client.post(edit_url(post), {**data, "action": "save"}).status_code == 302
    web = Recipe.objects.get(post=post)
    api_post = make_post(owner, tool="midjourney", title="Twin")
    api = APIClient()
    api.force_authenticate(owner)
    api.put(f"/api/v1/posts/{api_post.pk}/recipe/", {"pasted": text}, format="json")
    twin = Recipe.objects.get(post=api_post)
    assert (web.tool, web.prompt, web.params) == (twin.tool, twin.prompt, twin.params)
    assert web.params == {
        "aspect_ratio": "3:2",
        "stylize": 250,
        "version": "6.1",
        "no": ["text", "frames"],
        "style": "raw",
    }


def test_switch_tool_shows_the_new_tools_fields_and_keeps_the_texts(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    response = logged_in(owner).post(
        edit_url(post),
        {
            "action": "switch_tool",
            "tool": "flux",
            "prompt": "kept prompt",
            "param_size": "1024x1024",
            "param_quality": "hd",
        },
    )
    form = response.context["form"]
    assert form.tool_slug == "flux"
    assert [field.name for field in form.param_fields] == [
        PARAM_PREFIX + spec["name"] for spec in describe_form_fields("flux")
    ]
    assert (form.initial["prompt"], form.initial["param_size"]) == ("kept prompt", "1024x1024")
    assert not Recipe.objects.exists()


def test_edit_page_is_prefilled_with_the_saved_recipe(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="automatic1111")
    logged_in(owner).post(edit_url(post), form_data("automatic1111", VALID_PARAMS["automatic1111"]))
    form = logged_in(owner).get(edit_url(post)).context["form"]
    assert (
        form.initial["param_cfg_scale"],
        form.initial["param_clip_skip"],
        form.initial["price"],
    ) == ("7.0", "2", "3.50")
    assert form.initial["param_extra"] == "ADetailer model: face_yolov8n.pt"


def test_stranger_gets_403_on_the_form_and_changes_nothing(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    logged_in(owner).post(edit_url(post), form_data("dalle", VALID_PARAMS["dalle"]))
    before = snapshot(post)
    client = logged_in(stranger)
    assert client.get(edit_url(post)).status_code == 403
    assert client.post(edit_url(post), form_data("dalle", {}, prompt="hijacked")).status_code == 403
    assert client.post(f"/posts/{post.pk}/recipe/delete/").status_code == 403
    assert snapshot(post) == before


def test_anonymous_is_sent_to_login(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    response = Client().post(edit_url(post), form_data("dalle", {}))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Recipe.objects.exists()


def test_owner_deletes_from_the_page(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    client = logged_in(owner)
    client.post(edit_url(post), form_data("dalle", {}))
    assert client.post(f"/posts/{post.pk}/recipe/delete/").status_code == 302
    assert snapshot(post)[1:] == (False, None, None)


def test_post_page_panel_full_for_owner_teaser_for_visitor(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="automatic1111")
    logged_in(owner).post(
        edit_url(post), form_data("automatic1111", VALID_PARAMS["automatic1111"], price="0")
    )
    owner_html = logged_in(owner).get(f"/posts/{post.pk}/").content.decode()
    assert "a lighthouse at dusk, oil painting" in owner_html
    assert "face_yolov8n.pt" in owner_html
    assert f'href="/posts/{post.pk}/recipe/edit/"' in owner_html
    for client in (Client(), logged_in(stranger)):
        page = client.get(f"/posts/{post.pk}/").content.decode()
        assert "lighthouse" not in page and "face_yolov8n" not in page and "sdxl_base" not in page
        assert "6 words, 34 characters, with a negative prompt" in page
        assert (
            "Model, Model hash, Sampler, Schedule type, Sampling steps, CFG scale, Seed, Size, "
            "Clip skip, LoRAs, Other settings" in page
        )
        assert '<span class="product__price">Free</span>' in page
        assert "recipe/edit" not in page


def test_owner_without_a_recipe_sees_the_add_link(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    assert "Add a Recipe" in logged_in(owner).get(f"/posts/{post.pk}/").content.decode()
    assert "Add a Recipe" not in Client().get(f"/posts/{post.pk}/").content.decode()


def test_post_page_reads_the_recipe_once(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    client = logged_in(owner)
    client.post(edit_url(post), form_data("dalle", VALID_PARAMS["dalle"]))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/posts/{post.pk}/").status_code == 200
    assert sum('FROM "recipes_recipe"' in q["sql"] for q in queries.captured_queries) == 1


def test_gallery_card_shows_the_recipe_price_and_the_filters_find_it(
    owner: Any, make_post: Any
) -> None:
    priced = make_post(owner, tool="dalle", title="Priced dunes")
    make_post(owner, tool="dalle", title="Bare dunes")
    logged_in(owner).post(edit_url(priced), form_data("dalle", VALID_PARAMS["dalle"]))
    page = html.unescape(Client().get("/?has=recipe").content.decode())
    assert "Priced dunes" in page and "Bare dunes" not in page
    card = page[page.index("Priced dunes") :]
    assert "Recipe $3.50" in " ".join(card[: card.index("</article>")].split())
    assert "Priced dunes" not in Client().get("/?tool=midjourney").content.decode()
