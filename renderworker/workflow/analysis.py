"""The result of analysing a workflow: what it uses, how it samples, what the worker cannot run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .problems import Problem


@dataclass
class Resource:
    """A model file the graph loads, as written in the graph (the catalog resolves it)."""

    kind: str  # checkpoint | unet | vae | lora | embedding | upscaler | controlnet | clip
    name: str
    node_id: str | None
    class_type: str | None
    input_name: str | None
    strength_model: float | None = None
    strength_clip: float | None = None


@dataclass
class SeedSetting:
    """A seed input: its value, or None when it arrives along a link from a node we cannot read."""

    node_id: str
    class_type: str
    input_name: str
    value: int | None
    linked_from: str | None = None


@dataclass
class SamplerSetting:
    """One sampling node's effective settings, following custom-sampling links where needed."""

    node_id: str
    class_type: str
    steps: int | None = None
    cfg: float | None = None
    sampler_name: str | None = None
    scheduler: str | None = None
    denoise: float | None = None
    seed: int | None = None
    add_noise: Any = None
    start_at_step: int | None = None
    end_at_step: int | None = None
    return_with_leftover_noise: str | None = None
    width: int | None = None
    height: int | None = None
    batch_size: int | None = None
    noise_kind: str | None = None


@dataclass
class PromptText:
    """A prompt string: which node and input, and the text (never in the public summary)."""

    node_id: str
    class_type: str
    input_name: str
    text: str


@dataclass
class UnsupportedNode:
    """A node the worker cannot run, and why."""

    node_id: str | None
    class_type: str
    reason: str


@dataclass
class Analysis:
    """Everything Kiln shows a creator about an upload before spending GPU time.

    ``api`` is the graph the analysis describes (the image's ``prompt`` when there was one,
    otherwise the compiled UI workflow); it is what the worker would run. ``source_format`` is
    "api", "api+ui" (an image or queue payload carrying both; the API graph is used), "ui" or
    "a1111". ``base_model_family`` is sd15, sdxl, flux, sd3, video, other or unknown, with the
    reasons in ``family_evidence``; ``sampler_family`` is deterministic, ancestral, sde, mixed,
    unknown or none (see ``specs.names.sampler_noise_kind``).
    """

    source_format: str
    node_count: int
    class_types: list[str]
    resources: list[Resource] = field(default_factory=list)
    seeds: list[SeedSetting] = field(default_factory=list)
    samplers: list[SamplerSetting] = field(default_factory=list)
    prompts: list[PromptText] = field(default_factory=list)
    base_model_family: str = "unknown"
    family_evidence: list[str] = field(default_factory=list)
    sampler_family: str = "none"
    unsupported: list[UnsupportedNode] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Worth telling the creator, not blocking: e.g. a seed the editor changes after every run.
    warnings: list[Problem] = field(default_factory=list)
    image_format: str | None = None
    image_size: tuple[int, int] | None = None
    api: dict[str, Any] | None = None

    @property
    def embeddings(self) -> list[Resource]:
        """The embedding resources (referenced as ``embedding:name`` in prompts)."""
        return [resource for resource in self.resources if resource.kind == "embedding"]

    @property
    def is_runnable(self) -> bool:
        """No unsupported node and no validation problem."""
        return not self.unsupported and not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON (dicts, lists, str, int, float, bool, None) for storage and API responses."""
        return {
            "source_format": self.source_format,
            "node_count": self.node_count,
            "class_types": list(self.class_types),
            "resources": [asdict(resource) for resource in self.resources],
            "seeds": [asdict(seed) for seed in self.seeds],
            "samplers": [asdict(sampler) for sampler in self.samplers],
            "prompts": [asdict(prompt) for prompt in self.prompts],
            "base_model_family": self.base_model_family,
            "family_evidence": list(self.family_evidence),
            "sampler_family": self.sampler_family,
            "unsupported": [asdict(node) for node in self.unsupported],
            "problems": [problem.as_dict() for problem in self.problems],
            "warnings": [warning.as_dict() for warning in self.warnings],
            "image_format": self.image_format,
            "image_size": list(self.image_size) if self.image_size else None,
            "api": self.api,
        }

    def public_summary(self) -> dict[str, Any]:
        """What anyone may see before purchase: no prompts, seeds, weights or settings values.

        Resource names and kinds (no LoRA strengths), node count, base model family and the
        sampler family. The paywall depends on this staying free of the recipe itself.
        """
        seen: dict[tuple[str, str], None] = {}
        for resource in self.resources:
            seen.setdefault((resource.kind, resource.name), None)
        return {
            "node_count": self.node_count,
            "resources": [{"kind": kind, "name": name} for kind, name in seen],
            "base_model_family": self.base_model_family,
            "sampler_family": self.sampler_family,
            "unsupported_count": len(self.unsupported),
        }
