"""Recipe services, selectors, presenters and prices, below the API and the web form."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from marketplace.core.errors import NotFound, PermissionDenied
from marketplace.gallery.models import Post
from marketplace.recipes import presenters, selectors, services
from marketplace.recipes.models import Recipe
from marketplace.recipes.pricing import PriceInputError, major_to_minor, price_label
from marketplace.recipes.recipe_input import (
    RecipeValidationError,
    paste_tool_for,
    read_recipe_input,
)
from tests.recipes.recipe_examples import VALID_PARAMS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def write(post: Post, user: Any, **data: Any) -> services.RecipeUpsertResult:
    data.setdefault("prompt", "a lighthouse at dusk")
    return services.recipe_upsert(post=post, user=user, data=data)


# --- prices -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "label"),
    [
        (0, "usd", "Free"),
        (499, "usd", "$4.99"),
        (1200, "jpy", "¥1200"),
        (5, "eur", "€0.05"),
        (12345, "cad", "123.45 CAD"),
    ],
)
def test_price_label(amount: int, currency: str, label: str) -> None:
    assert price_label(amount_minor=amount, currency=currency) == label


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("4.99", "usd", 499),
        ("$4.99", "usd", 499),
        ("", "usd", 0),
        ("10", "eur", 1000),
        ("1200", "jpy", 1200),
        ("0.1", "usd", 10),
    ],
)
def test_typed_amounts_become_minor_units_without_float(
    text: str, currency: str, minor: int
) -> None:
    assert major_to_minor(text=text, currency=currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("4.999", "usd", "price: '4.999' has more than 2 decimals"),
        ("12.5", "jpy", "price: '12.5' has more than 0 decimals"),
        ("-1", "usd", "price: '-1' is negative"),
        ("1e3", "usd", "price: '1e3' is not an amount"),
        ("cheap", "usd", "price: 'cheap' is not an amount"),
        ("NaN", "usd", "price: 'NaN' is not an amount"),
    ],
)
def test_bad_typed_amounts_are_refused(text: str, currency: str, message: str) -> None:
    with pytest.raises(PriceInputError) as raised:
        major_to_minor(text=text, currency=currency)
    assert str(raised.value).startswith(message)


# --- input -------------------------------------------------------------------------------------


def test_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(RecipeValidationError) as raised:
        read_recipe_input(data=["prompt"], default_tool="dalle")
    assert raised.value.field == "body"


def test_tool_defaults_to_the_posts_tool_and_texts_are_trimmed() -> None:
    cleaned = read_recipe_input(
        data={"prompt": "  a fox  ", "negative_prompt": " "}, default_tool="flux"
    )
    assert (cleaned.tool, cleaned.prompt, cleaned.negative_prompt, cleaned.params) == (
        "flux",
        "a fox",
        "",
        {},
    )
    assert (cleaned.price_minor, cleaned.currency, cleaned.paste) == (0, "usd", None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pasted": 5}, "pasted"),
        ({"pasted": "a", "tool": "paint"}, "tool"),
        ({"pasted": "x" * 50_001}, "pasted"),
        ({"prompt": "a\x00b"}, "prompt"),
        ({"prompt": "a", "price": {"amount": True}}, "price.amount"),
        ({"prompt": "a", "price": {"amount": 1, "coupon": "x"}}, "price.coupon"),
    ],
)
def test_malformed_input_names_its_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(RecipeValidationError) as raised:
        read_recipe_input(data=data, default_tool="dalle")
    assert raised.value.issues[0]["field"] == field


@pytest.mark.parametrize(
    ("text", "preferred", "tool"),
    [
        (
            "a cat\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512x512",
            "comfyui",
            "comfyui",
        ),
        (
            "a cat\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 512x512",
            "dalle",
            "automatic1111",
        ),
        ("a cat --ar 3:2", "flux", "midjourney"),
        ("a cat", "flux", "flux"),
    ],
)
def test_paste_tool_follows_the_text_and_the_preference(
    text: str, preferred: str, tool: str
) -> None:
    assert paste_tool_for(text=text, preferred=preferred) == tool


# --- services ---------------------------------------------------------------------------------


def test_upsert_syncs_the_post_facets_and_delete_clears_them(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    result = write(post, owner, price={"amount": 250, "currency": "gbp"})
    assert result.created is True
    assert (post.has_recipe, post.min_price_minor, post.currency) == (True, 250, "gbp")
    assert write(post, owner).created is False
    post.refresh_from_db()
    assert (post.min_price_minor, post.currency) == (0, "usd")
    services.recipe_delete(post=post, user=owner)
    assert (post.has_recipe, post.min_price_minor, post.currency) == (False, None, "usd")
    with pytest.raises(NotFound):
        services.recipe_delete(post=post, user=owner)


def test_a_recipe_for_another_tool_moves_the_post_to_that_tool(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="comfyui")
    write(post, owner, tool="flux", params=VALID_PARAMS["flux"])
    assert post.tool == "flux"


def test_only_the_creator_writes_and_a_refusal_changes_nothing(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    for user in (stranger, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            write(post, user)
        with pytest.raises(PermissionDenied):
            services.recipe_delete(post=post, user=user)
    assert not Recipe.objects.exists()
    post.refresh_from_db()
    assert (post.has_recipe, post.min_price_minor) == (False, None)


def test_invalid_update_keeps_the_previous_recipe(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    write(post, owner, params={"quality": "hd"}, price={"amount": 100, "currency": "usd"})
    before = Recipe.objects.values().get(post=post)
    with pytest.raises(RecipeValidationError):
        write(post, owner, params={"quality": "ultra"}, price={"amount": 0, "currency": "usd"})
    assert Recipe.objects.values().get(post=post) == before
    post.refresh_from_db()
    assert post.min_price_minor == 100


def test_structured_settings_only_for_tools_kiln_can_rerun(owner: Any, make_post: Any) -> None:
    comfy = make_post(owner, tool="comfyui")
    recipe = write(comfy, owner, params=VALID_PARAMS["comfyui"]).recipe
    assert recipe.structured_settings is not None
    assert (recipe.structured_settings["source"], recipe.structured_settings["approximate"]) == (
        "comfyui",
        False,
    )
    assert (
        recipe.structured_settings["sampler_name"],
        recipe.structured_settings["scheduler"],
    ) == ("dpmpp_2m", "karras")
    assert recipe.structured_settings["checkpoint"]["name"] == "dreamshaper_8.safetensors"
    midjourney = make_post(owner, tool="midjourney", title="Other")
    assert (
        write(midjourney, owner, params=VALID_PARAMS["midjourney"]).recipe.structured_settings
        is None
    )


def test_notes_are_sanitised_markdown(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="dalle")
    recipe = write(
        post, owner, notes="**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    ).recipe
    assert recipe.notes_html == '<p><strong>bold</strong>  <a rel="nofollow noopener ugc">x</a></p>'


# --- selectors and presenters ---------------------------------------------------------------


def test_only_the_owner_is_entitled_for_now(
    owner: Any, buyer: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner, tool="dalle")
    recipe = write(post, owner).recipe
    assert selectors.viewer_is_entitled(viewer=owner, recipe=recipe) is True
    for viewer in (buyer, stranger, AnonymousUser(), None):
        assert selectors.viewer_is_entitled(viewer=viewer, recipe=recipe) is False
    assert selectors.recipe_for_viewer(post=post, viewer=owner)["full"] is True
    assert selectors.recipe_for_viewer(post=post, viewer=buyer)["full"] is False


def test_the_teaser_holds_exactly_the_allowed_keys(owner: Any, make_post: Any) -> None:
    post = make_post(owner, tool="automatic1111")
    recipe = write(
        post, owner, negative_prompt="fog", params=VALID_PARAMS["automatic1111"], notes="n"
    ).recipe
    teaser = presenters.recipe_teaser(recipe)
    assert set(teaser) == {
        "id",
        "tool",
        "tool_name",
        "reproducible",
        "full",
        "param_names",
        "prompt_length",
        "has_negative_prompt",
        "price",
    }
    assert teaser["prompt_length"] == {"characters": 20, "words": 4}
    assert set(presenters.recipe_full(recipe)) - set(teaser) == {
        "prompt",
        "negative_prompt",
        "params",
        "notes",
        "notes_html",
        "structured_settings",
        "created_at",
        "updated_at",
    }
    assert str(recipe) == f"Recipe for post {post.pk} (automatic1111)"


def test_recipe_for_viewer_is_not_found_without_a_recipe(owner: Any, make_post: Any) -> None:
    with pytest.raises(NotFound):
        selectors.recipe_for_viewer(post=make_post(owner), viewer=owner)
