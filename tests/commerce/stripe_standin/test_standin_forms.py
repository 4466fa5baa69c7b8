"""Stripe's form encoding and parameter checking, without a server."""

from __future__ import annotations

import pytest

from marketplace.commerce.stripe_standin.errors import StripeError
from marketplace.commerce.stripe_standin.forms import decode_form
from marketplace.commerce.stripe_standin.pages import format_amount
from marketplace.commerce.stripe_standin.params import integer, obj, string, validate_params


def test_nested_keys_and_indexed_arrays_decode_to_dicts_and_lists() -> None:
    encoded = (
        "mode=payment&metadata[order]=7"
        "&line_items[0][price_data][currency]=usd&line_items[0][quantity]=1"
        "&line_items[1][quantity]=2&expand[0]=line_items"
    )

    decoded = decode_form(encoded=encoded)

    assert decoded == {
        "mode": "payment",
        "metadata": {"order": "7"},
        "line_items": [{"price_data": {"currency": "usd"}, "quantity": "1"}, {"quantity": "2"}],
        "expand": ["line_items"],
    }


def test_empty_brackets_append_like_stripes_curl_examples() -> None:
    decoded = decode_form(encoded="expand[]=line_items&expand[]=payment_intent")

    assert decoded == {"expand": ["line_items", "payment_intent"]}


def test_indices_sort_numerically_not_as_text() -> None:
    pairs = "&".join(f"a[{index}]=v{index}" for index in range(12))

    assert decode_form(encoded=pairs) == {"a": [f"v{index}" for index in range(12)]}


def test_scalar_and_nested_value_for_the_same_name_is_refused() -> None:
    with pytest.raises(StripeError) as raised:
        decode_form(encoded="metadata=x&metadata[a]=b")

    assert raised.value.param == "metadata[a]"


def test_unknown_nested_parameter_is_named_with_its_full_path() -> None:
    schema = {"line_items": obj({"quantity": integer()})}

    with pytest.raises(StripeError) as raised:
        validate_params(params={"line_items": {"quantity": "1", "colour": "red"}}, schema=schema)

    assert (raised.value.code, raised.value.param) == ("parameter_unknown", "line_items[colour]")


def test_integers_are_parsed_and_bad_ones_named() -> None:
    schema = {"amount": integer(required=True), "currency": string(required=True)}

    assert validate_params(params={"amount": "500", "currency": "usd"}, schema=schema) == {
        "amount": 500,
        "currency": "usd",
    }
    with pytest.raises(StripeError) as raised:
        validate_params(params={"amount": "5.00", "currency": "usd"}, schema=schema)
    assert (raised.value.code, raised.value.param, raised.value.message) == (
        "parameter_invalid_integer",
        "amount",
        "Invalid integer: 5.00",
    )


def test_missing_required_parameter_is_reported_as_stripe_does() -> None:
    with pytest.raises(StripeError) as raised:
        validate_params(params={}, schema={"amount": integer(required=True)})

    assert (raised.value.code, raised.value.param, raised.value.message) == (
        "parameter_missing",
        "amount",
        "Missing required param: amount.",
    )


def test_amounts_display_in_major_units_and_zero_decimal_currencies_stay_whole() -> None:
    assert format_amount(amount=1999, currency="usd") == "19.99 USD"
    assert format_amount(amount=5, currency="eur") == "0.05 EUR"
    assert format_amount(amount=1500, currency="jpy") == "1500 JPY"
