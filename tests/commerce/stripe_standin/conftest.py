"""Fixtures: a started stand-in, a real stripe-python client on it, and webhook receivers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from marketplace.commerce.stripe_standin import StandInControl, StripeStandIn

PLATFORM_SECRET = "whsec_platform_test_secret"
CONNECT_SECRET = "whsec_connect_test_secret"
API_KEY = "sk_test_kiln_standin"


@dataclass(frozen=True)
class Delivery:
    """One webhook POST as the receiver saw it."""

    body: bytes
    signature: str
    content_type: str

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class WebhookReceiver:
    """A tiny local endpoint that records deliveries and answers with scripted statuses."""

    deliveries: list[Delivery] = field(default_factory=list)
    # Statuses to answer, in order; once exhausted every delivery gets 200.
    scripted_statuses: list[int] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/webhook"

    def event_types(self) -> list[str]:
        return [delivery.event["type"] for delivery in self.deliveries]


def _start_receiver() -> WebhookReceiver:
    receiver = WebhookReceiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                receiver.deliveries.append(
                    Delivery(
                        body=body,
                        signature=self.headers["Stripe-Signature"],
                        content_type=self.headers["Content-Type"],
                    )
                )
                status = receiver.scripted_statuses.pop(0) if receiver.scripted_statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=receiver.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return receiver


@pytest.fixture
def platform_receiver() -> Iterator[WebhookReceiver]:
    receiver = _start_receiver()
    yield receiver
    assert receiver.server is not None
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def connect_receiver() -> Iterator[WebhookReceiver]:
    receiver = _start_receiver()
    yield receiver
    assert receiver.server is not None
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def standin(
    platform_receiver: WebhookReceiver, connect_receiver: WebhookReceiver
) -> Iterator[StripeStandIn]:
    server = StripeStandIn(
        webhook_url=platform_receiver.url,
        webhook_secret=PLATFORM_SECRET,
        connect_webhook_url=connect_receiver.url,
        connect_webhook_secret=CONNECT_SECRET,
        # Retries fast, so a test of retries waits milliseconds rather than seconds.
        retry_delays_seconds=(0.01, 0.01, 0.01),
    ).start()
    yield server
    server.stop()


@pytest.fixture
def client(standin: StripeStandIn) -> stripe.StripeClient:
    # No client-side retries: each test sees exactly the response the stand-in gave.
    return stripe.StripeClient(API_KEY, base_addresses={"api": standin.url}, max_network_retries=0)


@pytest.fixture
def control(standin: StripeStandIn) -> StandInControl:
    return StandInControl(base_url=standin.url)


SessionFactory = Callable[..., stripe.checkout.Session]


@pytest.fixture
def make_session(client: stripe.StripeClient) -> SessionFactory:
    """Create a Checkout Session: one 19.99 USD item unless params are overridden."""

    def make(**overrides: Any) -> stripe.checkout.Session:
        params: dict[str, Any] = {
            "mode": "payment",
            "success_url": "http://kiln.test/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://kiln.test/checkout/cancel/",
            "client_reference_id": "order-7",
            "customer_email": "buyer@kiln.test",
            "metadata": {"order_id": "7"},
            "line_items": [
                {
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 1999,
                        "product_data": {
                            "name": "Misty forest Recipe",
                            "metadata": {"item": "recipe-3"},
                        },
                    },
                    "quantity": 1,
                }
            ],
        }
        params.update(overrides)
        return client.v1.checkout.sessions.create(params=params)  # type: ignore[arg-type]

    return make


@pytest.fixture
def onboarded_account(client: stripe.StripeClient, control: StandInControl) -> stripe.Account:
    """An Express account whose onboarding the stand-in has completed (transfers active)."""
    account = client.v1.accounts.create(
        params={
            "type": "express",
            "email": "creator@kiln.test",
            "capabilities": {"transfers": {"requested": True}},
        }
    )
    control.onboard_account(account_id=account.id)
    return account
