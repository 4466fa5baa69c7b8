"""Secret-key authentication, checked the way Stripe checks it (Bearer or HTTP basic)."""

from __future__ import annotations

import base64
import binascii

from .errors import StripeError

ACCEPTED_KEY_PREFIX = "sk_test_"


def authenticate(*, authorization: str) -> str:
    """The API key in an `Authorization` header value; it must be a test key (`sk_test_...`).

    The stand-in refuses live keys on purpose: a live key pointed here is a misconfiguration.
    """
    header = authorization.strip()
    key = ""
    if header.lower().startswith("bearer "):
        key = header[7:].strip()
    elif header.lower().startswith("basic "):
        try:
            key = (
                base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").split(":", 1)[0]
            )
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    if not key:
        raise StripeError(
            status=401,
            message=(
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
                "https://stripe.com/docs/api#authentication for details."
            ),
        )
    if not key.startswith(ACCEPTED_KEY_PREFIX) or len(key) <= len(ACCEPTED_KEY_PREFIX):
        raise StripeError(
            status=401,
            message=(
                f"Invalid API Key provided: {_redact(key)}. The Kiln Stripe stand-in accepts "
                "any test secret key "
                f"({ACCEPTED_KEY_PREFIX}...) and nothing else."
            ),
        )
    return key


def _redact(key: str) -> str:
    if len(key) <= 12:
        return "*" * len(key)
    return f"{key[:8]}{'*' * (len(key) - 12)}{key[-4:]}"
