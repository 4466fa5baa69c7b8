"""Gallery pages with NUL in a filter: a filter error (400), never a PostgreSQL 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.parametrize("name", ["q", "creator", "base_model", "tag", "tool", "sort"])
def test_gallery_filter_with_nul_is_a_filter_error(name: str, owner: Any) -> None:
    response = Client().get("/", {name: "sun\x00set"})
    assert response.status_code == 400
    assert f"{name} contains a NUL character" in response.content.decode()


def test_creator_page_filter_with_nul_is_a_filter_error(owner: Any) -> None:
    response = Client().get("/creators/owner/", {"q": "\x00"})
    assert response.status_code == 400
    assert "q contains a NUL character" in response.content.decode()
