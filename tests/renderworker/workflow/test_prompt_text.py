"""What the frontend does to prompt text, and embedding references."""

from __future__ import annotations

from renderworker.workflow.prompt_text import (
    embedding_names,
    frontend_prompt_text,
    strip_prompt_comments,
    text_is_resolution_of,
)


def test_line_and_block_comments_are_stripped() -> None:
    assert strip_prompt_comments("a cat // note\nb /* x\ny */c") == "a cat \nb c"


def test_double_slash_inside_a_url_starts_a_comment_like_the_frontend() -> None:
    assert strip_prompt_comments("see https://example.com here") == "see https:"


def test_single_option_blocks_resolve_and_text_is_exact() -> None:
    assert frontend_prompt_text("a {red} ball") == ("a red ball", True)


def test_multi_option_blocks_stay_unresolved_and_are_flagged() -> None:
    assert frontend_prompt_text("a {red|blue} ball // hi") == ("a {red|blue} ball ", False)


def test_resolution_matching_accepts_only_possible_choices() -> None:
    template = "a {red|{dark|light} blue} ball"
    assert text_is_resolution_of(template_text=template, resolved_text="a red ball")
    assert text_is_resolution_of(template_text=template, resolved_text="a dark blue ball")
    assert not text_is_resolution_of(template_text=template, resolved_text="a green ball")
    assert not text_is_resolution_of(template_text=template, resolved_text="a red ball!")


def test_escaped_braces_are_literal() -> None:
    assert frontend_prompt_text(r"a \{x|y\} b") == (r"a \{x|y\} b", True)


def test_unclosed_choice_runs_to_the_end() -> None:
    assert text_is_resolution_of(template_text="a {b|c", resolved_text="a c")


def test_embedding_names_drop_weights_commas_and_duplicates() -> None:
    text = (
        "embedding:easynegative, (embedding:bad_hands.pt:1.2) embedding:easynegative"
        " // embedding:commented"
    )
    assert embedding_names(text) == ["easynegative", "bad_hands.pt"]
