"""Builders for the money objects: PaymentIntent, Charge, Refund, Dispute, Transfer, fee."""

from __future__ import annotations

import secrets
from typing import Any

from .ids import new_id

JsonObject = dict[str, Any]

CARD_DETAILS: JsonObject = {
    "type": "card",
    "card": {
        "brand": "visa",
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": "pass",
            "cvc_check": "pass",
        },
        "country": "US",
        "exp_month": 12,
        "exp_year": 2034,
        "fingerprint": "standinCardFp01",
        "funding": "credit",
        "last4": "4242",
        "network": "visa",
        "three_d_secure": None,
        "wallet": None,
    },
}

BANK_DETAILS: JsonObject = {
    "type": "us_bank_account",
    "us_bank_account": {
        "account_holder_type": "individual",
        "account_type": "checking",
        "bank_name": "STRIPE TEST BANK",
        "fingerprint": "standinBankFp01",
        "last4": "6789",
        "routing_number": "110000000",
    },
}


def payment_intent(
    *,
    amount: int,
    currency: str,
    created: int,
    method_type: str,
    payment_intent_data: JsonObject,
    receipt_email: str | None,
) -> JsonObject:
    """A PaymentIntent as Checkout creates it when the buyer confirms (status set later)."""
    intent_id = new_id(prefix="pi")
    transfer_data = payment_intent_data.get("transfer_data")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": payment_intent_data.get("application_fee_amount"),
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": None,
        "description": payment_intent_data.get("description"),
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": payment_intent_data.get("metadata", {}),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": new_id(prefix="pm"),
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": [method_type],
        "processing": None,
        "receipt_email": receipt_email,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "processing",
        "transfer_data": (
            {
                "destination": transfer_data["destination"],
                **({"amount": transfer_data["amount"]} if "amount" in transfer_data else {}),
            }
            if transfer_data
            else None
        ),
        "transfer_group": payment_intent_data.get("transfer_group")
        or (f"group_{intent_id}" if transfer_data else None),
    }


def charge(
    *, intent: JsonObject, created: int, method_details: JsonObject, billing_email: str | None
) -> JsonObject:
    """The Charge behind a PaymentIntent, pending until the money is confirmed."""
    charge_id = new_id(prefix="ch")
    return {
        "id": charge_id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": intent["application_fee_amount"],
        "balance_transaction": None,
        "billing_details": {
            "address": None,
            "email": billing_email,
            "name": "Test Buyer",
            "phone": None,
            "tax_id": None,
        },
        "calculated_statement_descriptor": "KILN",
        "captured": False,
        "created": created,
        "currency": intent["currency"],
        "customer": None,
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "on_behalf_of": None,
        "outcome": None,
        "paid": False,
        "payment_intent": intent["id"],
        "payment_method": intent["payment_method"],
        "payment_method_details": method_details,
        "radar_options": {},
        "receipt_email": intent["receipt_email"],
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "pending",
        "transfer": None,
        "transfer_data": intent["transfer_data"],
        "transfer_group": intent["transfer_group"],
    }


def authorized_outcome() -> JsonObject:
    """Charge.outcome of an approved payment."""
    return {
        "advice_code": None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": "approved_by_network",
        "reason": None,
        "risk_level": "normal",
        "risk_score": 32,
        "seller_message": "Payment complete.",
        "type": "authorized",
    }


def transfer(
    *,
    amount: int,
    currency: str,
    destination: str,
    created: int,
    source_transaction: str | None,
    transfer_group: str | None,
    description: str | None,
    metadata: JsonObject,
) -> JsonObject:
    """A Transfer to a connected account (made by a destination charge or by the API)."""
    transfer_id = new_id(prefix="tr")
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": new_id(prefix="txn"),
        "created": created,
        "currency": currency,
        "description": description,
        "destination": destination,
        "destination_payment": new_id(prefix="py"),
        "livemode": False,
        "metadata": metadata,
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/transfers/{transfer_id}/reversals",
        },
        "reversed": False,
        "source_transaction": source_transaction,
        "source_type": "card",
        "transfer_group": transfer_group,
    }


def application_fee(
    *, amount: int, charge_object: JsonObject, account: str, created: int
) -> JsonObject:
    """The ApplicationFee a destination charge with `application_fee_amount` creates."""
    return {
        "id": new_id(prefix="fee"),
        "object": "application_fee",
        "account": account,
        "amount": amount,
        "amount_refunded": 0,
        "application": "ca_standinKilnPlatform",
        "balance_transaction": new_id(prefix="txn"),
        "charge": charge_object["id"],
        "created": created,
        "currency": charge_object["currency"],
        "fee_source": {"charge": charge_object["id"], "type": "charge"},
        "livemode": False,
        "originating_transaction": None,
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": "/v1/application_fees/refunds",
        },
    }


def refund(
    *,
    charge_object: JsonObject,
    amount: int,
    created: int,
    reason: str | None,
    metadata: JsonObject,
) -> JsonObject:
    """A succeeded Refund of (part of) a charge."""
    return {
        "id": new_id(prefix="re"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": new_id(prefix="txn"),
        "charge": charge_object["id"],
        "created": created,
        "currency": charge_object["currency"],
        "destination_details": {
            "card": {
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "metadata": metadata,
        "payment_intent": charge_object["payment_intent"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }


def dispute(*, charge_object: JsonObject, reason: str, created: int) -> JsonObject:
    """A new Dispute (chargeback) awaiting the platform's response."""
    return {
        "id": new_id(prefix="dp"),
        "object": "dispute",
        "amount": charge_object["amount"],
        "balance_transactions": [],
        "charge": charge_object["id"],
        "created": created,
        "currency": charge_object["currency"],
        "enhanced_eligibility_types": [],
        "evidence": {},
        "evidence_details": {
            "due_by": created + 7 * 24 * 3600,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "network_reason_code": None,
        "payment_intent": charge_object["payment_intent"],
        "payment_method_details": {
            "card": {"brand": "visa", "case_type": "chargeback", "network_reason_code": "10.4"},
            "type": "card",
        },
        "reason": reason,
        "status": "needs_response",
    }
