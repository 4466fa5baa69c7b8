"""Shapes of ComfyUI node definitions: inputs with types, defaults, ranges and widget order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Types that travel along links; everything else is a widget (a value typed into the node).
LINK_TYPES = frozenset(
    {
        "MODEL",
        "CLIP",
        "VAE",
        "CONDITIONING",
        "LATENT",
        "IMAGE",
        "MASK",
        "SAMPLER",
        "SIGMAS",
        "NOISE",
        "GUIDER",
        "UPSCALE_MODEL",
        "CONTROL_NET",
        "CLIP_VISION",
        "CLIP_VISION_OUTPUT",
        "STYLE_MODEL",
        "GLIGEN",
    }
)
WIDGET_TYPES = frozenset({"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"})

# ComfyUI's MAX_RESOLUTION and the seed range (seeds are unsigned 64-bit).
MAX_RESOLUTION = 16384
MAX_SEED = 0xFFFFFFFFFFFFFFFF


@dataclass(frozen=True)
class InputSpec:
    """One input of a node, in ComfyUI's definition order.

    ``choices`` is a closed list for enumerated COMBOs; ``model_folder`` marks a COMBO over the
    files of a ComfyUI model folder (any file name is acceptable here: the catalog resolves it).
    ``control_after_generate`` means the UI stores one hidden value right after this widget;
    ``upload_widget`` likewise (LoadImage's upload button serialises as the string "image").
    """

    name: str
    type: str
    required: bool = True
    default: Any = None
    min: int | float | None = None
    max: int | float | None = None
    choices: tuple[str, ...] | None = None
    model_folder: str | None = None
    control_after_generate: bool = False
    upload_widget: bool = False
    dynamic_prompts: bool = False
    # Closed COMBO lists that grow with every ComfyUI release (CLIPLoader "type") are checked
    # loosely: unknown values are not errors there.
    choices_are_open: bool = False

    @property
    def is_widget(self) -> bool:
        """Whether the value is typed into the node (True) or arrives along a link (False)."""
        return self.type in WIDGET_TYPES

    @property
    def hidden_slots_after(self) -> int:
        """How many hidden ``widgets_values`` entries follow this widget in the UI format."""
        return int(self.control_after_generate) + int(self.upload_widget)

    def default_value(self) -> Any:
        """The value a fresh node shows, as the frontend fills it for missing widget values."""
        if self.default is not None:
            return self.default
        if self.type == "COMBO" and self.choices:
            return self.choices[0]
        if self.type == "STRING":
            return ""
        if self.type == "INT":
            return 0 if self.min is None or self.min <= 0 else self.min
        if self.type == "FLOAT":
            return 0.0
        if self.type == "BOOLEAN":
            return False
        return None


@dataclass(frozen=True)
class OutputSpec:
    """One output slot: its name and the type that travels along its links."""

    name: str
    type: str


@dataclass(frozen=True)
class NodeSpec:
    """A core ComfyUI node: inputs in definition order (required, then optional) and outputs.

    ``worker_supported`` says whether Kiln's worker can run the node; when not,
    ``unsupported_reason`` says why (usually a model family other than SD1.x/SDXL).
    """

    class_type: str
    inputs: tuple[InputSpec, ...]
    outputs: tuple[OutputSpec, ...]
    is_output_node: bool = False
    worker_supported: bool = True
    unsupported_reason: str = ""
    _by_name: dict[str, InputSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({spec.name: spec for spec in self.inputs})

    def input(self, name: str) -> InputSpec | None:
        """The input called ``name``, or None."""
        return self._by_name.get(name)

    @property
    def widget_inputs(self) -> tuple[InputSpec, ...]:
        """Widget inputs in the order their values appear in ``widgets_values``."""
        return tuple(spec for spec in self.inputs if spec.is_widget)

    @property
    def output_types(self) -> tuple[str, ...]:
        """Output types by slot index."""
        return tuple(output.type for output in self.outputs)


def link(name: str, type_: str, *, required: bool = True) -> InputSpec:
    """A link-only input (MODEL, CLIP, LATENT, ...)."""
    return InputSpec(name=name, type=type_, required=required)


def int_widget(
    name: str,
    default: int,
    minimum: int,
    maximum: int,
    *,
    control_after_generate: bool = False,
    required: bool = True,
) -> InputSpec:
    """An INT widget with its range."""
    return InputSpec(
        name=name,
        type="INT",
        default=default,
        min=minimum,
        max=maximum,
        control_after_generate=control_after_generate,
        required=required,
    )


def float_widget(
    name: str, default: float, minimum: float, maximum: float, *, required: bool = True
) -> InputSpec:
    """A FLOAT widget with its range."""
    return InputSpec(
        name=name, type="FLOAT", default=default, min=minimum, max=maximum, required=required
    )


def string_widget(
    name: str, default: str = "", *, dynamic_prompts: bool = False, required: bool = True
) -> InputSpec:
    """A STRING widget; ``dynamic_prompts`` strings get comments stripped and {a|b} resolved."""
    return InputSpec(
        name=name,
        type="STRING",
        default=default,
        dynamic_prompts=dynamic_prompts,
        required=required,
    )


def combo(
    name: str,
    choices: tuple[str, ...],
    *,
    default: str | None = None,
    required: bool = True,
    choices_are_open: bool = False,
) -> InputSpec:
    """A COMBO widget over a fixed list of values."""
    return InputSpec(
        name=name,
        type="COMBO",
        choices=choices,
        default=default if default is not None else choices[0],
        required=required,
        choices_are_open=choices_are_open,
    )


def model_file(name: str, folder: str, *, upload_widget: bool = False) -> InputSpec:
    """A COMBO over the files in a ComfyUI model (or input) folder."""
    return InputSpec(name=name, type="COMBO", model_folder=folder, upload_widget=upload_widget)


def outputs(*pairs: tuple[str, str]) -> tuple[OutputSpec, ...]:
    """Outputs from (name, type) pairs."""
    return tuple(OutputSpec(name=name, type=type_) for name, type_ in pairs)
