"""The checkout success page answers 404, not 500, for session ids Stripe never issues."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.parametrize("session_id", ["cs_\x00", "x" * 300, ""])
def test_bad_session_ids_are_a_plain_404(buyer: Any, session_id: str) -> None:
    client = Client()
    client.force_login(buyer)
    response = client.get("/checkout/success/", {"session_id": session_id})
    assert response.status_code == 404
