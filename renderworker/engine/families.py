"""Recognise the model family of an original-layout checkpoint from its keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch

from renderworker.engine.errors import UnsupportedModelError
from renderworker.engine.ldm_layout import (
    SD1_CLIP_PREFIX,
    SDXL_CLIP_G_PREFIX,
    SDXL_CLIP_L_PREFIX,
    UNET_PREFIX,
)

SD1 = "sd1"
SDXL = "sdxl"

# Latent scale factors (ComfyUI latent formats SD15 and SDXL).
LATENT_SCALE = {SD1: 0.18215, SDXL: 0.13025}


@dataclass(frozen=True)
class ModelFamily:
    """What the loader needs to know about a checkpoint before building modules."""

    name: str  # "sd1" or "sdxl"
    prediction: str  # "eps" or "v"
    unet_channels: int  # conv_in output channels: tells a tiny config from a full-size one
    context_dim: int  # cross-attention width

    @property
    def latent_scale(self) -> float:
        return LATENT_SCALE[self.name]


def _guess_other_family(keys: set[str]) -> str:
    """Name a family Kiln does not render, for the error message."""
    if any(
        key.startswith(("double_blocks.", "model.diffusion_model.double_blocks.")) for key in keys
    ):
        return "flux"
    if any("joint_blocks." in key for key in keys):
        return "sd3"
    if any(key.startswith("cond_stage_model.model.") for key in keys):
        return "sd2"
    if any(key.startswith("conditioner.embedders.0.model.") for key in keys):
        return "sdxl-refiner"
    if any(key.startswith(("lora_", "lora_unet_")) or ".lora_down." in key for key in keys):
        return "lora (not a checkpoint)"
    if any(key.startswith(("encoder.", "decoder.")) for key in keys) and not any(
        key.startswith(UNET_PREFIX) for key in keys
    ):
        return "vae (not a checkpoint)"
    return "unknown"


def detect_family(*, state_dict: Mapping[str, torch.Tensor]) -> ModelFamily:
    """Return the family of an original-layout SD1.x or SDXL-base checkpoint.

    Raises UnsupportedModelError naming the family for anything else (SD2, SDXL refiner,
    inpainting UNets, Flux, SD3, a LoRA or VAE passed as a checkpoint, ...).
    """
    keys = set(state_dict)
    conv_in = state_dict.get(UNET_PREFIX + "input_blocks.0.0.weight")
    if conv_in is None:
        family = _guess_other_family(keys)
        raise UnsupportedModelError(
            family=family, reason="no original-layout UNet (model.diffusion_model.*) found"
        )
    if conv_in.shape[1] != 4:
        raise UnsupportedModelError(
            family="inpainting" if conv_in.shape[1] == 9 else "unknown",
            reason=f"UNet takes {conv_in.shape[1]} input channels; only 4-channel SD1.x/SDXL-base UNets render",
        )
    prediction = "v" if "v_pred" in keys else "eps"
    attention_keys = sorted(
        key for key in keys if key.startswith(UNET_PREFIX) and key.endswith("attn2.to_k.weight")
    )
    context_dim = int(state_dict[attention_keys[0]].shape[1]) if attention_keys else 0
    channels = int(conv_in.shape[0])
    has_clip_l = any(key.startswith(SD1_CLIP_PREFIX) for key in keys)
    has_sdxl_clips = any(key.startswith(SDXL_CLIP_L_PREFIX) for key in keys) and any(
        key.startswith(SDXL_CLIP_G_PREFIX) for key in keys
    )
    has_label_embedding = UNET_PREFIX + "label_emb.0.0.weight" in keys
    if has_sdxl_clips and has_label_embedding:
        return ModelFamily(
            name=SDXL, prediction=prediction, unet_channels=channels, context_dim=context_dim
        )
    if has_clip_l and not has_label_embedding:
        return ModelFamily(
            name=SD1, prediction=prediction, unet_channels=channels, context_dim=context_dim
        )
    raise UnsupportedModelError(
        family=_guess_other_family(keys),
        reason="text encoders do not match SD1.x (CLIP-L) or SDXL base (CLIP-L + CLIP-G)",
    )
