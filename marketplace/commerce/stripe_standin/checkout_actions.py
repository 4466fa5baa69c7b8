"""What happens to a Checkout Session after it is created: payment, async outcome, expiry.

Each function is one transition Stripe makes (the buyer paying, the bank settling or failing,
the session timing out), changes every object it touches, and emits the event Stripe sends.
Callers hold `store.lock`.
"""

from __future__ import annotations

from . import payment_shapes, shapes
from .errors import invalid_state
from .store import JsonObject, Store

PAYMENT_METHODS = ("card", "async")


def complete_session(*, store: Store, session_id: str, payment_method: str) -> JsonObject:
    """The buyer pays on the hosted page: by card (paid now) or by bank transfer (async).

    Card: `status=complete`, `payment_status=paid`, `checkout.session.completed`.
    Async: `status=complete`, `payment_status=unpaid`, the PaymentIntent `processing`, and the
    money's fate decided later by `succeed_async_payment` or `fail_async_payment`.
    A session whose total is zero completes with `no_payment_required` and no PaymentIntent.
    """
    if payment_method not in PAYMENT_METHODS:
        raise invalid_state(
            param="payment_method",
            message=(
                f"Invalid payment_method: {payment_method!r}. Must be one of "
                f"{', '.join(PAYMENT_METHODS)}."
            ),
        )
    session = store.get(session_id, object_name="checkout.session")
    _require_status(session=session, expected="open", action="completed")
    now = store.clock.now()
    session["status"] = "complete"
    session["customer_details"] = shapes.customer_details(email=session["customer_email"])
    if session["amount_total"] == 0:
        session["payment_status"] = "no_payment_required"
        return _emit_session_event(
            store=store, session=session, event_type="checkout.session.completed"
        )
    method_type = "card" if payment_method == "card" else "us_bank_account"
    intent = store.add(
        payment_shapes.payment_intent(
            amount=session["amount_total"],
            currency=session["currency"],
            created=now,
            method_type=method_type,
            payment_intent_data=store.private[session_id]["payment_intent_data"],
            receipt_email=session["customer_email"],
        )
    )
    details = (
        payment_shapes.CARD_DETAILS if payment_method == "card" else payment_shapes.BANK_DETAILS
    )
    charge = store.add(
        payment_shapes.charge(
            intent=intent,
            created=now,
            method_details=details,
            billing_email=session["customer_email"],
        )
    )
    intent["latest_charge"] = charge["id"]
    session["payment_intent"] = intent["id"]
    session["payment_method_types"] = [method_type]
    if payment_method == "card":
        _settle(store=store, session=session, intent=intent, charge=charge)
    return _emit_session_event(
        store=store, session=session, event_type="checkout.session.completed"
    )


def succeed_async_payment(*, store: Store, session_id: str) -> JsonObject:
    """The bank confirms a delayed payment: the session becomes paid."""
    session, intent, charge = _processing_payment(store=store, session_id=session_id)
    _settle(store=store, session=session, intent=intent, charge=charge)
    return _emit_session_event(
        store=store, session=session, event_type="checkout.session.async_payment_succeeded"
    )


def fail_async_payment(*, store: Store, session_id: str) -> JsonObject:
    """The bank rejects a delayed payment: the session stays complete and unpaid."""
    session, intent, charge = _processing_payment(store=store, session_id=session_id)
    failure_message = "The customer's account has insufficient funds to cover this payment."
    charge.update(
        status="failed", failure_code="insufficient_funds", failure_message=failure_message
    )
    charge["outcome"] = {
        **payment_shapes.authorized_outcome(),
        "type": "issuer_declined",
        "network_status": "declined_by_network",
        "reason": "insufficient_funds",
        "seller_message": failure_message,
    }
    intent["status"] = "requires_payment_method"
    intent["last_payment_error"] = {
        "charge": charge["id"],
        "code": "insufficient_funds",
        "message": failure_message,
        "type": "card_error",
    }
    return _emit_session_event(
        store=store, session=session, event_type="checkout.session.async_payment_failed"
    )


def expire_session(*, store: Store, session_id: str) -> JsonObject:
    """Expire an open session (API call or `expires_at` passed): `checkout.session.expired`."""
    session = store.get(session_id, object_name="checkout.session")
    _require_status(session=session, expected="open", action="expired")
    session["status"] = "expired"
    return _emit_session_event(store=store, session=session, event_type="checkout.session.expired")


def expire_due_sessions(*, store: Store) -> None:
    """Expire every open session whose `expires_at` has passed on the stand-in's clock."""
    now = store.clock.now()
    for session in store.all_of("checkout.session"):
        if session["status"] == "open" and session["expires_at"] <= now:
            expire_session(store=store, session_id=session["id"])


def _settle(*, store: Store, session: JsonObject, intent: JsonObject, charge: JsonObject) -> None:
    """Money arrived: capture the charge and, for a destination charge, pay the creator."""
    now = store.clock.now()
    intent.update(status="succeeded", amount_received=intent["amount"])
    charge.update(
        status="succeeded",
        paid=True,
        captured=True,
        amount_captured=charge["amount"],
        balance_transaction=f"txn_{charge['id'][3:]}",
        outcome=payment_shapes.authorized_outcome(),
    )
    session["payment_status"] = "paid"
    transfer_data = intent["transfer_data"]
    if transfer_data is None:
        return
    # Destination charge: the whole amount (or transfer_data[amount]) goes to the connected
    # account, and the application fee comes back to the platform as an ApplicationFee.
    transfer = store.add(
        payment_shapes.transfer(
            amount=transfer_data.get("amount", charge["amount"]),
            currency=charge["currency"],
            destination=transfer_data["destination"],
            created=now,
            source_transaction=charge["id"],
            transfer_group=intent["transfer_group"],
            description=None,
            metadata={},
        )
    )
    charge["transfer"] = transfer["id"]
    if intent["application_fee_amount"]:
        fee = store.add(
            payment_shapes.application_fee(
                amount=intent["application_fee_amount"],
                charge_object=charge,
                account=transfer_data["destination"],
                created=now,
            )
        )
        charge["application_fee"] = fee["id"]


def _processing_payment(
    *, store: Store, session_id: str
) -> tuple[JsonObject, JsonObject, JsonObject]:
    session = store.get(session_id, object_name="checkout.session")
    intent = store.find(session["payment_intent"] or "")
    if session["status"] != "complete" or intent is None or intent["status"] != "processing":
        raise invalid_state(
            message=(
                f"Checkout Session {session_id} has no payment awaiting the bank "
                f"(status={session['status']}, "
                f"payment_status={session['payment_status']}); complete it with "
                "payment_method=async first."
            )
        )
    return session, intent, store.objects[intent["latest_charge"]]


def _require_status(*, session: JsonObject, expected: str, action: str) -> None:
    if session["status"] != expected:
        raise invalid_state(
            message=(
                f"Checkout Session {session['id']} has status {session['status']!r}; only "
                "sessions with "
                f"status {expected!r} can be {action}."
            )
        )


def _emit_session_event(*, store: Store, session: JsonObject, event_type: str) -> JsonObject:
    store.emit_event(event_type=event_type, data_object=session)
    return session
