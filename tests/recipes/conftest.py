"""Recipe tests price things: their owner has finished Stripe payouts."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.accounts.models import User
from tests.conftest import make_user, onboard


@pytest.fixture
def owner(db: Any) -> User:
    return onboard(make_user("owner"))
