"""`/v1/checkout/sessions`: create, retrieve, list, line items, expire."""

from __future__ import annotations

from .. import shapes
from ..api import ApiContext, Route
from ..checkout_actions import expire_session
from ..connect_actions import require_transfers_capability
from ..errors import StripeError, invalid_parameter, missing_parameter, resource_missing
from ..listing import PAGINATION, list_object
from ..params import METADATA, array, integer, obj, string, string_list
from ..store import JsonObject, Store

MIN_LIFETIME_SECONDS = 30 * 60
MAX_LIFETIME_SECONDS = 24 * 3600

LINE_ITEM = obj(
    {
        "price": string(),
        "price_data": obj(
            {
                "currency": string(required=True),
                "unit_amount": integer(minimum=0),
                "product": string(),
                "product_data": obj(
                    {
                        "name": string(required=True),
                        "description": string(),
                        "images": string_list(),
                        "metadata": METADATA,
                    }
                ),
                "tax_behavior": string(choices=("exclusive", "inclusive", "unspecified")),
            }
        ),
        "quantity": integer(minimum=1),
    }
)

CREATE_SCHEMA = {
    "mode": string(required=True, choices=("payment", "setup", "subscription")),
    "line_items": array(LINE_ITEM),
    "success_url": string(),
    "cancel_url": string(),
    "client_reference_id": string(max_length=200),
    "customer_email": string(),
    "metadata": METADATA,
    "expires_at": integer(),
    "locale": string(),
    "submit_type": string(choices=("auto", "book", "donate", "pay", "subscribe")),
    "payment_method_types": string_list(),
    "payment_intent_data": obj(
        {
            "application_fee_amount": integer(minimum=0),
            "transfer_data": obj(
                {"destination": string(required=True), "amount": integer(minimum=1)}
            ),
            "metadata": METADATA,
            "description": string(),
            "transfer_group": string(),
        }
    ),
}

LIST_SCHEMA = {
    **PAGINATION,
    "payment_intent": string(),
    "status": string(choices=("open", "complete", "expired")),
}


def create_session(context: ApiContext) -> JsonObject:
    """Create an open Checkout Session in payment mode, with one-off prices for its items."""
    params, store = context.params, context.store
    if params["mode"] != "payment":
        raise invalid_parameter(
            param="mode",
            message=(
                f"mode={params['mode']!r} is not supported by the Kiln Stripe stand-in; only "
                "payment is."
            ),
        )
    if not params.get("line_items"):
        raise missing_parameter(param="line_items")
    now = store.clock.now()
    items = [
        _line_item(store=store, item=item, index=index, created=now)
        for index, item in enumerate(params["line_items"])
    ]
    currencies = {item["currency"] for item in items}
    if len(currencies) > 1:
        raise invalid_parameter(
            param="line_items",
            message=(
                f"All line items must use the same currency; got {', '.join(sorted(currencies))}."
            ),
        )
    amount_total = sum(item["amount_total"] for item in items)
    payment_intent_data = params.get("payment_intent_data", {})
    _check_destination_charge(
        context=context, payment_intent_data=payment_intent_data, amount_total=amount_total
    )
    expires_at = params.get("expires_at", now + MAX_LIFETIME_SECONDS)
    if not now + MIN_LIFETIME_SECONDS <= expires_at <= now + MAX_LIFETIME_SECONDS:
        raise invalid_parameter(
            param="expires_at",
            message=(
                f"expires_at ({expires_at}) must be between 30 minutes and 24 hours after the "
                f"session is created (now is {now})."
            ),
        )
    session = store.add(
        shapes.checkout_session(
            params=params,
            amount_total=amount_total,
            currency=currencies.pop(),
            created=now,
            expires_at=expires_at,
            base_url=context.base_url,
        )
    )
    store.session_line_items[session["id"]] = items
    store.private[session["id"]] = {"payment_intent_data": payment_intent_data}
    return session


def retrieve_session(context: ApiContext) -> JsonObject:
    """One Checkout Session (`expand[]=line_items` adds its items)."""
    return context.store.get(context.path_args["session_id"], object_name="checkout.session")


