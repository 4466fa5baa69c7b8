"""Who may download what, signed links, and checkout rules that need no payment."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest

from marketplace.accounts.models import CreatorProfile
from django.core import signing
from django.test import Client
from rest_framework.test import APIClient

from marketplace.accounts.services import api_token_create
from marketplace.commerce.models import Download, Entitlement, Order, OrderState
from marketplace.commerce.services.catalog import ProductRef
from marketplace.commerce.services.checkout import checkout_start
from marketplace.commerce.services.downloads import SIGNER_SALT
from marketplace.commerce.services.orders import platform_fee
from marketplace.core.errors import DomainError

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def acquire_free(buyer: Any, shop: Any, kind: str = "blueprint") -> Entitlement:
    product_id = shop.blueprint.pk if kind == "blueprint" else shop.recipe.pk
    result = checkout_start(buyer=buyer, refs=[ProductRef(kind=kind, id=product_id)])
    assert result.order.state == OrderState.PAID
    return Entitlement.objects.get(buyer=buyer, kind=kind)


@pytest.fixture
def free_shop(owner: Any, shop_factory: Any) -> Any:
    return shop_factory(owner, recipe_price=0, blueprint_price=0)


def test_free_items_are_acquired_without_stripe(free_shop: Any, buyer: Any) -> None:
    response = api(buyer).post(
        "/api/v1/checkout/",
        {"items": [{"type": "recipe", "id": free_shop.recipe.pk}]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["checkout_url"].endswith("/library/")) == ("paid", True)
    order = Order.objects.get(pk=body["order_id"])
    assert (order.total_minor, order.stripe_checkout_session_id) == (0, None)
    assert Entitlement.objects.filter(buyer=buyer, recipe=free_shop.recipe).count() == 1


def test_a_creator_cannot_buy_their_own_work(free_shop: Any, owner: Any) -> None:
    response = api(owner).post(
        "/api/v1/checkout/",
        {"items": [{"type": "recipe", "id": free_shop.recipe.pk}]},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["field"] == "items[0]"
    assert Order.objects.count() == 0


def test_a_cart_from_two_creators_is_refused(
    free_shop: Any, stranger: Any, buyer: Any, shop_factory: Any
) -> None:
    other = shop_factory(stranger, recipe_price=0, blueprint_price=0, title="Other")

    with pytest.raises(DomainError) as error:
        checkout_start(
            buyer=buyer,
            refs=[ProductRef("recipe", free_shop.recipe.pk), ProductRef("recipe", other.recipe.pk)],
        )

    assert error.value.code == "multiple_sellers"
    assert Order.objects.count() == 0


def test_a_paid_item_of_a_creator_without_payouts_cannot_be_bought(
    owner: Any, buyer: Any, shop_factory: Any
) -> None:
    onboarded = shop_factory(owner, recipe_price=0, blueprint_price=0)
    # Priced while payouts worked; then the creator lost them (e.g. Stripe disabled charges).
    onboarded.recipe.__class__.objects.filter(pk=onboarded.recipe.pk).update(price_minor=499)
    CreatorProfile.objects.filter(user=owner).update(charges_enabled=False)

    with pytest.raises(DomainError) as error:
        checkout_start(buyer=buyer, refs=[ProductRef("recipe", onboarded.recipe.pk)])

    assert error.value.code == "seller_not_onboarded"
    assert Order.objects.count() == 0


def test_checkout_needs_the_purchase_scope(free_shop: Any, buyer: Any) -> None:
    _token, raw = api_token_create(user=buyer, name="ro", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = client.post(
        "/api/v1/checkout/",
        {"items": [{"type": "recipe", "id": free_shop.recipe.pk}]},
        format="json",
    )

    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_fee_is_twenty_percent_rounded_half_up() -> None:
    assert [platform_fee(amount_minor=a) for a in (0, 1, 2, 3, 499, 1500, 1999)] == [
        0,
        0,
        0,
        1,
        100,
        300,
        400,
    ]


def test_a_stranger_and_the_buyer_of_another_item_get_404_for_a_download(
    free_shop: Any, buyer: Any, stranger: Any
) -> None:
    entitlement = acquire_free(buyer, free_shop, "blueprint")
    acquire_free(stranger, free_shop, "recipe")

    for user in (stranger,):
        response = api(user).get(f"/api/v1/library/{entitlement.pk}/download/")
        assert response.status_code == 404
    assert APIClient().get(f"/api/v1/library/{entitlement.pk}/download/").status_code in (401, 403)
    assert Download.objects.count() == 0


def test_library_lists_newer_blueprint_versions(
    free_shop: Any, buyer: Any, django_assert_max_num_queries: Any
) -> None:
    acquire_free(buyer, free_shop, "blueprint")
    acquire_free(buyer, free_shop, "recipe")
    newer = free_shop.version
    newer.pk = None
    newer.number = 2
    newer.save()

    with django_assert_max_num_queries(8):
        results = api(buyer).get("/api/v1/library/").json()["results"]

    assert sorted((r["type"], (r["latest_version"] or {}).get("number")) for r in results) == [
        ("blueprint", 2),
        ("recipe", None),
    ]


def test_a_tampered_download_link_is_refused(free_shop: Any, buyer: Any) -> None:
    entitlement = acquire_free(buyer, free_shop)
    location = api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/")["Location"]
    path = location[location.index("/downloads/") :]

    assert Client().get(path).status_code == 200
    token = path.removeprefix("/downloads/").rstrip("/")
    forged = signing.TimestampSigner(salt=SIGNER_SALT, key="not-the-site-key").sign_object(
        {"download": 1}
    )
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        forged,
        token.replace(token.split(":")[0], "eyJkb3dubG9hZCI6Mn0"),
    ):
        assert Client().get(f"/downloads/{bad}/").status_code == 404


def test_an_expired_download_link_is_refused(free_shop: Any, buyer: Any, settings: Any) -> None:
    settings.DOWNLOAD_URL_TTL = 60
    entitlement = acquire_free(buyer, free_shop)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61):
        location = api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/")["Location"]

    assert Client().get(location[location.index("/downloads/") :]).status_code == 404


def test_a_recipe_download_is_the_json_export_with_the_full_prompt(
    free_shop: Any, buyer: Any
) -> None:
    entitlement = acquire_free(buyer, free_shop, "recipe")
    location = api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/")["Location"]
    body = Client().get(location[location.index("/downloads/") :]).json()

    assert body["prompt"] == "amber dunes, long shadows, secret-prompt-words"
    assert body["kiln"]["order"] == entitlement.order_id


def test_downloads_are_rate_limited_per_user(free_shop: Any, buyer: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("marketplace.commerce.services.downloads.DOWNLOADS_PER_HOUR", 2)
    entitlement = acquire_free(buyer, free_shop)
    statuses = [
        api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/").status_code for _ in range(3)
    ]

    assert statuses == [302, 302, 429]
    assert Download.objects.filter(buyer=buyer).count() == 2


def test_reviews_only_from_buyers_once_and_within_range(
    free_shop: Any, buyer: Any, stranger: Any
) -> None:
    acquire_free(buyer, free_shop, "recipe")
    body = {"type": "recipe", "id": free_shop.recipe.pk, "rating": 4, "text": "Good"}

    assert api(stranger).post("/api/v1/reviews/", body, format="json").status_code == 404
    assert (
        api(buyer).post("/api/v1/reviews/", {**body, "rating": 6}, format="json").status_code == 400
    )
    assert api(buyer).post("/api/v1/reviews/", body, format="json").status_code == 201
    assert api(buyer).post("/api/v1/reviews/", body, format="json").status_code == 400
    page = Client()
    page.force_login(stranger)
    assert "Good" in page.get(f"/posts/{free_shop.post.pk}/").content.decode()


def test_owned_state_and_buy_buttons_on_the_post_page(free_shop: Any, buyer: Any) -> None:
    page = Client()
    page.force_login(buyer)
    before = page.get(f"/posts/{free_shop.post.pk}/").content.decode()
    acquire_free(buyer, free_shop, "recipe")
    after = page.get(f"/posts/{free_shop.post.pk}/").content.decode()

    assert 'id="buy-recipe"' in before and 'id="buy-bundle"' in before
    assert (
        'data-owned="recipe"' in after
        and 'id="buy-recipe"' not in after
        and 'id="buy-blueprint"' in after
    )


def test_dashboard_and_csv_show_sales_after_fees(
    onboarded_owner: Any, buyer: Any, shop_factory: Any
) -> None:
    shop = shop_factory(onboarded_owner, recipe_price=0, blueprint_price=0)
    acquire_free(buyer, shop, "recipe")
    page = Client()
    page.force_login(onboarded_owner)

    html = page.get("/dashboard/").content.decode()
    csv_text = page.get("/dashboard/sales.csv").content.decode()

    assert '<dd id="sales-count">1</dd>' in html
    assert "<svg" in html and "Listed" in html
    assert (
        csv_text.splitlines()[0]
        == "paid_at,order,kind,title,price_minor,fee_minor,net_minor,currency"
    )
    assert csv_text.splitlines()[1].endswith(",recipe,Amber dunes at dusk — Recipe,0,0,0,usd")


def test_only_onboarded_creators_can_publish_a_paid_blueprint(
    owner: Any, shop_factory: Any
) -> None:
    from blueprints import services as blueprint_services
    from blueprints.models import BlueprintResource, VersionState

    shop = shop_factory(owner, recipe_price=0, blueprint_price=0)
    draft = shop.version
    resources = list(draft.resources.all())
    draft.pk = None
    draft.number, draft.state, draft.price_minor = 2, VersionState.VERIFIED, 900
    draft.save()
    for resource in resources:
        BlueprintResource.objects.create(
            version=draft,
            kind=resource.kind,
            name=resource.name,
            model_version=resource.model_version,
        )

    with pytest.raises(DomainError) as error:
        blueprint_services.blueprint_version_publish(version=draft, user=owner)
    assert (error.value.code, error.value.field) == ("payouts_not_ready", "price")
    draft.refresh_from_db()
    assert draft.state == VersionState.VERIFIED

    set_onboarded_flags(owner)
    published = blueprint_services.blueprint_version_publish(version=draft, user=owner)
    assert published.state == VersionState.LISTED


def set_onboarded_flags(user: Any) -> None:
    profile = user.profile
    profile.stripe_account_id = "acct_unit"
    profile.charges_enabled = profile.payouts_enabled = profile.details_submitted = True
    profile.save()


def test_an_order_is_visible_to_its_buyer_only(free_shop: Any, buyer: Any, stranger: Any) -> None:
    entitlement = acquire_free(buyer, free_shop, "recipe")

    mine = api(buyer).get(f"/api/v1/orders/{entitlement.order_id}/")
    theirs = api(stranger).get(f"/api/v1/orders/{entitlement.order_id}/")

    assert mine.status_code == 200
    body = mine.json()
    assert (body["state"], body["total"], body["fee"], body["currency"]) == ("paid", 0, 0, "usd")
    assert body["items"] == [
        {
            "type": "recipe",
            "id": free_shop.recipe.pk,
            "post_id": free_shop.post.pk,
            "title": "Amber dunes at dusk — Recipe",
            "price": 0,
            "currency": "usd",
        }
    ]
    assert theirs.status_code == 404


def test_buying_what_you_already_own_is_refused(free_shop: Any, buyer: Any) -> None:
    acquire_free(buyer, free_shop, "recipe")

    response = api(buyer).post(
        "/api/v1/checkout/",
        {"items": [{"type": "recipe", "id": free_shop.recipe.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "already_owned"
    assert Order.objects.count() == 1


def test_an_unlisted_blueprint_cannot_be_bought(free_shop: Any, buyer: Any) -> None:
    from blueprints.models import VersionState

    free_shop.version.__class__.objects.filter(pk=free_shop.version.pk).update(
        state=VersionState.VERIFIED
    )

    response = api(buyer).post(
        "/api/v1/checkout/",
        {"items": [{"type": "blueprint", "id": free_shop.blueprint.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "not_found",
        "message": f"No Blueprint with id {free_shop.blueprint.pk} has a listed (verified) "
        "version on sale.",
        "field": "items[0]",
    }
    assert Order.objects.count() == 0


def test_buy_form_errors_never_redirect_off_site(free_shop: Any, owner: Any) -> None:
    page = Client()
    page.force_login(owner)

    response = page.post(
        "/checkout/buy/",
        {"item": f"recipe:{free_shop.recipe.pk}", "next": "https://evil.example/steal"},
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    assert Order.objects.count() == 0


def test_only_creators_with_payouts_can_price_a_recipe_above_zero(stranger: Any, make_post: Any) -> None:
    from marketplace.recipes.models import Recipe
    from marketplace.recipes.recipe_input import RecipeValidationError
    from marketplace.recipes.services import recipe_upsert

    post = make_post(stranger, tool="dalle")
    data = {"tool": "dalle", "prompt": "a quiet harbour", "params": {}, "price": {"amount": 499, "currency": "usd"}}
    with pytest.raises(RecipeValidationError) as error:
        recipe_upsert(post=post, user=stranger, data=data)
    assert error.value.field == "price.amount"
    assert "payouts" in error.value.message
    assert not Recipe.objects.exists()
    recipe_upsert(post=post, user=stranger, data={**data, "price": {"amount": 0, "currency": "usd"}})
    assert Recipe.objects.get().price_minor == 0

