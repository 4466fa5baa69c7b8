"""Stripe-looking object ids (`cs_test_...`, `pi_...`, `evt_...`)."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_id(*, prefix: str, length: int = 24) -> str:
    """A random id with Stripe's prefix for the object type; unique for the server's life."""
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(length))}"


def new_session_id() -> str:
    """Checkout Session ids are long and carry the mode (`cs_test_` in test mode)."""
    return new_id(prefix="cs_test", length=58)
