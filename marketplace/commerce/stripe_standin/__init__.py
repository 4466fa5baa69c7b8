"""Kiln's Stripe stand-in: a stateful server speaking the part of Stripe's API Kiln uses.

Tests and the demo run offline; Kiln reaches this server only through the official `stripe`
library (`stripe.StripeClient(key, base_addresses={"api": standin.url})`). Pure stdlib plus
`stripe`; no Django. See docs/stripe-standin.md.
"""

from __future__ import annotations

from .control_client import StandInControl
from .server import StripeStandIn

__all__ = ["StandInControl", "StripeStandIn"]