def list_sessions(context: ApiContext) -> JsonObject:
    """Checkout Sessions, newest first, optionally filtered by payment_intent or status."""
    sessions = list(reversed(context.store.all_of("checkout.session")))
    for name in ("payment_intent", "status"):
        if name in context.params:
            sessions = [session for session in sessions if session[name] == context.params[name]]
    return list_object(items=sessions, url="/v1/checkout/sessions", params=context.params)


def list_line_items(context: ApiContext) -> JsonObject:
    """The line items of one session."""
    session = retrieve_session(context)
    items = context.store.session_line_items[session["id"]]
    return list_object(
        items=items, url=f"/v1/checkout/sessions/{session['id']}/line_items", params=context.params
    )


def expire(context: ApiContext) -> JsonObject:
    """Expire an open session now."""
    return expire_session(store=context.store, session_id=context.path_args["session_id"])


def _line_item(*, store: Store, item: JsonObject, index: int, created: int) -> JsonObject:
    prefix = f"line_items[{index}]"
    if "price" in item:
        raise resource_missing(kind="price", object_id=item["price"], param=f"{prefix}[price]")
    if "price_data" not in item:
        raise missing_parameter(param=f"{prefix}[price_data]")
    if "quantity" not in item:
        raise missing_parameter(param=f"{prefix}[quantity]")
    price_data = item["price_data"]
    if "unit_amount" not in price_data:
        raise missing_parameter(param=f"{prefix}[price_data][unit_amount]")
    if "product" in price_data:
        raise resource_missing(
            kind="product", object_id=price_data["product"], param=f"{prefix}[price_data][product]"
        )
    if "product_data" not in price_data:
        raise missing_parameter(param=f"{prefix}[price_data][product_data]")
    currency = price_data["currency"]
    if len(currency) != 3 or not currency.isalpha():
        raise invalid_parameter(
            param=f"{prefix}[price_data][currency]",
            message=f"Invalid currency: {currency!r}. Use a three-letter ISO code such as usd.",
        )
    product = store.add(shapes.product(product_data=price_data["product_data"], created=created))
    price = store.add(
        shapes.price(
            currency=currency.lower(),
            unit_amount=price_data["unit_amount"],
            product_id=product["id"],
            created=created,
        )
    )
    return shapes.line_item(
        price_object=price, quantity=item["quantity"], description=product["name"]
    )


def _check_destination_charge(
    *, context: ApiContext, payment_intent_data: JsonObject, amount_total: int
) -> None:
    fee = payment_intent_data.get("application_fee_amount")
    transfer_data = payment_intent_data.get("transfer_data")
    if fee is not None and transfer_data is None:
        raise invalid_parameter(
            param="payment_intent_data[application_fee_amount]",
            message=(
                "Can only apply an application_fee_amount when the PaymentIntent is "
                "attempting a destination "
                "payment (using payment_intent_data[transfer_data][destination])."
            ),
        )
    if fee is not None and fee > amount_total:
        raise invalid_parameter(
            param="payment_intent_data[application_fee_amount]",
            message=(
                f"application_fee_amount ({fee}) cannot be greater than the session's "
                f"amount_total ({amount_total})."
            ),
        )
    if transfer_data is None:
        return
    param = "payment_intent_data[transfer_data][destination]"
    account = context.store.find(transfer_data["destination"])
    if account is None or account["object"] != "account":
        raise StripeError(
            status=400,
            code="resource_missing",
            param=param,
            message=f"No such destination: '{transfer_data['destination']}'",
        )
    require_transfers_capability(account=account, param=param)
    if transfer_data.get("amount", 0) > amount_total:
        raise invalid_parameter(
            param="payment_intent_data[transfer_data][amount]",
            message=(
                f"transfer_data[amount] ({transfer_data['amount']}) cannot exceed amount_total "
                f"({amount_total})."
            ),
        )


ROUTES = [
    Route("POST", "/v1/checkout/sessions", CREATE_SCHEMA, create_session),
    Route("GET", "/v1/checkout/sessions", LIST_SCHEMA, list_sessions),
    Route("GET", "/v1/checkout/sessions/{session_id}", {}, retrieve_session),
    Route("GET", "/v1/checkout/sessions/{session_id}/line_items", PAGINATION, list_line_items),
    Route("POST", "/v1/checkout/sessions/{session_id}/expire", {}, expire),
]
