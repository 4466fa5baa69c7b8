"""Checkout Sessions through the real stripe library: shapes, expand, errors, idempotency."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests
import stripe

from marketplace.commerce.stripe_standin import StandInControl, StripeStandIn

SessionFactory = Callable[..., stripe.checkout.Session]
API_KEY = "sk_test_basic_auth_key"


def test_created_session_parses_as_a_stripe_session_with_stripes_fields(
    make_session: SessionFactory, standin: StripeStandIn
) -> None:
    session = make_session()

    assert isinstance(session, stripe.checkout.Session)
    assert session.id.startswith("cs_test_")
    assert (session.object, session.livemode, session.mode) == (
        "checkout.session",
        False,
        "payment",
    )
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (1999, "usd")
    assert session.client_reference_id == "order-7"
    assert session.customer_email == "buyer@kiln.test"
    assert session.metadata.to_dict() == {"order_id": "7"}
    assert session.payment_intent is None
    assert session.url == f"{standin.url}/c/pay/{session.id}"
    assert session.expires_at == session.created + 24 * 3600
    assert "line_items" not in session


def test_retrieve_with_expand_includes_line_items_and_the_payment_intent(
    make_session: SessionFactory, client: stripe.StripeClient, control: StandInControl
) -> None:
    session = make_session()
    control.complete_session(session_id=session.id)

    fetched = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["line_items", "payment_intent"]}
    )

    assert fetched.payment_status == "paid"
    assert isinstance(fetched.line_items, stripe.ListObject)
    [item] = fetched.line_items.data
    assert isinstance(item, stripe.LineItem)
    assert (item.description, item.quantity, item.amount_total) == ("Misty forest Recipe", 1, 1999)
    assert (item.price.unit_amount, item.price.currency) == (1999, "usd")
    assert isinstance(fetched.payment_intent, stripe.PaymentIntent)
    assert fetched.payment_intent.status == "succeeded"
    assert fetched.payment_intent.amount == 1999


def test_nested_expand_reaches_the_charge_and_the_product(
    make_session: SessionFactory, client: stripe.StripeClient, control: StandInControl
) -> None:
    session = make_session()
    control.complete_session(session_id=session.id)

    fetched = client.v1.checkout.sessions.retrieve(
        session.id,
        params={"expand": ["payment_intent.latest_charge", "line_items.data.price.product"]},
    )

    charge = fetched.payment_intent.latest_charge
    assert isinstance(charge, stripe.Charge)
    assert (charge.status, charge.paid, charge.amount) == ("succeeded", True, 1999)
    assert fetched.line_items.data[0].price.product.metadata.to_dict() == {"item": "recipe-3"}


def test_line_items_list_endpoint_pages_items(
    make_session: SessionFactory, client: stripe.StripeClient
) -> None:
    items = [
        {
            "price_data": {
                "currency": "usd",
                "unit_amount": 100 * (index + 1),
                "product_data": {"name": f"Item {index}"},
            },
            "quantity": 1,
        }
        for index in range(3)
    ]
    session = make_session(line_items=items)

    first_page = client.v1.checkout.sessions.line_items.list(session.id, params={"limit": 2})
    all_items = list(first_page.auto_paging_iter())

    assert [item.description for item in first_page.data] == ["Item 0", "Item 1"]
    assert first_page.has_more is True
    assert [item.amount_total for item in all_items] == [100, 200, 300]
    assert session.amount_total == 600


def test_unknown_parameter_raises_invalid_request_error_naming_it(
    make_session: SessionFactory,
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        make_session(payment_intent_data={"capture_method": "manual"})

    assert raised.value.http_status == 400
    assert raised.value.code == "parameter_unknown"
    assert raised.value.param == "payment_intent_data[capture_method]"
    assert raised.value.error.type == "invalid_request_error"


def test_missing_required_nested_parameter_is_named(make_session: SessionFactory) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        make_session(line_items=[{"price_data": {"currency": "usd", "unit_amount": 5}}])

    assert (raised.value.code, raised.value.param) == (
        "parameter_missing",
        "line_items[0][quantity]",
    )


def test_unknown_session_id_is_a_404_resource_missing(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_nope")

    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"
    assert raised.value.param == "id"
    assert str(raised.value.user_message) == "No such checkout.session: 'cs_test_nope'"


def test_live_or_missing_keys_are_refused_with_authentication_errors(
    standin: StripeStandIn,
) -> None:
    live_client = stripe.StripeClient("sk_live_realkey123456", base_addresses={"api": standin.url})

    with pytest.raises(stripe.AuthenticationError) as raised:
        live_client.v1.checkout.sessions.list()
    response = requests.get(f"{standin.url}/v1/checkout/sessions", timeout=10)

    assert raised.value.http_status == 401
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["message"].startswith("You did not provide an API key.")


def test_basic_auth_with_the_key_as_username_is_accepted(standin: StripeStandIn) -> None:
    response = requests.get(f"{standin.url}/v1/checkout/sessions", auth=(API_KEY, ""), timeout=10)

    assert response.status_code == 200
    assert response.json() == {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": "/v1/checkout/sessions",
    }


def test_same_idempotency_key_and_params_replays_the_first_response(
    client: stripe.StripeClient, make_session: SessionFactory
) -> None:
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 500,
                    "product_data": {"name": "Blueprint"},
                },
                "quantity": 2,
            }
        ],
    }
    key = f"checkout-{uuid.uuid4()}"

    first = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
    second = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": key})

    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert [session.id for session in client.v1.checkout.sessions.list().data] == [first.id]


def test_same_idempotency_key_with_different_params_is_an_idempotency_error(
    client: stripe.StripeClient,
) -> None:
    key = f"checkout-{uuid.uuid4()}"
    item = {
        "price_data": {
            "currency": "usd",
            "unit_amount": 500,
            "product_data": {"name": "Blueprint"},
        },
        "quantity": 1,
    }
    client.v1.checkout.sessions.create(
        params={"mode": "payment", "line_items": [item]}, options={"idempotency_key": key}
    )

    with pytest.raises(stripe.IdempotencyError) as raised:
        client.v1.checkout.sessions.create(
            params={"mode": "payment", "line_items": [{**item, "quantity": 2}]},
            options={"idempotency_key": key},
        )

    assert raised.value.http_status == 400
    assert raised.value.error.type == "idempotency_error"
    assert len(client.v1.checkout.sessions.list().data) == 1


def test_failed_request_does_not_burn_its_idempotency_key(client: stripe.StripeClient) -> None:
    key = f"checkout-{uuid.uuid4()}"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(
            params={"mode": "payment"}, options={"idempotency_key": key}
        )

    item = {
        "price_data": {
            "currency": "usd",
            "unit_amount": 500,
            "product_data": {"name": "Blueprint"},
        },
        "quantity": 1,
    }
    created = client.v1.checkout.sessions.create(
        params={"mode": "payment", "line_items": [item]}, options={"idempotency_key": key}
    )

    assert created.status == "open"


def test_expire_closes_an_open_session_and_refuses_a_second_time(
    make_session: SessionFactory, client: stripe.StripeClient
) -> None:
    session = make_session()

    expired = client.v1.checkout.sessions.expire(session.id)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.payment_status) == ("expired", "unpaid")
    assert raised.value.http_status == 400


def test_session_expires_when_the_clock_passes_expires_at(
    make_session: SessionFactory, client: stripe.StripeClient, control: StandInControl
) -> None:
    session = make_session()

    control.advance_clock(seconds=24 * 3600)

    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"


def test_expires_at_outside_30_minutes_to_24_hours_is_refused(
    make_session: SessionFactory, client: stripe.StripeClient
) -> None:
    too_soon = make_session().created + 60

    with pytest.raises(stripe.InvalidRequestError) as raised:
        make_session(expires_at=too_soon)

    assert raised.value.param == "expires_at"


def test_application_fee_without_a_destination_is_refused(make_session: SessionFactory) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        make_session(payment_intent_data={"application_fee_amount": 400})

    assert raised.value.param == "payment_intent_data[application_fee_amount]"


def test_destination_must_be_an_onboarded_account(
    make_session: SessionFactory, client: stripe.StripeClient
) -> None:
    fresh = client.v1.accounts.create(params={"type": "express"})

    with pytest.raises(stripe.InvalidRequestError) as missing:
        make_session(payment_intent_data={"transfer_data": {"destination": "acct_missing"}})
    with pytest.raises(stripe.InvalidRequestError) as not_onboarded:
        make_session(payment_intent_data={"transfer_data": {"destination": fresh.id}})

    assert (missing.value.code, missing.value.param) == (
        "resource_missing",
        "payment_intent_data[transfer_data][destination]",
    )
    assert not_onboarded.value.code == "insufficient_capabilities_for_transfer"


def test_unsupported_endpoint_is_a_404_naming_the_path(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.list()

    assert raised.value.http_status == 404
    assert "GET /v1/customers" in str(raised.value.user_message)
