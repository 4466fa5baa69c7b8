"""Connect: Express accounts (`/v1/accounts`) and onboarding links (`/v1/account_links`)."""

from __future__ import annotations

import secrets

from .. import connect_shapes
from ..api import ApiContext, Route, retriever
from ..errors import invalid_parameter
from ..params import METADATA, boolean, obj, string
from ..store import AccountLinkRecord, JsonObject

ACCOUNT_LINK_LIFETIME_SECONDS = 300

CAPABILITY = obj({"requested": boolean()})

ACCOUNT_SCHEMA = {
    "type": string(required=True, choices=("custom", "express", "standard")),
    "country": string(),
    "email": string(),
    "business_type": string(choices=("company", "government_entity", "individual", "non_profit")),
    "default_currency": string(),
    "metadata": METADATA,
    "capabilities": obj({"card_payments": CAPABILITY, "transfers": CAPABILITY}),
    "business_profile": obj(
        {"name": string(), "url": string(), "product_description": string(), "mcc": string()}
    ),
}

ACCOUNT_LINK_SCHEMA = {
    "account": string(required=True),
    "type": string(required=True, choices=("account_onboarding", "account_update")),
    "refresh_url": string(required=True),
    "return_url": string(required=True),
    "collect": string(choices=("currently_due", "eventually_due")),
}


def account_create(context: ApiContext) -> JsonObject:
    """Create an Express connected account (not yet onboarded)."""
    if context.params["type"] != "express":
        raise invalid_parameter(
            param="type",
            message=(
                f"type={context.params['type']!r} is not supported by the Kiln Stripe stand-in; "
                "only express is."
            ),
        )
    return context.store.add(
        connect_shapes.express_account(params=context.params, created=context.store.clock.now())
    )


def account_link_create(context: ApiContext) -> JsonObject:
    """A single-use onboarding URL for an account, valid for five minutes."""
    params, store = context.params, context.store
    account = store.get(params["account"], object_name="account", param="account")
    now = store.clock.now()
    token = secrets.token_urlsafe(18)
    record = AccountLinkRecord(
        account_id=account["id"],
        refresh_url=params["refresh_url"],
        return_url=params["return_url"],
        expires_at=now + ACCOUNT_LINK_LIFETIME_SECONDS,
        link_type=params["type"],
    )
    store.account_links[token] = record
    url = f"{context.base_url}/setup/e/{account['id']}/{token}"
    return connect_shapes.account_link(url=url, created=now, expires_at=record.expires_at)


ROUTES = [
    Route("POST", "/v1/accounts", ACCOUNT_SCHEMA, account_create),
    Route("GET", "/v1/accounts/{object_id}", {}, retriever(object_name="account")),
    Route("POST", "/v1/account_links", ACCOUNT_LINK_SCHEMA, account_link_create),
]
