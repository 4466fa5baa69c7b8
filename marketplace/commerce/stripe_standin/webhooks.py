"""Webhook delivery: genuinely signed POSTs from a background thread, with retries.

Events go to the platform endpoint, or to the Connect endpoint when they carry `account`,
each signed with its own secret by stripe-python's own `WebhookSignature`, so Kiln's
`stripe.Webhook.construct_event` verifies them exactly as it would Stripe's. Non-2xx answers
(and connection errors) are retried a bounded number of times. Test controls can duplicate,
delay or hold events, then release held ones in creation order or reversed.
"""

from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any

import stripe

JsonObject = dict[str, Any]

PLATFORM = "platform"
CONNECT = "connect"
RELEASE_ORDERS = ("as_created", "reversed")


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where one kind of event goes and the secret that signs it (`whsec_...`)."""

    url: str
    secret: str


@dataclass
class DeliverySettings:
    """How events emitted from now on are delivered."""

    copies: int = 1
    delay_seconds: float = 0.0
    hold: bool = False


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of one event to one endpoint, as recorded for tests and debugging."""

    event_id: str
    event_type: str
    endpoint: str
    attempt: int
    status: int | None
    error: str | None


@dataclass(order=True)
class _Job:
    due: float
    sequence: int
    event: JsonObject = field(compare=False)
    endpoint: str = field(compare=False)
    attempt: int = field(compare=False, default=1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Stripe treats a redirect as a failed delivery instead of following it.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookDispatcher:
    """Queues events per endpoint and delivers them from one worker thread, in due order."""

    def __init__(
        self,
        *,
        endpoints: dict[str, WebhookEndpoint | None],
        retry_delays_seconds: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0),
        request_timeout_seconds: float = 10.0,
    ) -> None:
        self.endpoints = endpoints
        self.settings = DeliverySettings()
        self._retry_delays = retry_delays_seconds
        self._timeout = request_timeout_seconds
        self._jobs: list[_Job] = []
        self._held: list[tuple[JsonObject, str]] = []
        self._attempts: list[DeliveryAttempt] = []
        self._sequence = itertools.count()
        self._busy = False
        self._stopping = False
        self._condition = threading.Condition()
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._thread = threading.Thread(
            target=self._run, name="stripe-standin-webhooks", daemon=True
        )

    def start(self) -> None:
        """Start the delivery thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering; anything still queued is dropped."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=self._timeout + 1)

    def endpoint_for(self, event: JsonObject) -> str:
        """Connect events (those with `account`) go to the Connect endpoint."""
        return CONNECT if event.get("account") else PLATFORM

    def endpoint_count(self, event: JsonObject) -> int:
        """1 when the event's endpoint is configured, else 0 (Stripe's `pending_webhooks`)."""
        return 1 if self.endpoints.get(self.endpoint_for(event)) else 0

    def enqueue(self, event: JsonObject) -> None:
        """Deliver a new event according to the current settings (copies, delay, hold)."""
        endpoint = self.endpoint_for(event)
        if not self.endpoints.get(endpoint):
            return
        with self._condition:
            for _ in range(self.settings.copies):
                if self.settings.hold:
                    self._held.append((event, endpoint))
                else:
                    self._schedule(
                        event=event, endpoint=endpoint, delay=self.settings.delay_seconds
                    )

    def resend(self, *, event: JsonObject, copies: int) -> None:
        """Deliver an existing event `copies` more times (Stripe's "resend" in the dashboard)."""
        endpoint = self.endpoint_for(event)
        if not self.endpoints.get(endpoint):
            raise ValueError(
                f"No {endpoint} webhook URL is configured, so {event['id']} cannot be delivered."
            )
        with self._condition:
            for _ in range(copies):
                self._schedule(event=event, endpoint=endpoint, delay=0.0)

    def release(self, *, order: str) -> int:
        """Deliver every held event, `as_created` or `reversed`; returns how many."""
        if order not in RELEASE_ORDERS:
            raise ValueError(f"order must be one of {', '.join(RELEASE_ORDERS)}, got {order!r}")
        with self._condition:
            held, self._held = self._held, []
            if order == "reversed":
                held.reverse()
            for event, endpoint in held:
                self._schedule(event=event, endpoint=endpoint, delay=0.0)
            return len(held)

    def held_count(self) -> int:
        """How many deliveries are waiting for `release`."""
        with self._condition:
            return len(self._held)

    def attempts(self) -> list[JsonObject]:
        """Every delivery attempt so far, oldest first."""
        with self._condition:
            return [asdict(attempt) for attempt in self._attempts]

    def wait_idle(self, *, timeout_seconds: float) -> bool:
        """Block until nothing is queued or being sent (held events aside); False on timeout."""
        deadline = time.monotonic() + timeout_seconds
        with self._condition:
            while self._jobs or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(timeout=remaining)
            return True

    def reset(self) -> None:
        """Drop queued, held and logged deliveries and restore default settings."""
        with self._condition:
            self._jobs.clear()
            self._held.clear()
            self._attempts.clear()
            self.settings = DeliverySettings()
            self._condition.notify_all()

    def _schedule(
        self, *, event: JsonObject, endpoint: str, delay: float, attempt: int = 1
    ) -> None:
        job = _Job(
            due=time.monotonic() + delay,
            sequence=next(self._sequence),
            event=event,
            endpoint=endpoint,
            attempt=attempt,
        )
        heapq.heappush(self._jobs, job)
        self._condition.notify_all()

    def _run(self) -> None:
        while True:
            with self._condition:
                job = self._next_due_job()
                if job is None:
                    return
                self._busy = True
            attempt = self._post(job)
            with self._condition:
                self._attempts.append(attempt)
                failed = attempt.status is None or not 200 <= attempt.status < 300
                if failed and job.attempt <= len(self._retry_delays) and not self._stopping:
                    delay = self._retry_delays[job.attempt - 1]
                    self._schedule(
                        event=job.event, endpoint=job.endpoint, delay=delay, attempt=job.attempt + 1
                    )
                self._busy = False
                self._condition.notify_all()

    def _next_due_job(self) -> _Job | None:
        # Called with the condition held; waits for the earliest job to fall due.
        while not self._stopping:
            if self._jobs and self._jobs[0].due <= time.monotonic():
                return heapq.heappop(self._jobs)
            timeout = self._jobs[0].due - time.monotonic() if self._jobs else None
            self._condition.wait(timeout=timeout)
        return None

    def _post(self, job: _Job) -> DeliveryAttempt:
        endpoint = self.endpoints[job.endpoint]
        assert endpoint is not None
        payload = json.dumps(job.event, indent=2)
        # Signed at send time, as Stripe does for every attempt: the timestamp must be fresh.
        signature = stripe.WebhookSignature.generate_signature_header(
            payload, endpoint.secret, timestamp=int(time.time())
        )
        # Endpoint URLs are checked to be http(s) when the server is configured.
        request = urllib.request.Request(  # noqa: S310
            endpoint.url,
            data=payload.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": signature,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Cache-Control": "no-cache",
            },
        )
        status: int | None = None
        error: str | None = None
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                status = response.status
        except urllib.error.HTTPError as http_error:
            status = http_error.code
            http_error.close()
        except Exception as delivery_error:
            error = f"{type(delivery_error).__name__}: {delivery_error}"
        return DeliveryAttempt(
            event_id=job.event["id"],
            event_type=job.event["type"],
            endpoint=job.endpoint,
            attempt=job.attempt,
            status=status,
            error=error,
        )
