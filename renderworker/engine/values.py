"""Typed values that flow between nodes (ComfyUI's MODEL, CLIP, VAE, CONDITIONING, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch

from renderworker.engine.checkpoint import LoadedCheckpoint
from renderworker.engine.lora import ParsedLora


@dataclass(frozen=True)
class ModelValue:
    """MODEL: a checkpoint's UNet plus the LoRAs (with strength_model) patched onto it lazily."""

    checkpoint: LoadedCheckpoint
    loras: tuple[tuple[ParsedLora, float], ...] = ()


@dataclass(frozen=True)
class ClipValue:
    """CLIP: the text encoders, their LoRAs (strength_clip) and the CLIPSetLastLayer choice."""

    checkpoint: LoadedCheckpoint
    loras: tuple[tuple[ParsedLora, float], ...] = ()
    last_layer: int | None = None  # None = the family default

    def with_layer(self, layer: int) -> ClipValue:
        return replace(self, last_layer=layer)


@dataclass(frozen=True)
class VaeValue:
    module: torch.nn.Module
    dtype: torch.dtype
    device: torch.device


@dataclass(frozen=True)
class ConditioningEntry:
    """One conditioning: cross-attention tokens, pooled output and SDXL size parameters."""

    cond: torch.Tensor  # [1, tokens, width] float32
    pooled: torch.Tensor | None  # [1, width] float32
    extras: dict[str, int] = field(default_factory=dict)  # width, height, crop_w, ...


Conditioning = tuple[ConditioningEntry, ...]


@dataclass(frozen=True)
class LatentValue:
    """LATENT: unscaled latents (as the VAE produces them), float32 on the CPU."""

    samples: torch.Tensor
    batch_index: tuple[int, ...] | None = None
    noise_mask: torch.Tensor | None = None


@dataclass(frozen=True)
class NoiseValue:
    """NOISE: RandomNoise(seed) or DisableNoise (seed 0, zero noise)."""

    seed: int
    enabled: bool


@dataclass(frozen=True)
class GuiderValue:
    model: ModelValue
    positive: Conditioning
    negative: Conditioning | None
    cfg: float


@dataclass(frozen=True)
class SamplerValue:
    name: str


@dataclass(frozen=True)
class SigmasValue:
    sigmas: torch.Tensor


# IMAGE is a float32 CPU tensor [B, H, W, 3] in 0..1 and MASK [B, H, W], as in ComfyUI.
