"""Refunds, disputes and transfers: the money movements after a payment. Callers hold the lock."""

from __future__ import annotations

from . import payment_shapes
from .connect_actions import require_transfers_capability
from .errors import StripeError, invalid_parameter, invalid_state
from .ids import new_id
from .store import JsonObject, Store


def charge_for_refund(
    *, store: Store, charge_id: str | None, payment_intent_id: str | None
) -> JsonObject:
    """The charge a refund request names, directly or through its PaymentIntent."""
    if charge_id is not None:
        return store.get(charge_id, object_name="charge", param="charge")
    assert payment_intent_id is not None
    intent = store.get(payment_intent_id, object_name="payment_intent", param="payment_intent")
    if intent["status"] != "succeeded" or intent["latest_charge"] is None:
        raise invalid_state(
            param="payment_intent",
            message=(
                f"This PaymentIntent ({payment_intent_id}) does not have a successful charge to "
                "refund."
            ),
        )
    return store.objects[intent["latest_charge"]]


def create_refund(
    *,
    store: Store,
    charge: JsonObject,
    amount: int | None,
    reason: str | None,
    metadata: JsonObject,
    reverse_transfer: bool = False,
    refund_application_fee: bool = False,
) -> JsonObject:
    """Refund `amount` (default: what is left) of a charge and emit `charge.refunded`."""
    if charge["status"] != "succeeded":
        raise invalid_state(
            param="charge",
            message=(
                f"Charge {charge['id']} has status {charge['status']!r}; only succeeded charges "
                "can be refunded."
            ),
        )
    if charge["disputed"]:
        raise invalid_state(
            code="charge_disputed",
            param="charge",
            message=f"Charge {charge['id']} has been charged back; cannot issue a refund.",
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining == 0:
        raise invalid_state(
            code="charge_already_refunded",
            param="charge",
            message=f"Charge {charge['id']} has already been refunded.",
        )
    refund_amount = remaining if amount is None else amount
    if refund_amount <= 0 or refund_amount > remaining:
        raise invalid_parameter(
            param="amount",
            code="amount_too_large" if refund_amount > remaining else None,
            message=(
                f"Refund amount ({refund_amount}) must be between 1 and the unrefunded amount on "
                f"charge {charge['id']} ({remaining})."
            ),
        )
    now = store.clock.now()
    refund = store.add(
        payment_shapes.refund(
            charge_object=charge,
            amount=refund_amount,
            created=now,
            reason=reason,
            metadata=metadata,
        )
    )
    previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
    charge["amount_refunded"] += refund_amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    if reverse_transfer and charge["transfer"]:
        refund["transfer_reversal"] = _reverse_transfer(
            store=store, charge=charge, refund_amount=refund_amount
        )
    if refund_application_fee and charge["application_fee"]:
        fee = store.objects[charge["application_fee"]]
        fee["amount_refunded"] = min(
            fee["amount"],
            fee["amount_refunded"] + fee["amount"] * refund_amount // charge["amount"],
        )
        fee["refunded"] = fee["amount_refunded"] == fee["amount"]
    store.emit_event(event_type="charge.refunded", data_object=charge, previous_attributes=previous)
    return refund


def create_dispute(*, store: Store, charge_id: str, reason: str) -> JsonObject:
    """The buyer's bank opens a chargeback; emits `charge.dispute.created`."""
    charge = store.get(charge_id, object_name="charge", param="charge")
    if charge["status"] != "succeeded" or charge["disputed"]:
        raise invalid_state(
            param="charge",
            message=(
                f"Charge {charge_id} cannot be disputed (status={charge['status']!r}, "
                f"disputed={charge['disputed']})."
            ),
        )
    dispute = store.add(
        payment_shapes.dispute(charge_object=charge, reason=reason, created=store.clock.now())
    )
    charge["disputed"] = True
    store.emit_event(event_type="charge.dispute.created", data_object=dispute)
    return dispute


def create_transfer(*, store: Store, params: JsonObject) -> JsonObject:
    """A separate Transfer from the platform to a connected account (`POST /v1/transfers`)."""
    destination = store.find(params["destination"])
    if destination is None or destination["object"] != "account":
        raise StripeError(
            status=400,
            code="resource_missing",
            param="destination",
            message=f"No such destination: '{params['destination']}'",
        )
    require_transfers_capability(account=destination, param="destination")
    source_transaction = params.get("source_transaction")
    if source_transaction is not None:
        _check_transfer_source(store=store, params=params, charge_id=source_transaction)
    return store.add(
        payment_shapes.transfer(
            amount=params["amount"],
            currency=params["currency"],
            destination=destination["id"],
            created=store.clock.now(),
            source_transaction=source_transaction,
            transfer_group=params.get("transfer_group"),
            description=params.get("description"),
            metadata=params.get("metadata", {}),
        )
    )


def _check_transfer_source(*, store: Store, params: JsonObject, charge_id: str) -> None:
    """A transfer funded by a charge must match its currency and not exceed what is left of it."""
    source = store.get(charge_id, object_name="charge", param="source_transaction")
    if source["status"] != "succeeded":
        raise invalid_parameter(
            param="source_transaction",
            message=f"source_transaction {charge_id} has status {source['status']!r}; it must "
            "be a succeeded charge.",
        )
    if source["currency"] != params["currency"]:
        raise invalid_parameter(
            param="currency",
            message=f"currency {params['currency']!r} must match the source_transaction's "
            f"currency {source['currency']!r}.",
        )
    already = sum(
        transfer["amount"] - transfer["amount_reversed"]
        for transfer in store.all_of("transfer")
        if transfer["source_transaction"] == charge_id
    )
    if already + params["amount"] > source["amount"]:
        raise invalid_parameter(
            param="amount",
            message=f"Transfers using {charge_id} as a source must not exceed its amount "
            f"({source['amount']}); {already} is already transferred.",
        )


def _reverse_transfer(*, store: Store, charge: JsonObject, refund_amount: int) -> str:
    # Stripe reverses the transfer in proportion to the share of the charge refunded.
    transfer = store.objects[charge["transfer"]]
    reversal_amount = min(
        transfer["amount"] - transfer["amount_reversed"],
        transfer["amount"] * refund_amount // charge["amount"],
    )
    transfer["amount_reversed"] += reversal_amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    reversal_id = new_id(prefix="trr")
    transfer["reversals"]["data"].insert(
        0,
        {
            "id": reversal_id,
            "object": "transfer_reversal",
            "amount": reversal_amount,
            "currency": transfer["currency"],
            "transfer": transfer["id"],
            "created": store.clock.now(),
            "metadata": {},
        },
    )
    transfer["reversals"]["total_count"] += 1
    return reversal_id
