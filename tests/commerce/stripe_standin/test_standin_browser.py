"""The hosted pages clicked through in headless Chromium, as Kiln's purchase test will."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest
import stripe

from marketplace.commerce.stripe_standin import StripeStandIn

pytestmark = pytest.mark.browser

SessionFactory = Callable[..., stripe.checkout.Session]
CHROMIUM = shutil.which("chromium")


@pytest.fixture
def page() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("headless Chromium (Debian package `chromium`) is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser.new_page()
        browser.close()


def test_buyer_clicks_pay_with_card_and_lands_on_success_url(
    page, make_session: SessionFactory, client: stripe.StripeClient, standin: StripeStandIn
) -> None:
    # The stand-in's own health route stands in for Kiln's success page.
    success_url = f"{standin.url}/_standin/health?session_id={{CHECKOUT_SESSION_ID}}"
    session = make_session(success_url=success_url)

    page.goto(session.url)
    total = page.inner_text("#total")
    page.click("text=Pay with card")
    page.wait_for_url(f"{standin.url}/_standin/health?session_id={session.id}")

    assert total == "19.99 USD"
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_creator_submits_onboarding_and_lands_on_return_url(
    page, client: stripe.StripeClient, standin: StripeStandIn
) -> None:
    account = client.v1.accounts.create(params={"type": "express"})
    return_url = f"{standin.url}/_standin/health?returned=1"
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": f"{standin.url}/_standin/health?refresh=1",
            "return_url": return_url,
            "type": "account_onboarding",
        }
    )

    page.goto(link.url)
    page.click("text=Submit details")
    page.wait_for_url(return_url)

    assert client.v1.accounts.retrieve(account.id).details_submitted is True
