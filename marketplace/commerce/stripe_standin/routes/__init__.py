"""The `/v1/` endpoints the stand-in serves, one module per Stripe resource."""

from __future__ import annotations

from ..api import Route
from . import checkout_sessions, connect, events, payments, transfers

API_ROUTES: list[Route] = [
    *checkout_sessions.ROUTES,
    *payments.ROUTES,
    *connect.ROUTES,
    *transfers.ROUTES,
    *events.ROUTES,
]
