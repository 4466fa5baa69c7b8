"""Creator payouts (Connect onboarding) and the checkout success page, against the stand-in."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketplace.commerce.models import Entitlement, Order, OrderState, StripeEvent

pytestmark = pytest.mark.django_db(transaction=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def open_without_redirect(url: str) -> tuple[int, str]:
    """GET ``url`` and return (status, Location) without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(url, timeout=10)
        return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_onboarding_link_refresh_mints_a_new_link_and_return_reads_the_account(
    stripe_standin: Any, owner: Any
) -> None:
    client = logged_in(owner)
    first = client.post("/payouts/start/")
    assert first.status_code == 302 and "/setup/e/acct_" in first["Location"]
    owner.profile.refresh_from_db()
    account_id = owner.profile.stripe_account_id
    assert account_id.startswith("acct_")

    assert open_without_redirect(first["Location"])[0] == 200
    status, refresh = open_without_redirect(first["Location"])  # single-use: back to Kiln
    assert status == 303
    assert refresh.endswith("/payouts/refresh/")
    second = client.get("/payouts/refresh/")
    assert second.status_code == 302 and second["Location"] != first["Location"]

    # Returning without finishing: the return page asks Stripe and finds nothing enabled.
    client.get("/payouts/return/")
    owner.profile.refresh_from_db()
    assert owner.profile.can_sell_paid_items is False

    # Finishing with the Connect webhook held: the return page alone gets the flags from Stripe.
    stripe_standin.control.set_delivery(hold=True)
    stripe_standin.control.onboard_account(account_id=account_id)
    client.get("/payouts/return/")
    owner.profile.refresh_from_db()
    assert (
        owner.profile.charges_enabled,
        owner.profile.payouts_enabled,
        owner.profile.details_submitted,
    ) == (True, True, True)
    assert StripeEvent.objects.filter(type="account.updated").count() == 0


def test_account_updated_webhook_keeps_the_flags(stripe_standin: Any, owner: Any) -> None:
    logged_in(owner).post("/payouts/start/")
    owner.profile.refresh_from_db()

    stripe_standin.control.onboard_account(
        account_id=owner.profile.stripe_account_id, payouts_enabled=False
    )
    stripe_standin.control.wait_for_webhooks()

    owner.profile.refresh_from_db()
    assert (owner.profile.charges_enabled, owner.profile.payouts_enabled) == (True, False)
    assert StripeEvent.objects.get(type="account.updated").endpoint == "connect"


def test_success_page_fulfils_before_the_webhook_arrives(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    api = APIClient()
    api.force_authenticate(buyer)
    order = Order.objects.get(
        pk=api.post(
            "/api/v1/checkout/",
            {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk}]},
            format="json",
        ).json()["order_id"]
    )
    stripe_standin.control.set_delivery(hold=True)
    stripe_standin.control.complete_session(session_id=order.stripe_checkout_session_id)

    page = logged_in(buyer).get(f"/checkout/success/?session_id={order.stripe_checkout_session_id}")

    assert 'data-state="paid"' in page.content.decode()
    assert Entitlement.objects.filter(buyer=buyer).count() == 1
    stripe_standin.control.release_held()
    stripe_standin.control.wait_for_webhooks()
    assert Entitlement.objects.filter(buyer=buyer).count() == 1


def test_success_page_of_someone_elses_session_is_404(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any, stranger: Any
) -> None:
    api = APIClient()
    api.force_authenticate(buyer)
    order_id = api.post(
        "/api/v1/checkout/",
        {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk}]},
        format="json",
    ).json()["order_id"]
    session_id = Order.objects.get(pk=order_id).stripe_checkout_session_id

    assert logged_in(stranger).get(f"/checkout/success/?session_id={session_id}").status_code == 404


def test_an_expired_session_expires_the_order(
    onboarded_shop: Any, stripe_standin: Any, buyer: Any
) -> None:
    api = APIClient()
    api.force_authenticate(buyer)
    order = Order.objects.get(
        pk=api.post(
            "/api/v1/checkout/",
            {"items": [{"type": "recipe", "id": onboarded_shop.recipe.pk}]},
            format="json",
        ).json()["order_id"]
    )

    stripe_standin.control.expire_session(session_id=order.stripe_checkout_session_id)
    stripe_standin.control.wait_for_webhooks()

    order.refresh_from_db()
    assert order.state == OrderState.EXPIRED
    assert Entitlement.objects.count() == 0


def test_demo_payouts_command_reonboards_an_account_the_standin_forgot(
    stripe_standin: Any, owner: Any
) -> None:
    from django.core.management import call_command

    profile = owner.profile
    profile.stripe_account_id = "acct_forgotten_by_a_restart"
    profile.save()

    call_command("commerce_standin_payouts", "owner", verbosity=0)

    owner.profile.refresh_from_db()
    assert owner.profile.stripe_account_id != "acct_forgotten_by_a_restart"
    assert owner.profile.can_sell_paid_items is True
