"""Test-control routes under `/_standin/`: the stand-in playing buyer, bank and Stripe.

JSON in, JSON out, no API key (the server listens on 127.0.0.1 only). Objects come back in
the same shape as the API returns them; errors use Stripe's error envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from .checkout_actions import (
    complete_session,
    expire_due_sessions,
    expire_session,
    fail_async_payment,
    succeed_async_payment,
)
from .connect_actions import ONBOARDING_FLAGS, onboard_account
from .errors import StripeError
from .idempotency import IdempotencyCache
from .money_actions import charge_for_refund, create_dispute, create_refund
from .params import require_one_of
from .store import JsonObject, Store
from .webhooks import DeliverySettings, WebhookDispatcher


@dataclass(frozen=True)
class ControlContext:
    """What a control handler gets."""

    store: Store
    dispatcher: WebhookDispatcher
    idempotency: IdempotencyCache
    body: JsonObject
    path_args: Mapping[str, str]


ControlHandler = Callable[[ControlContext], JsonObject]


def _accept(body: JsonObject, **expected: type | tuple[type, ...]) -> None:
    """Reject unknown keys and wrongly typed values in a control body, naming them."""
    for name, value in body.items():
        if name not in expected:
            raise StripeError(
                status=400,
                code="parameter_unknown",
                param=name,
                message=(
                    f"Received unknown parameter: {name}. Accepted: "
                    f"{', '.join(expected) or 'none'}."
                ),
            )
        wanted = expected[name]
        if not isinstance(value, wanted) or (
            isinstance(value, bool) and wanted in (int, float, (int, float))
        ):
            raise StripeError(
                status=400,
                param=name,
                message=f"Invalid {name}: {value!r} ({type(value).__name__}); expected {wanted}.",
            )


def complete(context: ControlContext) -> JsonObject:
    """Body: `{"payment_method": "card" | "async"}` (default card)."""
    _accept(context.body, payment_method=str)
    return complete_session(
        store=context.store,
        session_id=context.path_args["session_id"],
        payment_method=context.body.get("payment_method", "card"),
    )


def async_succeed(context: ControlContext) -> JsonObject:
    """The bank settles an async payment."""
    _accept(context.body)
    return succeed_async_payment(store=context.store, session_id=context.path_args["session_id"])


def async_fail(context: ControlContext) -> JsonObject:
    """The bank rejects an async payment."""
    _accept(context.body)
    return fail_async_payment(store=context.store, session_id=context.path_args["session_id"])


def expire(context: ControlContext) -> JsonObject:
    """Expire an open session now."""
    _accept(context.body)
    return expire_session(store=context.store, session_id=context.path_args["session_id"])


def refund(context: ControlContext) -> JsonObject:
    """Body: `{"charge" | "payment_intent": id, "amount"?: int, "reason"?: str}`."""
    _accept(context.body, charge=str, payment_intent=str, amount=int, reason=str)
    require_one_of(values=context.body, names=("charge", "payment_intent"))
    charge = charge_for_refund(
        store=context.store,
        charge_id=context.body.get("charge"),
        payment_intent_id=context.body.get("payment_intent"),
    )
    return create_refund(
        store=context.store,
        charge=charge,
        amount=context.body.get("amount"),
        reason=context.body.get("reason"),
        metadata={},
    )


def dispute(context: ControlContext) -> JsonObject:
    """Body: `{"reason"?: str}` (default fraudulent)."""
    _accept(context.body, reason=str)
    return create_dispute(
        store=context.store,
        charge_id=context.path_args["charge_id"],
        reason=context.body.get("reason", "fraudulent"),
    )


def onboard(context: ControlContext) -> JsonObject:
    """Body: any of charges_enabled, payouts_enabled, details_submitted (each default true)."""
    _accept(context.body, **dict.fromkeys(ONBOARDING_FLAGS, bool))
    return onboard_account(
        store=context.store, account_id=context.path_args["account_id"], flags=context.body
    )


def delivery_settings(context: ControlContext) -> JsonObject:
    """Body: `{"copies"?: int >= 1, "delay_seconds"?: number >= 0, "hold"?: bool}`.

    Keys not sent keep their current value.
    """
    _accept(context.body, copies=int, delay_seconds=(int, float), hold=bool)
    current = asdict(context.dispatcher.settings)
    updated = DeliverySettings(**{**current, **context.body})
    if updated.copies < 1 or updated.delay_seconds < 0:
        raise StripeError(
            status=400,
            param="copies" if updated.copies < 1 else "delay_seconds",
            message="copies must be >= 1 and delay_seconds >= 0.",
        )
    context.dispatcher.settings = updated
    return asdict(updated)


def read_delivery_settings(context: ControlContext) -> JsonObject:
    """The current delivery settings."""
    return asdict(context.dispatcher.settings)


def release(context: ControlContext) -> JsonObject:
    """Body: `{"order"?: "as_created" | "reversed"}`. Delivers held events and stops holding."""
    _accept(context.body, order=str)
    try:
        released = context.dispatcher.release(order=context.body.get("order", "as_created"))
    except ValueError as error:
        raise StripeError(status=400, param="order", message=str(error)) from None
    context.dispatcher.settings = DeliverySettings(
        **{**asdict(context.dispatcher.settings), "hold": False}
    )
    return {"released": released}


def resend(context: ControlContext) -> JsonObject:
    """Body: `{"copies"?: int >= 1}`. Delivers an existing event again."""
    _accept(context.body, copies=int)
    event = context.store.get(context.path_args["event_id"], object_name="event")
    try:
        context.dispatcher.resend(event=event, copies=context.body.get("copies", 1))
    except ValueError as error:
        raise StripeError(status=400, message=str(error)) from None
    return {"resent": context.body.get("copies", 1), "event": event["id"]}


def attempts(context: ControlContext) -> JsonObject:
    """Every delivery attempt so far, oldest first."""
    return {"data": context.dispatcher.attempts(), "held": context.dispatcher.held_count()}


def advance_clock(context: ControlContext) -> JsonObject:
    """Body: `{"seconds": int >= 0}`. Moves object time forward (expiry of sessions and links)."""
    _accept(context.body, seconds=int)
    if "seconds" not in context.body:
        raise StripeError(
            status=400,
            code="parameter_missing",
            param="seconds",
            message="Missing required param: seconds.",
        )
    try:
        now = context.store.clock.advance(seconds=context.body["seconds"])
    except ValueError as error:
        raise StripeError(status=400, param="seconds", message=str(error)) from None
    # Expire now rather than on the next request, so `checkout.session.expired` is on its way
    # by the time this call returns.
    expire_due_sessions(store=context.store)
    return {"now": now}


def reset(context: ControlContext) -> JsonObject:
    """Forget all objects, events, idempotency keys and deliveries."""
    _accept(context.body)
    context.store.reset()
    context.dispatcher.reset()
    context.idempotency.clear()
    return {"reset": True}


def health(context: ControlContext) -> JsonObject:
    """Liveness, for scripts waiting for the server to come up."""
    return {"ok": True}


ROUTES: list[tuple[str, str, ControlHandler]] = [
    ("POST", "/_standin/checkout/sessions/{session_id}/complete", complete),
    ("POST", "/_standin/checkout/sessions/{session_id}/async/succeed", async_succeed),
    ("POST", "/_standin/checkout/sessions/{session_id}/async/fail", async_fail),
    ("POST", "/_standin/checkout/sessions/{session_id}/expire", expire),
    ("POST", "/_standin/refunds", refund),
    ("POST", "/_standin/charges/{charge_id}/dispute", dispute),
    ("POST", "/_standin/accounts/{account_id}/onboard", onboard),
    ("POST", "/_standin/webhooks/delivery", delivery_settings),
    ("GET", "/_standin/webhooks/delivery", read_delivery_settings),
    ("POST", "/_standin/webhooks/release", release),
    ("GET", "/_standin/webhooks/attempts", attempts),
    ("POST", "/_standin/events/{event_id}/resend", resend),
    ("POST", "/_standin/clock/advance", advance_clock),
    ("POST", "/_standin/reset", reset),
    ("GET", "/_standin/health", health),
]
