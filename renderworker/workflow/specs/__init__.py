"""ComfyUI core node specs (behaviour version comfy-0.3.6x), written from ComfyUI's documented
node definitions: input names, types, defaults, ranges and widget order are facts the UI→API
compiler and the validator depend on."""

from __future__ import annotations

from .conditioning import CONDITIONING_SPECS
from .latent_image import LATENT_IMAGE_SPECS
from .loaders import LOADER_SPECS
from .names import SAMPLER_NAMES, SCHEDULER_NAMES, sampler_noise_kind
from .sampling import SAMPLING_SPECS
from .types import LINK_TYPES, MAX_RESOLUTION, MAX_SEED, InputSpec, NodeSpec, OutputSpec
from .values import VALUE_NODE_TYPES, VALUE_SPECS

NODE_SPECS: dict[str, NodeSpec] = {
    spec.class_type: spec
    for spec in (
        *LOADER_SPECS,
        *CONDITIONING_SPECS,
        *SAMPLING_SPECS,
        *LATENT_IMAGE_SPECS,
        *VALUE_SPECS,
    )
}

# Frontend-only nodes: they never reach the backend (COMFY_FIDELITY §1).
VIRTUAL_NODE_TYPES = frozenset({"PrimitiveNode", "Reroute", "Note", "MarkdownNote"})

WORKER_SUPPORTED_CLASS_TYPES = frozenset(
    class_type for class_type, spec in NODE_SPECS.items() if spec.worker_supported
)

__all__ = [
    "LINK_TYPES",
    "MAX_RESOLUTION",
    "MAX_SEED",
    "NODE_SPECS",
    "SAMPLER_NAMES",
    "SCHEDULER_NAMES",
    "VALUE_NODE_TYPES",
    "VIRTUAL_NODE_TYPES",
    "WORKER_SUPPORTED_CLASS_TYPES",
    "InputSpec",
    "NodeSpec",
    "OutputSpec",
    "sampler_noise_kind",
]
