"""Idempotency keys on POST, as Stripe honours them.

The first request with a key runs and its response is kept; the same key with the same
endpoint and parameters replays that response (with `Idempotent-Replayed: true`); the same
key with anything else is a 400 `idempotency_error`. Parameters are compared decoded, so
their order on the wire does not matter. Only successful responses are kept: a request that
failed (say, validation) can be retried with the same key once corrected. (Stripe also keeps
errors raised after an endpoint started work; Kiln's flows do not depend on that.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from .errors import StripeError

MAX_STORED_RESPONSES = 20_000


@dataclass(frozen=True)
class StoredResponse:
    """What the first request with a key answered, and what it asked."""

    method: str
    path: str
    fingerprint: str
    status: int
    response_body: bytes


class IdempotencyCache:
    """Responses by (API key, Stripe-Account, Idempotency-Key)."""

    def __init__(self) -> None:
        self._responses: OrderedDict[tuple[str, str, str], StoredResponse] = OrderedDict()
        self._in_flight: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def begin(
        self, *, scope: tuple[str, str, str], method: str, path: str, fingerprint: str
    ) -> StoredResponse | None:
        """The response to replay, or None after marking the key in flight for this request."""
        with self._lock:
            stored = self._responses.get(scope)
            if stored is not None:
                if (stored.method, stored.path) != (method, path):
                    raise StripeError(
                        status=400,
                        error_type="idempotency_error",
                        message=(
                            "Keys for idempotent requests can only be used for the same "
                            "endpoint they were first "
                            f"used for ('{stored.method} {stored.path}'). Try using a key "
                            f"other than '{scope[2]}' "
                            "if you meant to execute a different request."
                        ),
                    )
                if stored.fingerprint != fingerprint:
                    raise StripeError(
                        status=400,
                        error_type="idempotency_error",
                        message=(
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first "
                            f"used with. Try using a key other than '{scope[2]}' if you "
                            "meant to execute a different request."
                        ),
                    )
                return stored
            if scope in self._in_flight:
                raise StripeError(
                    status=409,
                    error_type="idempotency_error",
                    code="idempotency_key_in_use",
                    message=(
                        "There is currently another in-progress request using this "
                        "Idempotent Key (that probably "
                        "means you submitted twice, and the other request is still going through): "
                        f"{scope[2]}. Please try again later."
                    ),
                )
            self._in_flight.add(scope)
            return None

    def finish(self, *, scope: tuple[str, str, str], response: StoredResponse | None) -> None:
        """Release the key; keep `response` for replays (None: forget, e.g. a validation error)."""
        with self._lock:
            self._in_flight.discard(scope)
            if response is not None:
                self._responses[scope] = response
                # stripe-python puts a fresh key on every POST; keep memory bounded in long demos.
                while len(self._responses) > MAX_STORED_RESPONSES:
                    self._responses.popitem(last=False)

    def clear(self) -> None:
        """Forget every key (test isolation)."""
        with self._lock:
            self._responses.clear()
            self._in_flight.clear()
