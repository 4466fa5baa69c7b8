"""ComfyUI's prompt-weight syntax: ``(text)`` ×1.1 per level, ``(text:1.3)``, ``\\(`` escapes.

No ``[ ]`` de-emphasis and no ``BREAK`` (those are Automatic1111's). Written from the behaviour
described in COMFY_FIDELITY §6, including its quirks: an explicit ``:w`` replaces the weight
accumulated by outer brackets, a malformed ``:w`` leaves the text (colon included) at ×1.1, and
unbalanced brackets are kept as literal text in the segment they appear in.
"""

from __future__ import annotations

# Private-use stand-ins for escaped brackets while parsing (never in real prompts).
_ESCAPED_CLOSE = "\ue000"
_ESCAPED_OPEN = "\ue001"
BRACKET_WEIGHT = 1.1


def _escape(text: str) -> str:
    return text.replace("\\)", _ESCAPED_CLOSE).replace("\\(", _ESCAPED_OPEN)


def unescape(text: str) -> str:
    """Turn escaped brackets back into literal ``(`` and ``)``."""
    return text.replace(_ESCAPED_CLOSE, ")").replace(_ESCAPED_OPEN, "(")


def _split_top_level(text: str) -> list[str]:
    """Split into plain runs and top-level ``( ... )`` groups (brackets included)."""
    pieces: list[str] = []
    current = ""
    depth = 0
    for char in text:
        if char == "(":
            if depth == 0:
                if current:
                    pieces.append(current)
                current = "("
            else:
                current += char
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                pieces.append(current + ")")
                current = ""
            else:
                # depth < 0: a stray ")" stays literal text; an open group keeps collecting.
                current += char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def _weights(text: str, weight: float) -> list[tuple[str, float]]:
    result: list[tuple[str, float]] = []
    for piece in _split_top_level(text):
        if len(piece) >= 2 and piece[0] == "(" and piece[-1] == ")":
            inner = piece[1:-1]
            inner_weight = weight * BRACKET_WEIGHT
            colon = inner.rfind(":")
            if colon > 0:
                try:
                    inner_weight = float(inner[colon + 1 :])
                    inner = inner[:colon]
                except ValueError:
                    pass
            result.extend(_weights(inner, inner_weight))
        else:
            result.append((piece, weight))
    return result


def parse_prompt_weights(*, text: str) -> list[tuple[str, float]]:
    """Split ``text`` into (segment, weight) pairs; segments still hold escape stand-ins.

    Call ``unescape`` on a segment before tokenising it.
    """
    return _weights(_escape(text), 1.0)
