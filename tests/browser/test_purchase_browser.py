"""A whole purchase in headless Chromium: log in, buy a Blueprint, pay on the Stripe
stand-in's page, land on the success page, download the zip and check its fingerprint."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from marketplace.commerce.models import Entitlement, Order, OrderState
from marketplace.commerce.services.bundle import buyer_fingerprint
from tests.commerce.conftest import Stripe, make_shop, onboard
from tests.commerce.conftest import stripe_standin as stripe_standin
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls here do not run
    # concurrently with it (page calls block).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
        connections.close_all()


def test_buyer_pays_on_the_standin_and_downloads_a_fingerprinted_zip(
    browser_page: Any,
    live_server: Any,
    stripe_standin: Stripe,
    owner: Any,
    buyer: Any,
    make_post: Any,
) -> None:
    onboard(owner, stripe_standin)
    shop = make_shop(owner, make_post)
    page = browser_page

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_identifier", buyer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/posts/{shop.post.pk}/")
    page.click("#buy-blueprint")

    page.wait_for_url(f"{stripe_standin.standin.url}/c/pay/**")
    assert page.inner_text("#total") == "15.00 USD"
    page.click("#pay-card")

    page.wait_for_url(f"{live_server.url}/checkout/success/**")
    assert page.get_attribute("#order-state", "data-state") == "paid"
    page.click("#go-library")
    entitlement = Entitlement.objects.get(buyer=buyer)
    with page.expect_download() as download_info:
        # The library link answers 302 to the signed URL, which serves the zip.
        page.evaluate(
            "url => { window.location.href = url }", f"/api/v1/library/{entitlement.pk}/download/"
        )
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))

    order = Order.objects.get(buyer=buyer)
    assert order.state == OrderState.PAID
    assert download_info.value.suggested_filename == "amber-dunes-at-dusk-blueprint-v1.zip"
    workflow = json.loads(archive.read("workflow.json"))
    assert workflow["extra"]["kiln"] == {
        "order": order.pk,
        "fingerprint": buyer_fingerprint(entitlement=entitlement),
        "post": f"{live_server.url}/posts/{shop.post.pk}/",
        "blueprint_version": 1,
    }
    assert [model["hash"] for model in workflow["models"]] == ["ab" * 32]
    assert "v1-5-pruned-emaonly.safetensors" in archive.read("README.md").decode()
    assert json.loads(archive.read("workflow_api.json")) == shop.version.graph_api
