"""Connect onboarding and the hosted pages a browser clicks through."""

from __future__ import annotations

from collections.abc import Callable

import requests
import stripe

from marketplace.commerce.stripe_standin import StandInControl, StripeStandIn

SessionFactory = Callable[..., stripe.checkout.Session]
PLATFORM_SECRET = "whsec_platform_test_secret"
CONNECT_SECRET = "whsec_connect_test_secret"
RETURN_URL = "http://kiln.test/creator/payouts/return/"
REFRESH_URL = "http://kiln.test/creator/payouts/refresh/"


def _account_link(client: stripe.StripeClient, account_id: str) -> stripe.AccountLink:
    return client.v1.account_links.create(
        params={
            "account": account_id,
            "refresh_url": REFRESH_URL,
            "return_url": RETURN_URL,
            "type": "account_onboarding",
        }
    )


def test_new_express_account_is_not_enabled(client: stripe.StripeClient) -> None:
    account = client.v1.accounts.create(
        params={"type": "express", "email": "creator@kiln.test", "metadata": {"user_id": "12"}}
    )

    fetched = client.v1.accounts.retrieve(account.id)
    assert isinstance(fetched, stripe.Account)
    assert fetched.id.startswith("acct_")
    assert (fetched.type, fetched.email) == ("express", "creator@kiln.test")
    assert (fetched.charges_enabled, fetched.payouts_enabled, fetched.details_submitted) == (
        False,
        False,
        False,
    )
    assert fetched.metadata.to_dict() == {"user_id": "12"}


def test_onboarding_page_finishes_onboarding_and_account_updated_goes_to_connect_only(
    client: stripe.StripeClient, standin: StripeStandIn, platform_receiver, connect_receiver
) -> None:
    account = client.v1.accounts.create(
        params={"type": "express", "capabilities": {"transfers": {"requested": True}}}
    )
    link = _account_link(client, account.id)

    page = requests.get(link.url, timeout=10)
    submitted = requests.post(
        link.url, data={"action": "submit"}, allow_redirects=False, timeout=10
    )
    assert standin.wait_for_webhooks()

    assert isinstance(link, stripe.AccountLink)
    assert link.expires_at == link.created + 300
    assert page.status_code == 200
    assert "Submit details" in page.text
    assert (submitted.status_code, submitted.headers["Location"]) == (303, RETURN_URL)
    assert platform_receiver.deliveries == []
    [delivery] = connect_receiver.deliveries
    event = stripe.Webhook.construct_event(delivery.body, delivery.signature, CONNECT_SECRET)
    assert (event.type, event.account) == ("account.updated", account.id)
    assert (
        event.data.object.charges_enabled,
        event.data.object.payouts_enabled,
        event.data.object.details_submitted,
    ) == (True, True, True)
    assert event.data.previous_attributes.charges_enabled is False
    refreshed = client.v1.accounts.retrieve(account.id)
    assert (refreshed.charges_enabled, refreshed.capabilities.transfers) == (True, "active")


def test_connect_event_is_not_verifiable_with_the_platform_secret(
    client: stripe.StripeClient, control: StandInControl, standin: StripeStandIn, connect_receiver
) -> None:
    account = client.v1.accounts.create(params={"type": "express"})

    control.onboard_account(account_id=account.id)
    assert standin.wait_for_webhooks()

    [delivery] = connect_receiver.deliveries
    try:
        stripe.Webhook.construct_event(delivery.body, delivery.signature, PLATFORM_SECRET)
    except stripe.SignatureVerificationError:
        verified_with_platform_secret = False
    else:
        verified_with_platform_secret = True
    assert verified_with_platform_secret is False


def test_leaving_onboarding_unfinished_returns_without_enabling_anything(
    client: stripe.StripeClient, standin: StripeStandIn, connect_receiver
) -> None:
    account = client.v1.accounts.create(params={"type": "express"})
    link = _account_link(client, account.id)
    requests.get(link.url, timeout=10)

    left = requests.post(link.url, data={"action": "leave"}, allow_redirects=False, timeout=10)
    assert standin.wait_for_webhooks()

    assert (left.status_code, left.headers["Location"]) == (303, RETURN_URL)
    assert client.v1.accounts.retrieve(account.id).charges_enabled is False
    assert connect_receiver.deliveries == []


