"""The pieces every `/v1/` route shares: its context, its declaration, and dispatch."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .checkout_actions import expire_due_sessions
from .errors import StripeError
from .expand import expand_object
from .params import Field, validate_params
from .store import JsonObject, Store


@dataclass(frozen=True)
class ApiContext:
    """What a route handler gets: validated params, ids from the path, and the state."""

    store: Store
    params: JsonObject
    path_args: Mapping[str, str]
    base_url: str
    stripe_account: str | None


Handler = Callable[[ApiContext], JsonObject]


def retriever(*, object_name: str) -> Handler:
    """A handler returning the object of `object_name` whose id is the path's `{object_id}`."""

    def retrieve(context: ApiContext) -> JsonObject:
        return context.store.get(context.path_args["object_id"], object_name=object_name)

    retrieve.__doc__ = f"Retrieve one {object_name} by id."
    return retrieve


@dataclass(frozen=True)
class Route:
    """One endpoint: method, path pattern (`{name}` captures an id), schema, handler."""

    method: str
    pattern: str
    schema: Mapping[str, Field]
    handler: Handler

    def match(self, *, method: str, path: str) -> dict[str, str] | None:
        """The path's named ids if this route serves the request, else None."""
        if method != self.method:
            return None
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern) + "$"
        found = re.match(regex, path)
        return found.groupdict() if found else None


def dispatch(
    *,
    routes: list[Route],
    store: Store,
    method: str,
    path: str,
    raw_params: Mapping[str, Any],
    base_url: str,
    stripe_account: str | None,
) -> JsonObject:
    """Find the route, validate its params, run it under the store lock, apply `expand`."""
    allowed_methods = []
    for route in routes:
        path_args = route.match(method=method, path=path)
        if path_args is None:
            if route.match(method=route.method, path=path) is not None:
                allowed_methods.append(route.method)
            continue
        params = validate_params(params=raw_params, schema=route.schema)
        with store.lock:
            # Sessions whose expires_at passed expire before anything reads them, as on Stripe.
            expire_due_sessions(store=store)
            context = ApiContext(
                store=store,
                params=params,
                path_args=path_args,
                base_url=base_url,
                stripe_account=stripe_account,
            )
            result = route.handler(context)
            return expand_object(store=store, obj=result, paths=params.get("expand", []))
    if allowed_methods:
        raise StripeError(
            status=404,
            message=(
                f"Unrecognized request URL ({method} {path}). This path accepts "
                f"{', '.join(sorted(set(allowed_methods)))}."
            ),
        )
    raise StripeError(
        status=404,
        message=(
            f"Unrecognized request URL ({method} {path}). The Kiln Stripe stand-in serves only the "
            "endpoints listed in docs/stripe-standin.md."
        ),
    )
