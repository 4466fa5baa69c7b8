"""How a node is declared: typed inputs with ComfyUI's ranges, typed outputs, a run function."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from renderworker.engine.errors import NodeInputError

# Value kinds that are literals (widgets); everything else arrives through a link.
WIDGET_KINDS = frozenset({"INT", "FLOAT", "STRING", "COMBO", "SEED"})
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class InputSpec:
    kind: str  # MODEL, CLIP, VAE, CONDITIONING, LATENT, IMAGE, MASK, NOISE, GUIDER, SAMPLER, SIGMAS, or a widget kind
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    optional: bool = False

    @property
    def is_widget(self) -> bool:
        return self.kind in WIDGET_KINDS

    def accepted_choices(self) -> tuple[str, ...]:
        if callable(self.choices):
            return self.choices()
        return self.choices or ()


def INT(
    default: int | None = None, minimum: float | None = None, maximum: float | None = None
) -> InputSpec:
    return InputSpec("INT", default, minimum, maximum)


def FLOAT(
    default: float | None = None, minimum: float | None = None, maximum: float | None = None
) -> InputSpec:
    return InputSpec("FLOAT", default, minimum, maximum)


def STRING(default: str | None = None) -> InputSpec:
    return InputSpec("STRING", default)


def COMBO(
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None,
    default: str | None = None,
) -> InputSpec:
    """A choice widget; ``choices=None`` accepts any string (file names are checked at run time)."""
    return InputSpec("COMBO", default, choices=choices)


def SEED() -> InputSpec:
    return InputSpec("SEED", None, 0, MAX_SEED)


def LINK(kind: str, *, optional: bool = False) -> InputSpec:
    return InputSpec(kind, optional=optional)


@dataclass(frozen=True)
class NodeSpec:
    class_type: str
    inputs: dict[str, InputSpec]
    outputs: tuple[str, ...]
    run: Callable[..., tuple[Any, ...]]
    is_output: bool = False
    notes: str = ""


NODES: dict[str, NodeSpec] = {}


def register(
    class_type: str,
    *,
    inputs: dict[str, InputSpec],
    outputs: tuple[str, ...],
    is_output: bool = False,
) -> Callable[[Callable[..., tuple[Any, ...]]], Callable[..., tuple[Any, ...]]]:
    """Declare a node implementation under its ComfyUI class_type."""

    def decorate(function: Callable[..., tuple[Any, ...]]) -> Callable[..., tuple[Any, ...]]:
        NODES[class_type] = NodeSpec(class_type, inputs, outputs, function, is_output)
        return function

    return decorate


def coerce_widget(*, node_id: str, class_type: str, name: str, spec: InputSpec, value: Any) -> Any:
    """Check a literal input against its spec; return it in its Python type."""

    def fail(expected: str) -> NodeInputError:
        return NodeInputError(
            f"node {node_id} ({class_type}) input {name!r}: got {value!r}, expected {expected}"
        )

    if spec.kind in ("INT", "SEED"):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not value.is_integer())
        ):
            raise fail("an integer")
        number: float = int(value)
    elif spec.kind == "FLOAT":
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise fail("a number")
        number = float(value)
    elif spec.kind == "STRING":
        if not isinstance(value, str):
            raise fail("a string")
        return value
    else:  # COMBO
        if not isinstance(value, str):
            raise fail("a string")
        choices = spec.accepted_choices()
        if choices and value not in choices:
            raise fail("one of " + ", ".join(choices))
        return value
    if (spec.minimum is not None and number < spec.minimum) or (
        spec.maximum is not None and number > spec.maximum
    ):
        raise fail(f"a value in {spec.minimum}..{spec.maximum}")
    return number


@dataclass
class ProgressEvent:
    node_id: str
    class_type: str
    step: int
    total: int


@dataclass
class OutputImage:
    node_id: str
    filename: str
    pixels: Any  # numpy uint8 [H, W, 3]

    def to_pil(self) -> Any:
        from PIL import Image

        return Image.fromarray(self.pixels)


@dataclass
class RunState:
    """What nodes may touch while the graph runs (set up by the executor)."""

    resources: Any  # renderworker.engine.resources.Resources
    profile: Any  # PrecisionProfile
    node_id: str = ""
    class_type: str = ""
    on_progress: Callable[[ProgressEvent], None] | None = None
    should_cancel: Callable[[], bool] | None = None
    images: list[OutputImage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def step(self, step: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(self.node_id, self.class_type, step, total))

    def warn(self, message: str) -> None:
        self.warnings.append(f"node {self.node_id} ({self.class_type}): {message}")
