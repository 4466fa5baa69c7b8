"""Whole purchases against the started Stripe stand-in, with its signed webhooks delivered to
the live server."""

from __future__ import annotations

import io
import threading
import zipfile
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketplace.commerce.models import Entitlement, Order, OrderState, StripeEvent
from marketplace.commerce.services.bundle import buyer_fingerprint
from marketplace.commerce.services.fulfilment import order_fulfil_from_session

pytestmark = pytest.mark.django_db(transaction=True)


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def start(buyer: Any, items: list[dict[str, Any]]) -> Order:
    response = api(buyer).post("/api/v1/checkout/", {"items": items}, format="json")
    assert response.status_code == 201, response.content
    return Order.objects.get(pk=response.json()["order_id"])


def test_paid_card_checkout_grants_the_blueprint_and_the_zip_carries_the_buyer_fingerprint(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any, owner: Any
) -> None:
    order = start(buyer, [{"type": "blueprint", "id": onboarded_shop.blueprint.pk}])
    assert (order.state, order.total_minor, order.fee_minor) == (OrderState.PENDING, 1500, 300)

    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    assert order.state == OrderState.PAID
    item = order.items.get()
    assert (item.transfer_amount_minor, item.transfer_id.startswith("tr_")) == (1200, True)
    entitlement = Entitlement.objects.get(buyer=buyer)
    library = api(buyer).get("/api/v1/library/").json()["results"]
    assert [(e["id"], e["type"], e["latest_version"]["number"]) for e in library] == [
        (entitlement.pk, "blueprint", 1)
    ]
    redirect = api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/")
    assert redirect.status_code == 302
    served = Client().get(redirect["Location"].removeprefix(stripe_standin_site(redirect)))
    assert served.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(served.content))
    assert set(archive.namelist()) >= {
        "workflow.json",
        "workflow_api.json",
        "README.md",
        "settings.json",
        "NOTES.md",
        "verification.json",
        "environment.lock.json",
    }
    workflow = __import__("json").loads(archive.read("workflow.json"))
    assert workflow["extra"]["kiln"]["fingerprint"] == buyer_fingerprint(entitlement=entitlement)
    assert workflow["extra"]["kiln"]["order"] == order.pk
    assert workflow["models"] == [
        {
            "name": "v1-5-pruned-emaonly.safetensors",
            "url": "https://example.test/sd15",
            "hash": "ab" * 32,
            "hash_type": "SHA256",
            "directory": "checkpoints",
        }
    ]
    assert "urn:air:sd1:checkpoint:kiln:1@1" in archive.read("README.md").decode()


def stripe_standin_site(response: Any) -> str:
    location = response["Location"]
    return location[: location.index("/downloads/")]


def test_webhook_and_success_page_racing_grant_one_entitlement(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    stripe_standin.control.set_delivery(hold=True)
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)

    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def success_page() -> None:
        try:
            barrier.wait()
            order_fulfil_from_session(session_id=order.stripe_checkout_session_id)
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=success_page) for _ in range(2)]
    for thread in threads:
        thread.start()
    stripe_standin.control.release_held()
    barrier.wait()
    stripe_standin.control.wait_for_webhooks()
    for thread in threads:
        thread.join()

    assert errors == []
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert Entitlement.objects.filter(buyer=buyer).count() == 1
    assert list(order.events.values_list("to_state", flat=True)) == ["pending", "paid"]


