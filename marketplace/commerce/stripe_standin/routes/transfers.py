"""`/v1/transfers`: separate transfers to connected accounts."""

from __future__ import annotations

from ..api import ApiContext, Route, retriever
from ..listing import PAGINATION, list_object
from ..money_actions import create_transfer
from ..params import METADATA, integer, string
from ..store import JsonObject

CREATE_SCHEMA = {
    "amount": integer(required=True, minimum=1),
    "currency": string(required=True),
    "destination": string(required=True),
    "description": string(),
    "metadata": METADATA,
    "source_transaction": string(),
    "transfer_group": string(),
}

LIST_SCHEMA = {**PAGINATION, "destination": string(), "transfer_group": string()}


def transfer_create(context: ApiContext) -> JsonObject:
    """Move `amount` from the platform to a connected account whose transfers are enabled."""
    return create_transfer(store=context.store, params=context.params)


def transfer_list(context: ApiContext) -> JsonObject:
    """Transfers, newest first, optionally to one destination or in one transfer group."""
    transfers = list(reversed(context.store.all_of("transfer")))
    for name in ("destination", "transfer_group"):
        if name in context.params:
            transfers = [
                transfer for transfer in transfers if transfer[name] == context.params[name]
            ]
    return list_object(items=transfers, url="/v1/transfers", params=context.params)


ROUTES = [
    Route("POST", "/v1/transfers", CREATE_SCHEMA, transfer_create),
    Route("GET", "/v1/transfers", LIST_SCHEMA, transfer_list),
    Route("GET", "/v1/transfers/{object_id}", {}, retriever(object_name="transfer")),
]
