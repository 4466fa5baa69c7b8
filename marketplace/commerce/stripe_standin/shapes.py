"""Builders for Stripe-shaped objects, field for field as the API returns them.

Only the fields' values that Kiln's flows change are computed; the rest carry the neutral
values Stripe returns for a plain test-mode payment, so stripe-python parses every object
into its real class and code written against Stripe finds the attributes it expects.
"""

from __future__ import annotations

from typing import Any

from .ids import new_id, new_session_id

JsonObject = dict[str, Any]


def checkout_session(
    *,
    params: JsonObject,
    amount_total: int,
    currency: str,
    created: int,
    expires_at: int,
    base_url: str,
) -> JsonObject:
    """An open, unpaid Checkout Session in payment mode."""
    session_id = new_session_id()
    return {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": created,
        "currency": currency,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": params.get("customer_email"),
        "discounts": [],
        "expires_at": expires_at,
        "invoice": None,
        "invoice_creation": {"enabled": False, "invoice_data": None},
        "livemode": False,
        "locale": params.get("locale"),
        "metadata": params.get("metadata", {}),
        "mode": "payment",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": params.get("payment_method_types") or ["card"],
        "payment_status": "unpaid",
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": params.get("submit_type"),
        "subscription": None,
        "success_url": params.get("success_url"),
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": f"{base_url}/c/pay/{session_id}",
        "wallet_options": None,
    }


def customer_details(*, email: str | None) -> JsonObject:
    """What the hosted page collected from the buyer."""
    return {
        "address": {
            "city": None,
            "country": "US",
            "line1": None,
            "line2": None,
            "postal_code": "94103",
            "state": None,
        },
        "business_name": None,
        "email": email or "buyer@example.com",
        "individual_name": None,
        "name": "Test Buyer",
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def product(*, product_data: JsonObject, created: int) -> JsonObject:
    """The Product Stripe creates behind `price_data[product_data]`."""
    return {
        "id": new_id(prefix="prod", length=14),
        "object": "product",
        "active": False,
        "created": created,
        "default_price": None,
        "description": product_data.get("description"),
        "images": product_data.get("images", []),
        "livemode": False,
        "marketing_features": [],
        "metadata": product_data.get("metadata", {}),
        "name": product_data["name"],
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "updated": created,
        "url": None,
    }


def price(*, currency: str, unit_amount: int, product_id: str, created: int) -> JsonObject:
    """The one-off Price Stripe creates behind `line_items[][price_data]`."""
    return {
        "id": new_id(prefix="price"),
        "object": "price",
        "active": False,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": product_id,
        "recurring": None,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }


def line_item(*, price_object: JsonObject, quantity: int, description: str) -> JsonObject:
    """A Checkout line item (`object: "item"`) with its price embedded, as Stripe lists it."""
    amount = price_object["unit_amount"] * quantity
    return {
        "id": new_id(prefix="li"),
        "object": "item",
        "adjustable_quantity": None,
        "amount_discount": 0,
        "amount_subtotal": amount,
        "amount_tax": 0,
        "amount_total": amount,
        "currency": price_object["currency"],
        "description": description,
        "metadata": {},
        "price": price_object,
        "quantity": quantity,
    }