def test_the_same_event_delivered_50_times_makes_one_paid_order(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    stripe_standin.control.set_delivery(copies=50)
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert StripeEvent.objects.filter(type="checkout.session.completed").count() == 1
    assert order.events.filter(to_state="paid").count() == 1
    assert Entitlement.objects.filter(buyer=buyer).count() == 1


def test_refund_revokes_the_download_and_removes_the_review(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()
    entitlement = Entitlement.objects.get(buyer=buyer)
    review = api(buyer).post(
        "/api/v1/reviews/",
        {"type": "recipe", "id": onboarded_shop.recipe.pk, "rating": 5, "text": "Lovely"},
        format="json",
    )
    assert review.status_code == 201
    full = api(buyer).get(f"/api/v1/posts/{onboarded_shop.post.pk}/recipe/").json()
    assert "secret-prompt-words" in full["prompt"]

    order.refresh_from_db()
    stripe_standin.control.refund(payment_intent=order.stripe_payment_intent_id)
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    assert api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/").status_code == 403
    assert onboarded_shop.post.reviews.count() == 0
    assert "prompt" not in api(buyer).get(f"/api/v1/posts/{onboarded_shop.post.pk}/recipe/").json()


def test_async_payment_success_and_failure(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any, stranger: Any
) -> None:
    paid = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    failed = start(stranger, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    for order in (paid, failed):
        stripe_standin.control.complete_session(
            session_id=order.stripe_checkout_session_id, payment_method="async"
        )
    stripe_standin.control.wait_for_webhooks()
    paid.refresh_from_db()
    assert paid.state == OrderState.PROCESSING

    stripe_standin.control.succeed_async_payment(session_id=paid.stripe_checkout_session_id)
    stripe_standin.control.fail_async_payment(session_id=failed.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()

    paid.refresh_from_db()
    failed.refresh_from_db()
    assert (paid.state, failed.state) == (OrderState.PAID, OrderState.FAILED)
    assert list(Entitlement.objects.values_list("buyer_id", flat=True)) == [buyer.pk]


def test_async_events_out_of_order_still_end_paid(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    stripe_standin.control.set_delivery(hold=True)
    stripe_standin.control.complete_session(
        session_id=order.stripe_checkout_session_id, payment_method="async"
    )
    stripe_standin.control.succeed_async_payment(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.release_held(order="reversed")
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert list(order.events.values_list("to_state", flat=True)) == ["pending", "paid"]


def test_dispute_freezes_the_entitlement(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(buyer, [{"type": "blueprint", "id": onboarded_shop.blueprint.pk}])
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()
    order.refresh_from_db()

    stripe_standin.control.dispute(charge_id=order.stripe_charge_id)
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    entitlement = Entitlement.objects.get(buyer=buyer)
    assert (order.disputed, order.state, entitlement.frozen_at is not None) == (
        True,
        OrderState.PAID,
        True,
    )
    assert api(buyer).get(f"/api/v1/library/{entitlement.pk}/download/").status_code == 403


def test_bundle_of_recipe_and_blueprint_is_one_session_with_the_fee_of_both(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(
        buyer,
        [
            {"type": "recipe", "id": onboarded_shop.recipe.pk},
            {"type": "blueprint", "id": onboarded_shop.blueprint.pk},
        ],
    )
    assert (order.total_minor, order.fee_minor) == (1999, 400)
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()
    assert sorted(Entitlement.objects.filter(buyer=buyer).values_list("kind", flat=True)) == [
        "blueprint",
        "recipe",
    ]


def test_price_fields_in_the_request_are_refused_and_change_nothing(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    for body in (
        {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk, "price": 1}]},
        {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk}], "amount": 1},
        {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk, "unit_amount": 1, "fee": 0}]},
    ):
        response = api(buyer).post("/api/v1/checkout/", body, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["message"].startswith("Unknown field")
    assert Order.objects.count() == 0
    order = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    assert (order.total_minor, order.fee_minor) == (499, 100)


def test_a_refund_processed_before_the_payment_event_still_ends_refunded(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    order = start(buyer, [{"type": "recipe", "id": onboarded_shop.recipe.pk}])
    stripe_standin.control.set_delivery(hold=True)
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)
    charge_id = _charge_of_session(stripe_standin, order.stripe_checkout_session_id)
    stripe_standin.control.refund(charge=charge_id)
    stripe_standin.control.release_held(order="reversed")
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    assert Entitlement.objects.active().filter(buyer=buyer).count() == 0
    assert Entitlement.objects.filter(buyer=buyer).count() == 1


def _charge_of_session(stripe_standin: Any, session_id: str) -> str:
    from marketplace.commerce.stripe_client import stripe_client

    session = stripe_client().v1.checkout.sessions.retrieve(
        session_id, params={"expand": ["payment_intent"]}
    )
    return str(session.payment_intent.latest_charge)


def test_a_checkout_stripe_refuses_is_a_502_and_the_order_is_closed(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any, owner: Any
) -> None:
    # A destination account Stripe does not know (e.g. deleted): session creation fails.
    owner.profile.stripe_account_id = "acct_unknown_to_stripe"
    owner.profile.save()

    response = api(buyer).post(
        "/api/v1/checkout/",
        {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk}]},
        format="json",
    )

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "payment_provider_error"
    assert list(Order.objects.values_list("state", flat=True)) == [OrderState.FAILED]
