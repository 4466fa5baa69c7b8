"""What an upload contained, before compilation or analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class WorkflowSource:
    """The workflow(s) found in an upload.

    ``api`` is the executable graph when the upload carried one: for a ComfyUI image it is the
    ``prompt`` metadata, which holds the seed actually used — prefer it over ``ui``, whose seed
    widgets may already hold the *next* seed (COMFY_FIDELITY §1).
    """

    ui: dict[str, Any] | None = None
    api: dict[str, Any] | None = None
    a1111_text: str | None = None
    image_format: str | None = None
    image_size: tuple[int, int] | None = None
