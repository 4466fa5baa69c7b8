"""Signed webhooks: what a completed, settled, failed or expired session sends, and how."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import stripe

from marketplace.commerce.stripe_standin import StandInControl, StripeStandIn
from marketplace.commerce.stripe_standin.control_client import StandInControlError

SessionFactory = Callable[..., stripe.checkout.Session]
PLATFORM_SECRET = "whsec_platform_test_secret"
CONNECT_SECRET = "whsec_connect_test_secret"


def test_card_payment_sends_a_completed_event_that_construct_event_accepts(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    session = make_session()

    control.complete_session(session_id=session.id, payment_method="card")
    assert standin.wait_for_webhooks()

    [delivery] = platform_receiver.deliveries
    event = stripe.Webhook.construct_event(delivery.body, delivery.signature, PLATFORM_SECRET)
    assert isinstance(event, stripe.Event)
    assert event.type == "checkout.session.completed"
    assert event.id.startswith("evt_")
    assert (event.object, event.livemode, event.api_version) == ("event", False, stripe.api_version)
    assert isinstance(event.data.object, stripe.checkout.Session)
    assert event.data.object.id == session.id
    assert event.data.object.payment_status == "paid"
    assert event.data.object.payment_intent.startswith("pi_")
    assert delivery.content_type == "application/json; charset=utf-8"


def test_signature_is_rejected_with_the_wrong_secret_or_a_changed_body(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()
    [delivery] = platform_receiver.deliveries

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivery.body, delivery.signature, CONNECT_SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivery.body + b" ", delivery.signature, PLATFORM_SECRET)


def test_event_is_retrievable_and_listed_through_the_api(
    make_session: SessionFactory,
    control: StandInControl,
    standin: StripeStandIn,
    client,
    platform_receiver,
) -> None:
    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()
    delivered = platform_receiver.deliveries[0].event

    fetched = client.v1.events.retrieve(delivered["id"])
    listed = client.v1.events.list(params={"type": "checkout.session.completed"})

    assert fetched.type == "checkout.session.completed"
    assert fetched.data.object.id == delivered["data"]["object"]["id"]
    assert [event.id for event in listed.data] == [delivered["id"]]
    assert fetched.pending_webhooks == 1


def test_async_payment_completes_unpaid_then_succeeds(
    make_session: SessionFactory,
    control: StandInControl,
    standin: StripeStandIn,
    client,
    platform_receiver,
) -> None:
    session = make_session()

    completed = control.complete_session(session_id=session.id, payment_method="async")
    intent_while_processing = client.v1.payment_intents.retrieve(completed["payment_intent"])
    control.succeed_async_payment(session_id=session.id)
    assert standin.wait_for_webhooks()

    assert (completed["status"], completed["payment_status"]) == ("complete", "unpaid")
    assert intent_while_processing.status == "processing"
    assert platform_receiver.event_types() == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]
    [first, second] = [delivery.event for delivery in platform_receiver.deliveries]
    assert first["data"]["object"]["payment_status"] == "unpaid"
    assert second["data"]["object"]["payment_status"] == "paid"
    assert client.v1.payment_intents.retrieve(completed["payment_intent"]).status == "succeeded"


def test_async_payment_failure_leaves_the_session_unpaid(
    make_session: SessionFactory,
    control: StandInControl,
    standin: StripeStandIn,
    client,
    platform_receiver,
) -> None:
    session = make_session()
    control.complete_session(session_id=session.id, payment_method="async")

    control.fail_async_payment(session_id=session.id)
    assert standin.wait_for_webhooks()

    assert platform_receiver.event_types() == [
        "checkout.session.completed",
        "checkout.session.async_payment_failed",
    ]
    fetched = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge"]}
    )
    assert (fetched.status, fetched.payment_status) == ("complete", "unpaid")
    assert fetched.payment_intent.status == "requires_payment_method"
    assert fetched.payment_intent.latest_charge.status == "failed"


def test_settling_a_card_payment_as_async_is_refused(
    make_session: SessionFactory, control: StandInControl
) -> None:
    session = make_session()
    control.complete_session(session_id=session.id)

    with pytest.raises(StandInControlError) as raised:
        control.succeed_async_payment(session_id=session.id)

    assert raised.value.status == 400
    assert raised.value.body["error"]["type"] == "invalid_request_error"


def test_expiry_sends_checkout_session_expired(
    make_session: SessionFactory, client, standin: StripeStandIn, platform_receiver
) -> None:
    session = make_session()

    client.v1.checkout.sessions.expire(session.id)
    assert standin.wait_for_webhooks()

    assert platform_receiver.event_types() == ["checkout.session.expired"]


def test_each_event_can_be_delivered_several_times_with_the_same_id(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    control.set_delivery(copies=3)

    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()

    ids = [delivery.event["id"] for delivery in platform_receiver.deliveries]
    assert len(ids) == 3
    assert len(set(ids)) == 1
    for delivery in platform_receiver.deliveries:
        stripe.Webhook.construct_event(delivery.body, delivery.signature, PLATFORM_SECRET)


def test_an_existing_event_can_be_resent_many_times(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()
    event_id = platform_receiver.deliveries[0].event["id"]

    control.resend_event(event_id=event_id, copies=50)
    assert standin.wait_for_webhooks()

    assert [delivery.event["id"] for delivery in platform_receiver.deliveries] == [event_id] * 51


def test_held_events_are_released_out_of_order(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    session = make_session()
    control.set_delivery(hold=True)
    control.complete_session(session_id=session.id, payment_method="async")
    control.succeed_async_payment(session_id=session.id)
    assert standin.wait_for_webhooks()
    delivered_while_held = len(platform_receiver.deliveries)

    released = control.release_held(order="reversed")
    assert standin.wait_for_webhooks()

    assert delivered_while_held == 0
    assert released == 2
    assert platform_receiver.event_types() == [
        "checkout.session.async_payment_succeeded",
        "checkout.session.completed",
    ]


def test_non_2xx_answers_are_retried_until_accepted(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    platform_receiver.scripted_statuses.extend([500, 503])

    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()

    attempts = control.delivery_attempts()
    assert [(attempt["attempt"], attempt["status"]) for attempt in attempts] == [
        (1, 500),
        (2, 503),
        (3, 200),
    ]
    assert len(platform_receiver.deliveries) == 3


def test_retries_stop_after_the_configured_number(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    platform_receiver.scripted_statuses.extend([500] * 10)

    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()

    # One attempt plus the three retries the fixture configures.
    assert [attempt["status"] for attempt in control.delivery_attempts()] == [500, 500, 500, 500]


def test_payload_is_stripes_event_envelope(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    control.complete_session(session_id=make_session().id)
    assert standin.wait_for_webhooks()

    payload = json.loads(platform_receiver.deliveries[0].body)

    assert sorted(payload) == [
        "api_version",
        "created",
        "data",
        "id",
        "livemode",
        "object",
        "pending_webhooks",
        "request",
        "type",
    ]
    assert "account" not in payload


def test_delayed_events_stay_queued_until_their_delay_passes(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    control.set_delivery(delay_seconds=3600)

    control.complete_session(session_id=make_session().id)
    idle = standin.wait_for_webhooks(timeout_seconds=0.2)

    assert idle is False
    assert platform_receiver.deliveries == []
    assert control.delivery_attempts() == []


def test_delivery_settings_reject_bad_values(control: StandInControl) -> None:
    with pytest.raises(StandInControlError) as raised:
        control.set_delivery(copies=0)

    assert (raised.value.status, raised.value.body["error"]["param"]) == (400, "copies")


def test_free_session_completes_without_a_payment(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    free_item = {
        "price_data": {"currency": "usd", "unit_amount": 0, "product_data": {"name": "Free"}},
        "quantity": 1,
    }
    session = make_session(line_items=[free_item])

    completed = control.complete_session(session_id=session.id)
    assert standin.wait_for_webhooks()

    assert (completed["status"], completed["payment_status"]) == ("complete", "no_payment_required")
    assert completed["payment_intent"] is None
    assert platform_receiver.event_types() == ["checkout.session.completed"]


def test_events_list_filters_by_type_prefix_and_pages_newest_first(
    make_session: SessionFactory, control: StandInControl, client: stripe.StripeClient
) -> None:
    first = make_session()
    second = make_session()
    control.complete_session(session_id=first.id)
    control.complete_session(session_id=second.id)
    client.v1.checkout.sessions.expire(make_session().id)

    completed = client.v1.events.list(params={"type": "checkout.session.completed", "limit": 1})
    everything = list(
        client.v1.events.list(params={"type": "checkout.session.*"}).auto_paging_iter()
    )

    assert [event.data.object.id for event in completed.data] == [second.id]
    assert completed.has_more is True
    assert [event.type for event in everything] == [
        "checkout.session.expired",
        "checkout.session.completed",
        "checkout.session.completed",
    ]


def test_advancing_the_clock_past_expires_at_sends_checkout_session_expired(
    make_session: SessionFactory, control: StandInControl, standin: StripeStandIn, platform_receiver
) -> None:
    session = make_session()

    control.advance_clock(seconds=24 * 3600)
    assert standin.wait_for_webhooks()

    assert platform_receiver.event_types() == ["checkout.session.expired"]
    assert platform_receiver.deliveries[0].event["data"]["object"]["id"] == session.id
