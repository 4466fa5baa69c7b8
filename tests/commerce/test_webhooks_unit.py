"""The webhook endpoints with hand-signed payloads (no stand-in): signature, tolerance,
storage by id, unknown types."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe
from django.conf import settings
from django.test import Client

from marketplace.commerce.models import StripeEvent, StripeEventStatus

pytestmark = pytest.mark.django_db


def signed_post(
    body: dict[str, Any],
    *,
    secret: str | None = None,
    timestamp: int | None = None,
    path: str = "/stripe/webhook/",
) -> Any:
    payload = json.dumps(body)
    signature = stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp or int(time.time())
    )
    return Client().post(
        path, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def event(event_id: str = "evt_unit_1", type_: str = "customer.created") -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": type_,
        "data": {"object": {"id": "cus_1", "object": "customer"}},
        "livemode": False,
        "created": int(time.time()),
    }


def test_an_unknown_event_type_is_stored_acknowledged_and_ignored(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(event())

    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.type, stored.status) == (
        "evt_unit_1",
        "customer.created",
        StripeEventStatus.IGNORED,
    )


def test_a_duplicate_delivery_is_acknowledged_and_stored_once() -> None:
    first = signed_post(event())
    second = signed_post(event())

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"received": True, "duplicate": True}
    assert StripeEvent.objects.count() == 1


def test_a_bad_signature_is_a_400_and_stores_nothing() -> None:
    response = signed_post(event(), secret="whsec_not_the_right_one")

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_missing_signature_is_a_400_and_stores_nothing() -> None:
    response = Client().post(
        "/stripe/webhook/", data=json.dumps(event()), content_type="application/json"
    )

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_stale_signature_is_rejected() -> None:
    response = signed_post(event(), timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert b"tolerance" in response.content.lower() or b"timestamp" in response.content.lower()
    assert StripeEvent.objects.count() == 0


def test_the_connect_endpoint_refuses_the_platform_secret() -> None:
    response = signed_post(event(type_="account.updated"), path="/stripe/connect-webhook/")

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_tampered_body_fails_the_signature() -> None:
    payload = json.dumps(event())
    signature = stripe.WebhookSignature.generate_signature_header(
        payload, settings.STRIPE_WEBHOOK_SECRET, timestamp=int(time.time())
    )
    response = Client().post(
        "/stripe/webhook/",
        data=payload.replace("customer.created", "charge.refunded"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
