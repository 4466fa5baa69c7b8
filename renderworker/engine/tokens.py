"""Tokenising weighted prompts into ComfyUI's 77-token windows (COMFY_FIDELITY §6)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import torch

from renderworker.engine.errors import ResourceNotFoundError
from renderworker.engine.prompt_weights import parse_prompt_weights, unescape

WINDOW = 77
# A segment of at least this many tokens is split across windows instead of moved whole.
LARGE_SEGMENT_TOKENS = 8
EMBEDDING_PREFIX = "embedding:"

# A token is a vocabulary id or one row of a textual-inversion embedding (a [width] tensor).
Token = int | torch.Tensor
EmbeddingLookup = Callable[[str], torch.Tensor | None]


@dataclass(frozen=True)
class WindowToken:
    token: Token
    weight: float


def _segment_words(segment: str) -> list[str]:
    """Cut a segment only before ``embedding:`` names (after a space or newline)."""
    parts = re.split(r"[ \n](?=" + EMBEDDING_PREFIX + ")", segment)
    return [part for part in parts if part != ""]


def _embedding_tokens(
    word: str, *, lookup: EmbeddingLookup | None
) -> tuple[list[torch.Tensor], str]:
    """Return the embedding rows for ``embedding:NAME rest`` and the leftover text."""
    body = word[len(EMBEDDING_PREFIX) :].strip("\n")
    name, _, rest = body.partition(" ")
    stripped = name.rstrip(",")
    leftover = (name[len(stripped) :] + " " + rest).strip() if rest or stripped != name else ""
    vectors = lookup(stripped) if lookup is not None else None
    if vectors is None:
        # ComfyUI ignores a missing embedding with a warning; a reproduction must not guess.
        raise ResourceNotFoundError(
            f"prompt uses embedding {stripped!r}, which this job does not provide"
        )
    return list(vectors.reshape(-1, vectors.shape[-1])), leftover


def segment_tokens(
    *, text: str, tokenizer: object, embeddings: EmbeddingLookup | None = None
) -> list[list[WindowToken]]:
    """Tokenise ``text`` into weighted groups, one group per weighted segment (or embedding)."""
    groups: list[list[WindowToken]] = []
    for segment, weight in parse_prompt_weights(text=text):
        for word in _segment_words(unescape(segment)):
            if word.startswith(EMBEDDING_PREFIX):
                rows, word = _embedding_tokens(word, lookup=embeddings)
                groups.append([WindowToken(row, weight) for row in rows])
                if not word:
                    continue
            ids = tokenizer(word)["input_ids"][1:-1]  # type: ignore[operator]
            groups.append([WindowToken(int(token), weight) for token in ids])
    return groups


def build_windows(
    *, groups: list[list[WindowToken]], bos: int, eos: int, pad: int
) -> list[list[WindowToken]]:
    """Pack groups into ``[BOS, ≤75 tokens, EOS, pad...]`` windows of 77.

    A group that does not fit moves whole to the next window (the current one is closed with
    EOS and padding) unless it has ≥ 8 tokens: then it fills the window and continues.
    """
    windows: list[list[WindowToken]] = []
    current: list[WindowToken] = [WindowToken(bos, 1.0)]
    windows.append(current)
    for group in groups:
        remaining_group = list(group)
        is_large = len(remaining_group) >= LARGE_SEGMENT_TOKENS
        while remaining_group:
            room = WINDOW - 1 - len(current)
            if len(remaining_group) > room:
                if is_large:
                    current.extend(remaining_group[:room])
                    current.append(WindowToken(eos, 1.0))
                    remaining_group = remaining_group[room:]
                else:
                    current.append(WindowToken(eos, 1.0))
                    current.extend([WindowToken(pad, 1.0)] * room)
                current = [WindowToken(bos, 1.0)]
                windows.append(current)
            else:
                current.extend(remaining_group)
                remaining_group = []
    current.append(WindowToken(eos, 1.0))
    current.extend([WindowToken(pad, 1.0)] * (WINDOW - len(current)))
    return windows


def empty_window(*, bos: int, eos: int, pad: int) -> list[WindowToken]:
    """The window of an empty prompt: ``[BOS, EOS, pad × 75]``."""
    return [WindowToken(bos, 1.0), WindowToken(eos, 1.0)] + [WindowToken(pad, 1.0)] * (WINDOW - 2)
