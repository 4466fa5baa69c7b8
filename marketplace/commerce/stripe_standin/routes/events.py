"""`/v1/events`: the event log, as Stripe keeps it for 30 days."""

from __future__ import annotations

from ..api import ApiContext, Route, retriever
from ..listing import PAGINATION, list_object
from ..params import string, string_list
from ..store import JsonObject

LIST_SCHEMA = {**PAGINATION, "type": string(), "types": string_list()}


def event_list(context: ApiContext) -> JsonObject:
    """Events newest first; with a `Stripe-Account` header, that connected account's events.

    `type` filters by one type (a trailing `*` matches a prefix, as Stripe's `charge.*`),
    `types[]` by several.
    """
    events = [
        event
        for event in reversed(context.store.events)
        if event.get("account") == context.stripe_account
    ]
    wanted = context.params.get("type")
    if wanted is not None:
        if wanted.endswith("*"):
            events = [event for event in events if event["type"].startswith(wanted[:-1])]
        else:
            events = [event for event in events if event["type"] == wanted]
    if "types" in context.params:
        events = [event for event in events if event["type"] in context.params["types"]]
    return list_object(items=events, url="/v1/events", params=context.params)


ROUTES = [
    Route("GET", "/v1/events", LIST_SCHEMA, event_list),
    Route("GET", "/v1/events/{object_id}", {}, retriever(object_name="event")),
]
