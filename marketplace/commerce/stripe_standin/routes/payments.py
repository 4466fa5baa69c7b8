"""PaymentIntents, Charges, Refunds, Disputes, ApplicationFees, and the Products and Prices
that Checkout creates from `price_data` (`/v1/...`)."""

from __future__ import annotations

from ..api import ApiContext, Route, retriever
from ..listing import PAGINATION, list_object
from ..money_actions import charge_for_refund, create_refund
from ..params import METADATA, boolean, integer, require_one_of, string
from ..store import JsonObject

REFUND_SCHEMA = {
    "charge": string(),
    "payment_intent": string(),
    "amount": integer(minimum=1),
    "reason": string(choices=("duplicate", "fraudulent", "requested_by_customer")),
    "metadata": METADATA,
    "reverse_transfer": boolean(),
    "refund_application_fee": boolean(),
}

REFUND_LIST_SCHEMA = {**PAGINATION, "charge": string(), "payment_intent": string()}


def refund_create(context: ApiContext) -> JsonObject:
    """Refund a charge, named or through its PaymentIntent; in full unless `amount` is given."""
    params = context.params
    require_one_of(values=params, names=("charge", "payment_intent"))
    charge = charge_for_refund(
        store=context.store,
        charge_id=params.get("charge"),
        payment_intent_id=params.get("payment_intent"),
    )
    return create_refund(
        store=context.store,
        charge=charge,
        amount=params.get("amount"),
        reason=params.get("reason"),
        metadata=params.get("metadata", {}),
        reverse_transfer=params.get("reverse_transfer", False),
        refund_application_fee=params.get("refund_application_fee", False),
    )


def refund_list(context: ApiContext) -> JsonObject:
    """Refunds, newest first, optionally for one charge or PaymentIntent."""
    refunds = list(reversed(context.store.all_of("refund")))
    for name in ("charge", "payment_intent"):
        if name in context.params:
            refunds = [refund for refund in refunds if refund[name] == context.params[name]]
    return list_object(items=refunds, url="/v1/refunds", params=context.params)


ROUTES = [
    Route("GET", "/v1/payment_intents/{object_id}", {}, retriever(object_name="payment_intent")),
    Route("GET", "/v1/charges/{object_id}", {}, retriever(object_name="charge")),
    Route("POST", "/v1/refunds", REFUND_SCHEMA, refund_create),
    Route("GET", "/v1/refunds", REFUND_LIST_SCHEMA, refund_list),
    Route("GET", "/v1/refunds/{object_id}", {}, retriever(object_name="refund")),
    Route("GET", "/v1/disputes/{object_id}", {}, retriever(object_name="dispute")),
    Route("GET", "/v1/products/{object_id}", {}, retriever(object_name="product")),
    Route("GET", "/v1/prices/{object_id}", {}, retriever(object_name="price")),
    Route("GET", "/v1/application_fees/{object_id}", {}, retriever(object_name="application_fee")),
]
