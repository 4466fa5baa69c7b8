"""The stand-in's state: every object it has created, its events, and its one lock.

One re-entrant lock serialises every request that reads or changes state. The stand-in serves
tests and a demo, not traffic, and a single lock makes each API call atomic the way Stripe's
are (no half-paid session is ever visible), which is what a race test in Kiln relies on.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import stripe

from .clock import Clock
from .errors import resource_missing
from .ids import new_id

JsonObject = dict[str, Any]

API_VERSION: str = stripe.api_version


@dataclass
class AccountLinkRecord:
    """Server-side facts about an Account Link, which Stripe never shows back to the API."""

    account_id: str
    refresh_url: str
    return_url: str
    expires_at: int
    link_type: str
    visited: bool = False


class Store:
    """All objects by id, plus the event log; callers hold `lock` around multi-step changes."""

    def __init__(self, *, clock: Clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.objects: dict[str, JsonObject] = {}
        self.session_line_items: dict[str, list[JsonObject]] = {}
        self.account_links: dict[str, AccountLinkRecord] = {}
        # Per-object facts Stripe keeps but never returns (a session's payment_intent_data).
        self.private: dict[str, JsonObject] = {}
        self.events: list[JsonObject] = []
        # Set by the server: how many endpoints will receive an event (Stripe's
        # `pending_webhooks`), and the hand-off of each new event to webhook delivery.
        self.endpoint_count: Callable[[JsonObject], int] = lambda event: 0
        self.event_sink: Callable[[JsonObject], None] = lambda event: None

    def add(self, obj: JsonObject) -> JsonObject:
        """Store a new object under its id and return it."""
        self.objects[obj["id"]] = obj
        return obj

    def find(self, object_id: str) -> JsonObject | None:
        """The object with this id, of any type, or None."""
        return self.objects.get(object_id)

    def get(self, object_id: str, *, object_name: str, param: str = "id") -> JsonObject:
        """The object with this id and `object` type, or Stripe's 404 naming `param`."""
        found = self.objects.get(object_id)
        if found is None or found.get("object") != object_name:
            raise resource_missing(kind=object_name, object_id=object_id, param=param)
        return found

    def all_of(self, object_name: str) -> list[JsonObject]:
        """Every object of one type, oldest first."""
        return [obj for obj in self.objects.values() if obj.get("object") == object_name]

    def emit_event(
        self,
        *,
        event_type: str,
        data_object: JsonObject,
        previous_attributes: JsonObject | None = None,
        account: str | None = None,
    ) -> JsonObject:
        """Record an event holding a snapshot of `data_object` and queue it for delivery."""
        data: JsonObject = {"object": copy.deepcopy(data_object)}
        if previous_attributes is not None:
            data["previous_attributes"] = copy.deepcopy(previous_attributes)
        event: JsonObject = {
            "id": new_id(prefix="evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.clock.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 0,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        if account is not None:
            # Connect events carry the connected account; Stripe sends them to Connect endpoints.
            event["account"] = account
        event["pending_webhooks"] = self.endpoint_count(event)
        self.events.append(event)
        self.objects[event["id"]] = event
        self.event_sink(copy.deepcopy(event))
        return event

    def reset(self) -> None:
        """Forget every object and event (test isolation)."""
        self.objects.clear()
        self.session_line_items.clear()
        self.account_links.clear()
        self.private.clear()
        self.events.clear()
