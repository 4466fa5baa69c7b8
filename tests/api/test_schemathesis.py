"""Property-based API testing from the OpenAPI document: no request makes the server fail.

Driven by hand rather than through schemathesis' pytest plugin (its fixture loader does not
support pytest 9 yet): every operation in the schema gets generated requests, authenticated
with a token holding every scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from marketplace.accounts.services import api_token_create, user_create


@pytest.fixture
def api_schema(db: Any, settings: Any) -> Iterator[Any]:
    from marketplace.wsgi import application

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    # Calling the WSGI app directly fires request_finished, whose handler would close the
    # test's connection mid-transaction (Django's test client disconnects it the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(db: Any) -> str:
    user = user_create(email="probe@example.test", username="probe", password="a-long-password-1")
    return api_token_create(user=user, name="probe", scopes=["read", "write", "purchase"])[1]


def test_no_endpoint_answers_with_a_server_error(api_schema: Any, token: str) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def probe(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        probe()
    assert failures == []
