"""Destination charges, refunds, disputes and transfers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import stripe

from marketplace.commerce.stripe_standin import StandInControl, StripeStandIn

SessionFactory = Callable[..., stripe.checkout.Session]
PLATFORM_SECRET = "whsec_platform_test_secret"


def _paid_session(
    make_session: SessionFactory, control: StandInControl, **overrides: object
) -> str:
    session = make_session(**overrides)
    control.complete_session(session_id=session.id)
    return session.id


def test_destination_charge_records_the_fee_and_transfers_to_the_creator(
    make_session: SessionFactory,
    control: StandInControl,
    client: stripe.StripeClient,
    onboarded_account: stripe.Account,
) -> None:
    session_id = _paid_session(
        make_session,
        control,
        payment_intent_data={
            "application_fee_amount": 400,
            "transfer_data": {"destination": onboarded_account.id},
            "metadata": {"order_id": "7"},
        },
    )

    session = client.v1.checkout.sessions.retrieve(
        session_id, params={"expand": ["payment_intent.latest_charge"]}
    )
    intent = session.payment_intent
    charge = intent.latest_charge
    transfer = client.v1.transfers.retrieve(charge.transfer)
    fee = client.v1.application_fees.retrieve(charge.application_fee)

    assert intent.application_fee_amount == 400
    assert intent.transfer_data.destination == onboarded_account.id
    assert intent.metadata.to_dict() == {"order_id": "7"}
    assert (charge.application_fee_amount, charge.payment_intent) == (400, intent.id)
    assert (transfer.amount, transfer.destination, transfer.source_transaction) == (
        1999,
        onboarded_account.id,
        charge.id,
    )
    assert transfer.transfer_group == intent.transfer_group
    assert (fee.amount, fee.account, fee.charge) == (400, onboarded_account.id, charge.id)


def test_full_refund_by_payment_intent_sends_charge_refunded(
    make_session: SessionFactory,
    control: StandInControl,
    client: stripe.StripeClient,
    standin: StripeStandIn,
    platform_receiver,
) -> None:
    session = client.v1.checkout.sessions.retrieve(_paid_session(make_session, control))

    refund = client.v1.refunds.create(params={"payment_intent": session.payment_intent})
    assert standin.wait_for_webhooks()

    assert isinstance(refund, stripe.Refund)
    assert (refund.amount, refund.status, refund.payment_intent) == (
        1999,
        "succeeded",
        session.payment_intent,
    )
    assert refund.charge.startswith("ch_")
    assert client.v1.refunds.retrieve(refund.id).charge == refund.charge
    refunded = platform_receiver.deliveries[-1]
    event = stripe.Webhook.construct_event(refunded.body, refunded.signature, PLATFORM_SECRET)
    assert event.type == "charge.refunded"
    assert (
        event.data.object.id,
        event.data.object.refunded,
        event.data.object.amount_refunded,
    ) == (
        refund.charge,
        True,
        1999,
    )
    assert event.data.previous_attributes.to_dict() == {"amount_refunded": 0, "refunded": False}


def test_partial_refunds_add_up_and_over_refunding_is_refused(
    make_session: SessionFactory, control: StandInControl, client: stripe.StripeClient
) -> None:
    session = client.v1.checkout.sessions.retrieve(_paid_session(make_session, control))
    charge_id = client.v1.payment_intents.retrieve(session.payment_intent).latest_charge

    client.v1.refunds.create(params={"charge": charge_id, "amount": 500})
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"charge": charge_id, "amount": 1500})
    client.v1.refunds.create(params={"charge": charge_id, "amount": 1499})
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"charge": charge_id})

    charge = client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (1999, True)
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")
    assert again.value.code == "charge_already_refunded"
    assert [
        refund.amount for refund in client.v1.refunds.list(params={"charge": charge_id}).data
    ] == [1499, 500]


def test_refund_needs_exactly_one_of_charge_or_payment_intent(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as neither:
        client.v1.refunds.create(params={"amount": 100})

    assert (neither.value.code, neither.value.param) == ("parameter_missing", "charge")


def test_refund_with_a_deterministic_idempotency_key_happens_once(
    make_session: SessionFactory, control: StandInControl, client: stripe.StripeClient
) -> None:
    session = client.v1.checkout.sessions.retrieve(_paid_session(make_session, control))
    params = {"payment_intent": session.payment_intent, "amount": 300}

    first = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-order-7"})
    second = client.v1.refunds.create(params=params, options={"idempotency_key": "refund-order-7"})

    assert first.id == second.id
    assert (
        client.v1.payment_intents.retrieve(
            session.payment_intent, params={"expand": ["latest_charge"]}
        ).latest_charge.amount_refunded
        == 300
    )


def test_control_refund_sends_charge_refunded_like_a_dashboard_refund(
    make_session: SessionFactory,
    control: StandInControl,
    client: stripe.StripeClient,
    standin: StripeStandIn,
    platform_receiver,
) -> None:
    session = client.v1.checkout.sessions.retrieve(_paid_session(make_session, control))

    refund = control.refund(payment_intent=session.payment_intent, amount=999)
    assert standin.wait_for_webhooks()

    assert (refund["object"], refund["amount"]) == ("refund", 999)
    assert platform_receiver.event_types() == ["checkout.session.completed", "charge.refunded"]


def test_dispute_sends_charge_dispute_created_and_blocks_refunds(
    make_session: SessionFactory,
    control: StandInControl,
    client: stripe.StripeClient,
    standin: StripeStandIn,
    platform_receiver,
) -> None:
    session = client.v1.checkout.sessions.retrieve(_paid_session(make_session, control))
    charge_id = client.v1.payment_intents.retrieve(session.payment_intent).latest_charge

    dispute = control.dispute(charge_id=charge_id)
    assert standin.wait_for_webhooks()
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.refunds.create(params={"charge": charge_id})

    delivery = platform_receiver.deliveries[-1]
    event = stripe.Webhook.construct_event(delivery.body, delivery.signature, PLATFORM_SECRET)
    assert event.type == "charge.dispute.created"
    assert isinstance(event.data.object, stripe.Dispute)
    assert (event.data.object.id, event.data.object.charge, event.data.object.status) == (
        dispute["id"],
        charge_id,
        "needs_response",
    )
    assert (event.data.object.payment_intent, event.data.object.amount) == (
        session.payment_intent,
        1999,
    )
    assert client.v1.charges.retrieve(charge_id).disputed is True
    assert refused.value.code == "charge_disputed"


def test_transfer_to_an_onboarded_account_and_refusal_for_a_new_one(
    client: stripe.StripeClient, onboarded_account: stripe.Account
) -> None:
    fresh = client.v1.accounts.create(params={"type": "express"})

    transfer = client.v1.transfers.create(
        params={
            "amount": 1200,
            "currency": "usd",
            "destination": onboarded_account.id,
            "transfer_group": "order-9",
        },
        options={"idempotency_key": "transfer-order-9"},
    )
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.create(
            params={"amount": 1200, "currency": "usd", "destination": fresh.id}
        )

    assert isinstance(transfer, stripe.Transfer)
    assert transfer.id.startswith("tr_")
    assert (transfer.amount, transfer.destination, transfer.transfer_group) == (
        1200,
        onboarded_account.id,
        "order-9",
    )
    assert client.v1.transfers.retrieve(transfer.id).amount == 1200
    assert [
        item.id for item in client.v1.transfers.list(params={"transfer_group": "order-9"}).data
    ] == [transfer.id]
    assert (refused.value.code, refused.value.param) == (
        "insufficient_capabilities_for_transfer",
        "destination",
    )


def test_separate_transfers_from_one_charge_cannot_exceed_it(
    make_session: SessionFactory,
    control: StandInControl,
    client: stripe.StripeClient,
    onboarded_account: stripe.Account,
) -> None:
    session = client.v1.checkout.sessions.retrieve(_paid_session(make_session, control))
    charge_id = client.v1.payment_intents.retrieve(session.payment_intent).latest_charge
    params = {
        "currency": "usd",
        "destination": onboarded_account.id,
        "source_transaction": charge_id,
    }

    first = client.v1.transfers.create(params={**params, "amount": 1500})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.create(params={**params, "amount": 500})
    second = client.v1.transfers.create(params={**params, "amount": 499})

    assert (first.source_transaction, second.source_transaction) == (charge_id, charge_id)
    assert refused.value.param == "amount"


def test_refund_can_reverse_the_creator_transfer_and_the_platform_fee(
    make_session: SessionFactory,
    control: StandInControl,
    client: stripe.StripeClient,
    onboarded_account: stripe.Account,
) -> None:
    session_id = _paid_session(
        make_session,
        control,
        payment_intent_data={
            "application_fee_amount": 400,
            "transfer_data": {"destination": onboarded_account.id},
        },
    )
    intent_id = client.v1.checkout.sessions.retrieve(session_id).payment_intent

    refund = client.v1.refunds.create(
        params={
            "payment_intent": intent_id,
            "reverse_transfer": True,
            "refund_application_fee": True,
        }
    )

    charge = client.v1.charges.retrieve(refund.charge)
    transfer = client.v1.transfers.retrieve(charge.transfer)
    fee = client.v1.application_fees.retrieve(charge.application_fee)
    assert refund.transfer_reversal.startswith("trr_")
    assert (transfer.amount_reversed, transfer.reversed) == (1999, True)
    assert (fee.amount_refunded, fee.refunded) == (400, True)
