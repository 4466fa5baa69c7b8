"""What ComfyUI's frontend does to prompt text before queueing, and what the text references.

The frontend strips ``//`` and ``/* */`` comments from "dynamic prompt" strings and resolves
``{a|b|c}`` choices at random (nested choices allowed, ``\\`` escapes the next character).
A single-option block ``{a}`` always resolves to ``a``; a multi-option block cannot be resolved
offline: the used choice is only in the PNG's ``prompt``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Same reach as the frontend's expression: a ``//`` anywhere (even inside a URL) starts a comment.
_COMMENT = re.compile(r"/\*[\s\S]*?\*/|//[^\n\r]*")
# ComfyUI reads a word starting with "embedding:" as an embedding name; a "(embedding:x:1.2)"
# weight suffix and trailing commas are not part of the name.
_EMBEDDING = re.compile(r"embedding:([^\s,()\[\]{}|:]+)")


@dataclass(frozen=True)
class Choice:
    """A ``{a|b}`` block: each option is itself a sequence of text and choices."""

    options: tuple[tuple[str | Choice, ...], ...]


Template = tuple["str | Choice", ...]


def strip_prompt_comments(text: str) -> str:
    """Remove ``/* */`` and ``//`` comments the way the frontend does."""
    return _COMMENT.sub("", text)


def parse_dynamic_prompt(text: str) -> Template:
    """Parse comment-free text into literal runs and choice blocks (never raises)."""
    template, _ = _parse_sequence(text, 0, inside_choice=False)
    return template


def _parse_sequence(text: str, index: int, *, inside_choice: bool) -> tuple[Template, int]:
    parts: list[str | Choice] = []
    literal: list[str] = []
    while index < len(text):
        char = text[index]
        if char == "\\":
            literal.append(text[index : index + 2])
            index += 2
            continue
        if inside_choice and char in "|}":
            break
        if char == "{":
            if literal:
                parts.append("".join(literal))
                literal = []
            choice, index = _parse_choice(text, index + 1)
            parts.append(choice)
            continue
        literal.append(char)
        index += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts), index


def _parse_choice(text: str, index: int) -> tuple[Choice, int]:
    options: list[Template] = []
    while True:
        option, index = _parse_sequence(text, index, inside_choice=True)
        options.append(option)
        if index >= len(text):
            # An unclosed block runs to the end of the text, as in the frontend.
            return Choice(tuple(options)), index
        if text[index] == "}":
            return Choice(tuple(options)), index + 1
        index += 1  # skip "|"


def template_is_deterministic(template: Template) -> bool:
    """True when every choice block has a single option (so the result is known)."""
    for part in template:
        if isinstance(part, Choice) and (
            len(part.options) != 1 or not template_is_deterministic(part.options[0])
        ):
            return False
    return True


def render_template(template: Template, *, choose: Callable[[int], int]) -> str:
    """Render with ``choose(number_of_options) -> index`` picking each option."""
    out: list[str] = []
    for part in template:
        if isinstance(part, Choice):
            picked = choose(len(part.options))
            out.append(render_template(part.options[picked], choose=choose))
        else:
            out.append(part)
    return "".join(out)


def template_regex(template: Template) -> str:
    """A regular expression matching every text the template can resolve to."""
    out: list[str] = []
    for part in template:
        if isinstance(part, Choice):
            out.append("(?:" + "|".join(template_regex(option) for option in part.options) + ")")
        else:
            out.append(re.escape(part))
    return "".join(out)


def frontend_prompt_text(text: str) -> tuple[str, bool]:
    """The text the frontend would queue and whether it is exactly known.

    Comments are stripped; single-option blocks resolve. When a multi-option block remains,
    returns the comment-stripped text unchanged and False.
    """
    stripped = strip_prompt_comments(text)
    if "{" not in stripped:
        return stripped, True
    template = parse_dynamic_prompt(stripped)
    if template_is_deterministic(template):
        return render_template(template, choose=lambda count: 0), True
    return stripped, False


def text_is_resolution_of(*, template_text: str, resolved_text: str) -> bool:
    """Whether ``resolved_text`` is one possible result of queueing ``template_text``."""
    template = parse_dynamic_prompt(strip_prompt_comments(template_text))
    return re.fullmatch(template_regex(template), resolved_text, flags=re.DOTALL) is not None


def embedding_names(text: str) -> list[str]:
    """Embedding names referenced as ``embedding:name`` in prompt text, in order, unique."""
    seen: dict[str, None] = {}
    for match in _EMBEDDING.finditer(strip_prompt_comments(text)):
        seen.setdefault(match.group(1).rstrip(".,;"), None)
    return [name for name in seen if name]
