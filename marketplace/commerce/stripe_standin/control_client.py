"""A small client for the `/_standin/` control routes, for Kiln's tests and demo scripts.

It speaks HTTP, so it drives a stand-in started in-process (`StripeStandIn`) or as a
separate process (`python -m marketplace.commerce.stripe_standin`) alike.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

JsonObject = dict[str, Any]


class StandInControlError(Exception):
    """A control route answered with an error; `body` is Stripe's error envelope."""

    def __init__(self, *, status: int, body: JsonObject) -> None:
        super().__init__(f"{status}: {body.get('error', {}).get('message', body)}")
        self.status = status
        self.body = body


class StandInControl:
    """Plays buyer, bank and Stripe against a running stand-in at `base_url`."""

    def __init__(self, *, base_url: str, timeout_seconds: float = 60.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds

    def complete_session(self, *, session_id: str, payment_method: str = "card") -> JsonObject:
        """Pay a Checkout Session by `card` (paid) or `async` (complete, unpaid until settled)."""
        return self._post(
            f"/_standin/checkout/sessions/{session_id}/complete", {"payment_method": payment_method}
        )

    def succeed_async_payment(self, *, session_id: str) -> JsonObject:
        """Settle an async payment: `checkout.session.async_payment_succeeded`."""
        return self._post(f"/_standin/checkout/sessions/{session_id}/async/succeed", {})

    def fail_async_payment(self, *, session_id: str) -> JsonObject:
        """Reject an async payment: `checkout.session.async_payment_failed`."""
        return self._post(f"/_standin/checkout/sessions/{session_id}/async/fail", {})

    def expire_session(self, *, session_id: str) -> JsonObject:
        """Expire an open session: `checkout.session.expired`."""
        return self._post(f"/_standin/checkout/sessions/{session_id}/expire", {})

    def refund(
        self,
        *,
        payment_intent: str | None = None,
        charge: str | None = None,
        amount: int | None = None,
    ) -> JsonObject:
        """Refund (all or `amount` of) a payment as if from the Dashboard: `charge.refunded`."""
        body = {"payment_intent": payment_intent, "charge": charge, "amount": amount}
        return self._post(
            "/_standin/refunds", {name: value for name, value in body.items() if value is not None}
        )

    def dispute(self, *, charge_id: str, reason: str = "fraudulent") -> JsonObject:
        """Open a chargeback on a charge: `charge.dispute.created`."""
        return self._post(f"/_standin/charges/{charge_id}/dispute", {"reason": reason})

    def onboard_account(self, *, account_id: str, **flags: bool) -> JsonObject:
        """Finish onboarding (flags set false half-finish it): `account.updated` on Connect."""
        return self._post(f"/_standin/accounts/{account_id}/onboard", dict(flags))

    def set_delivery(
        self,
        *,
        copies: int | None = None,
        delay_seconds: float | None = None,
        hold: bool | None = None,
    ) -> JsonObject:
        """Deliver each future event `copies` times, after `delay_seconds`, or hold it."""
        body = {"copies": copies, "delay_seconds": delay_seconds, "hold": hold}
        return self._post(
            "/_standin/webhooks/delivery",
            {name: value for name, value in body.items() if value is not None},
        )

    def release_held(self, *, order: str = "as_created") -> int:
        """Deliver held events (`as_created` or `reversed`) and stop holding; returns the count."""
        return int(self._post("/_standin/webhooks/release", {"order": order})["released"])

    def resend_event(self, *, event_id: str, copies: int = 1) -> JsonObject:
        """Deliver an existing event again, `copies` times."""
        return self._post(f"/_standin/events/{event_id}/resend", {"copies": copies})

    def wait_for_webhooks(self, *, timeout_seconds: float = 30.0) -> bool:
        """Block until no delivery is queued or in flight (held ones aside)."""
        return bool(
            self._post("/_standin/webhooks/wait", {"timeout_seconds": timeout_seconds})["idle"]
        )

    def delivery_attempts(self) -> list[JsonObject]:
        """Every delivery attempt so far (event id, type, endpoint, attempt, status, error)."""
        return list(self._request("GET", "/_standin/webhooks/attempts", None)["data"])

    def advance_clock(self, *, seconds: int) -> int:
        """Move the stand-in's clock forward (expires sessions and account links)."""
        return int(self._post("/_standin/clock/advance", {"seconds": seconds})["now"])

    def reset(self) -> None:
        """Forget everything (objects, events, idempotency keys, deliveries)."""
        self._post("/_standin/reset", {})

    def _post(self, path: str, body: JsonObject) -> JsonObject:
        return self._request("POST", path, body)

    def _request(self, method: str, path: str, body: JsonObject | None) -> JsonObject:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        # The scheme is checked in __init__ (http/https only).
        request = urllib.request.Request(  # noqa: S310
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            with error:
                raise StandInControlError(
                    status=error.code, body=json.loads(error.read() or b"{}")
                ) from None
