from __future__ import annotations

import pytest

from renderworker.engine.prompt_weights import parse_prompt_weights, unescape


def parsed(text: str) -> list[tuple[str, float]]:
    return [
        (unescape(segment), round(weight, 6)) for segment, weight in parse_prompt_weights(text=text)
    ]


def test_plain_text_is_one_segment_at_weight_one() -> None:
    assert parsed("a photo of a cat") == [("a photo of a cat", 1.0)]


def test_brackets_multiply_by_1_1_per_level() -> None:
    assert parsed("a (cat) ((dog))") == [("a ", 1.0), ("cat", 1.1), (" ", 1.0), ("dog", 1.21)]


def test_explicit_weight_replaces_the_bracket_weight() -> None:
    assert parsed("(red:1.3) and ((blue:0.5))") == [("red", 1.3), (" and ", 1.0), ("blue", 0.5)]


def test_nested_groups_inside_an_explicit_weight_build_on_it() -> None:
    assert parsed("(a (b) c:1.5)") == [("a ", 1.5), ("b", 1.65), (" c", 1.5)]


def test_escaped_brackets_are_literal_text() -> None:
    assert parsed(r"a \(cat\) (dog:1.2)") == [("a (cat) ", 1.0), ("dog", 1.2)]


def test_malformed_weight_keeps_colon_text_at_1_1() -> None:
    assert parsed("(cat:big)") == [("cat:big", 1.1)]


def test_square_brackets_and_break_are_not_syntax() -> None:
    assert parsed("[cat] BREAK dog") == [("[cat] BREAK dog", 1.0)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(cat", [("(cat", 1.0)]),
        ("cat) dog", [("cat) dog", 1.0)]),
    ],
)
def test_unbalanced_brackets_stay_literal(text: str, expected: list[tuple[str, float]]) -> None:
    assert parsed(text) == expected


def test_embedding_syntax_is_left_for_the_tokeniser() -> None:
    assert parsed("embedding:style (cat:1.2)") == [("embedding:style ", 1.0), ("cat", 1.2)]
