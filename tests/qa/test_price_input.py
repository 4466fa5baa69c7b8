"""Prices typed in web forms are in major units; their errors must speak major units too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from marketplace.recipes.models import Recipe
from marketplace.recipes.pricing import PriceInputError, major_to_minor
from tests.conftest import PASSWORD


def test_typed_price_above_the_maximum_is_refused_in_the_currency_typed() -> None:
    with pytest.raises(PriceInputError) as caught:
        major_to_minor(text="10000.01", currency="usd")
    assert (
        str(caught.value)
        == "price: '10000.01' is above the maximum; accepted: at most 10000.00 USD"
    )


def test_typed_price_above_the_maximum_in_yen_names_yen() -> None:
    with pytest.raises(PriceInputError) as caught:
        major_to_minor(text="1000001", currency="jpy")
    assert (
        str(caught.value) == "price: '1000001' is above the maximum; accepted: at most 1000000 JPY"
    )


def test_negative_typed_price_says_it_is_negative() -> None:
    with pytest.raises(PriceInputError) as caught:
        major_to_minor(text="-5", currency="usd")
    assert str(caught.value) == "price: '-5' is negative; accepted: 0 (free) or more, like 4.99"


def test_maximum_itself_is_accepted() -> None:
    assert major_to_minor(text="10000.00", currency="usd") == 1_000_000


def test_recipe_edit_page_shows_the_major_unit_error_and_saves_nothing(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner)
    client = Client()
    assert client.login(username="owner", password=PASSWORD)
    response = client.post(
        f"/posts/{post.pk}/recipe/edit/",
        {"prompt": "a lighthouse", "tool": "comfyui", "price": "20000"},
    )
    assert response.status_code == 400
    assert "at most 10000.00 USD" in response.content.decode()
    assert "minor units" not in response.content.decode()
    assert not Recipe.objects.filter(post=post).exists()