def test_account_link_is_single_use_and_a_second_visit_goes_to_refresh_url(
    client: stripe.StripeClient,
) -> None:
    account = client.v1.accounts.create(params={"type": "express"})
    link = _account_link(client, account.id)

    first = requests.get(link.url, allow_redirects=False, timeout=10)
    second = requests.get(link.url, allow_redirects=False, timeout=10)

    assert first.status_code == 200
    assert (second.status_code, second.headers["Location"]) == (303, REFRESH_URL)


def test_expired_account_link_goes_to_refresh_url(
    client: stripe.StripeClient, control: StandInControl
) -> None:
    account = client.v1.accounts.create(params={"type": "express"})
    link = _account_link(client, account.id)

    control.advance_clock(seconds=301)
    visit = requests.get(link.url, allow_redirects=False, timeout=10)

    assert (visit.status_code, visit.headers["Location"]) == (303, REFRESH_URL)


def test_account_link_for_an_unknown_account_is_a_404(client: stripe.StripeClient) -> None:
    try:
        _account_link(client, "acct_unknown")
    except stripe.InvalidRequestError as error:
        missing = (error.http_status, error.code, error.param)
    assert missing == (404, "resource_missing", "account")


def test_pay_page_lists_items_and_total(make_session: SessionFactory) -> None:
    session = make_session(
        line_items=[
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 1500,
                    "product_data": {"name": "Recipe <b>"},
                },
                "quantity": 1,
            },
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 250,
                    "product_data": {"name": "Blueprint"},
                },
                "quantity": 2,
            },
        ]
    )

    page = requests.get(session.url, timeout=10)

    assert page.status_code == 200
    assert "Recipe &lt;b&gt;" in page.text
    assert "Blueprint" in page.text
    assert '<strong id="total">20.00 USD</strong>' in page.text
    for label in ("Pay with card", "Pay with bank transfer (async)", "Cancel"):
        assert label in page.text


def test_paying_by_card_on_the_page_redirects_to_success_url_with_the_session_id(
    make_session: SessionFactory,
    client: stripe.StripeClient,
    standin: StripeStandIn,
    platform_receiver,
) -> None:
    session = make_session()

    paid = requests.post(session.url, data={"action": "card"}, allow_redirects=False, timeout=10)
    assert standin.wait_for_webhooks()

    assert paid.status_code == 303
    assert paid.headers["Location"] == f"http://kiln.test/checkout/success/?session_id={session.id}"
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert platform_receiver.event_types() == ["checkout.session.completed"]


def test_paying_by_bank_transfer_on_the_page_completes_unpaid(
    make_session: SessionFactory, client: stripe.StripeClient
) -> None:
    session = make_session()

    requests.post(session.url, data={"action": "async"}, allow_redirects=False, timeout=10)

    fetched = client.v1.checkout.sessions.retrieve(session.id)
    assert (fetched.status, fetched.payment_status) == ("complete", "unpaid")


def test_cancel_on_the_page_redirects_to_cancel_url_and_leaves_the_session_open(
    make_session: SessionFactory, client: stripe.StripeClient
) -> None:
    session = make_session()

    cancelled = requests.post(
        session.url, data={"action": "cancel"}, allow_redirects=False, timeout=10
    )

    assert (cancelled.status_code, cancelled.headers["Location"]) == (
        303,
        "http://kiln.test/checkout/cancel/",
    )
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_paying_twice_on_the_page_is_refused_the_second_time(
    make_session: SessionFactory, standin: StripeStandIn, platform_receiver
) -> None:
    session = make_session()

    requests.post(session.url, data={"action": "card"}, allow_redirects=False, timeout=10)
    again = requests.post(session.url, data={"action": "card"}, allow_redirects=False, timeout=10)
    assert standin.wait_for_webhooks()

    assert again.status_code == 409
    assert platform_receiver.event_types() == ["checkout.session.completed"]


def test_connect_events_are_listed_with_the_stripe_account_header_only(
    client: stripe.StripeClient, control: StandInControl
) -> None:
    account = client.v1.accounts.create(params={"type": "express"})
    control.onboard_account(account_id=account.id)

    platform_events = client.v1.events.list()
    account_events = client.v1.events.list(options={"stripe_account": account.id})

    assert platform_events.data == []
    assert [(event.type, event.account) for event in account_events.data] == [
        ("account.updated", account.id)
    ]
