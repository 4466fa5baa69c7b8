"""Errors raised by the sampling package."""

from __future__ import annotations

from collections.abc import Iterable


class UnsupportedSamplerError(ValueError):
    """A sampler name Kiln does not implement (ComfyUI would silently fall back; Kiln refuses)."""

    def __init__(self, *, name: object, accepted: Iterable[str]) -> None:
        self.name = name
        self.accepted = tuple(accepted)
        super().__init__(
            f"sampler_name {name!r} is not supported; accepted: {', '.join(self.accepted)}"
        )


class UnsupportedSchedulerError(ValueError):
    """A scheduler name Kiln does not implement (ComfyUI would silently fall back; Kiln refuses)."""

    def __init__(self, *, name: object, accepted: Iterable[str]) -> None:
        self.name = name
        self.accepted = tuple(accepted)
        super().__init__(
            f"scheduler {name!r} is not supported; accepted: {', '.join(self.accepted)}"
        )


class RenderCancelled(Exception):
    """Raised inside `sample` when the caller's `should_cancel()` returns True."""

    def __init__(self, *, completed_steps: int, total_steps: int) -> None:
        self.completed_steps = completed_steps
        self.total_steps = total_steps
        super().__init__(f"sampling cancelled after {completed_steps} of {total_steps} steps")
