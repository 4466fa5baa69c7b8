"""Load an original-layout SD1.x / SDXL checkpoint into diffusers components, offline."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from renderworker.engine.acceleration import initial_weights_skipped
from renderworker.engine.errors import EngineError
from renderworker.engine.families import SD1, SDXL, ModelFamily, detect_family
from renderworker.engine.ldm_layout import SDXL_CLIP_G_PREFIX, UNET_PREFIX, VAE_PREFIX
from renderworker.engine.model_config_dirs import find_model_config_dir, read_json
from renderworker.engine.precision import PrecisionProfile

# No hub access, ever: every config and tokenizer file comes from a local directory.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")


@dataclass
class TextEncoderSlot:
    """One CLIP text encoder with its tokenizer and ComfyUI's defaults for it."""

    key: str  # "l" or "g" (ComfyUI's names)
    model: torch.nn.Module  # CLIPTextModel or CLIPTextModelWithProjection
    tokenizer: object  # transformers CLIPTokenizer
    bos_token: int
    eos_token: int
    pad_token: int  # SD1 and SDXL CLIP-L pad with EOS; SDXL CLIP-G pads with 0
    default_layer: int | None  # None = last layer; negative = hidden layer index
    layer_norm_hidden_state: bool  # whether a hidden layer gets the final LayerNorm
    projected_pooled: bool  # CLIP-G's pooled output goes through text_projection


@dataclass
class LoadedCheckpoint:
    """The components of one checkpoint, loaded in one precision profile."""

    identity: str  # SHA-256 of the file (or a path for tests)
    family: ModelFamily
    profile: PrecisionProfile
    unet: torch.nn.Module
    vae: torch.nn.Module
    text_encoders: dict[str, TextEncoderSlot]
    config_dir: Path
    vae_scaling: float
    patch_state: dict[str, object] = field(default_factory=dict)


def read_state_dict(*, path: Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file (never pickle: a checkpoint must not run code).

    Pickle suffixes are refused by name; any other path (e.g. the model store's bare
    ``<sha256>`` files) must parse as safetensors.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise EngineError(
            f"model file {path.name!r} is a pickle ({path.suffix}); only safetensors files are loaded"
        )
    try:
        return load_file(str(path), device="cpu")
    except (SafetensorError, OSError) as error:
        raise EngineError(
            f"model file {path.name!r} is not a readable safetensors file: {error}"
        ) from error


def _build_unet(*, state_dict: Mapping[str, torch.Tensor], config_dir: Path) -> torch.nn.Module:
    from diffusers import UNet2DConditionModel
    from diffusers.loaders.single_file_utils import convert_ldm_unet_checkpoint

    config = read_json(config_dir / "unet" / "config.json")
    unet = UNet2DConditionModel.from_config(config)
    converted = convert_ldm_unet_checkpoint(dict(state_dict), unet.config)
    unet.load_state_dict(converted, strict=True)
    return unet


def _build_vae(
    *, state_dict: Mapping[str, torch.Tensor], config: Mapping[str, object]
) -> torch.nn.Module:
    from diffusers import AutoencoderKL
    from diffusers.loaders.single_file_utils import convert_ldm_vae_checkpoint

    vae = AutoencoderKL.from_config(dict(config))
    vae_only = {key: value for key, value in state_dict.items() if key.startswith(VAE_PREFIX)}
    converted = convert_ldm_vae_checkpoint(vae_only, vae.config)
    vae.load_state_dict(converted, strict=True)
    return vae


def _load_text_model(
    *, cls: type, config_dir: Path, weights: Mapping[str, torch.Tensor]
) -> torch.nn.Module:
    from transformers import CLIPTextConfig

    config = CLIPTextConfig.from_pretrained(str(config_dir), local_files_only=True)
    config._attn_implementation = "sdpa"
    model = cls(config)
    own_keys = set(model.state_dict())
    renamed: dict[str, torch.Tensor] = {}
    for key, value in weights.items():
        # Checkpoints say "text_model.*"; transformers ≥ 5 CLIPTextModel has no such level.
        if (
            key not in own_keys
            and key.startswith("text_model.")
            and key[len("text_model.") :] in own_keys
        ):
            key = key[len("text_model.") :]
        renamed[key] = value
    missing, unexpected = model.load_state_dict(renamed, strict=False)
    missing = [key for key in missing if not key.endswith("position_ids")]
    unexpected = [key for key in unexpected if not key.endswith("position_ids")]
    if missing or unexpected:
        raise EngineError(
            f"text encoder weights do not match {config_dir}/config.json: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    return model


def _tokenizer(*, directory: Path) -> object:
    from transformers import CLIPTokenizer

    from renderworker.engine.errors import ModelConfigMissingError

    missing = [name for name in ("vocab.json", "merges.txt") if not (directory / name).is_file()]
    if missing:
        raise ModelConfigMissingError(
            f"tokenizer files {missing} are missing in {directory}: copy them from the model's tokenizer "
            "folder (see docs/render-engine.md, 'Model-config directory')"
        )

    return CLIPTokenizer.from_pretrained(str(directory), local_files_only=True)


def _special_ids(tokenizer: object) -> tuple[int, int]:
    bos = tokenizer.convert_tokens_to_ids("<|startoftext|>")  # type: ignore[attr-defined]
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")  # type: ignore[attr-defined]
    return int(bos), int(eos)


def _text_encoders(
    *, family: ModelFamily, state_dict: Mapping[str, torch.Tensor], config_dir: Path
) -> dict[str, TextEncoderSlot]:
    from diffusers.loaders.single_file_utils import (
        convert_ldm_clip_checkpoint,
        convert_open_clip_checkpoint,
    )
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    clip_l_weights = convert_ldm_clip_checkpoint(dict(state_dict))
    clip_l = _load_text_model(
        cls=CLIPTextModel, config_dir=config_dir / "text_encoder", weights=clip_l_weights
    )
    tokenizer_l = _tokenizer(directory=config_dir / "tokenizer")
    bos, eos = _special_ids(tokenizer_l)
    if family.name == SD1:
        # ComfyUI SD1: last layer by default; a hidden layer gets the final LayerNorm.
        return {
            "l": TextEncoderSlot("l", clip_l, tokenizer_l, bos, eos, eos, None, True, False),
        }
    g_keys = {key: value for key, value in state_dict.items() if key.startswith(SDXL_CLIP_G_PREFIX)}
    from transformers import CLIPTextConfig

    g_config = CLIPTextConfig.from_pretrained(
        str(config_dir / "text_encoder_2"), local_files_only=True
    )
    g_config._attn_implementation = "sdpa"
    shell = CLIPTextModelWithProjection(g_config)
    g_weights = convert_open_clip_checkpoint(shell, g_keys, prefix=SDXL_CLIP_G_PREFIX)
    clip_g = _load_text_model(
        cls=CLIPTextModelWithProjection, config_dir=config_dir / "text_encoder_2", weights=g_weights
    )
    del shell
    tokenizer_g = _tokenizer(directory=config_dir / "tokenizer_2")
    bos_g, eos_g = _special_ids(tokenizer_g)
    # ComfyUI SDXL: penultimate layer of both encoders, no final LayerNorm; CLIP-G pads with 0.
    return {
        "l": TextEncoderSlot("l", clip_l, tokenizer_l, bos, eos, eos, -2, False, False),
        "g": TextEncoderSlot("g", clip_g, tokenizer_g, bos_g, eos_g, 0, -2, False, True),
    }


def _place(module: torch.nn.Module, *, profile: PrecisionProfile, dtype: torch.dtype) -> None:
    """Move a module to the profile's device and storage dtype, frozen for inference."""
    module.eval().requires_grad_(False)
    # Only move or cast when needed: diffusers logs a warning on every .to() call.
    if profile.device.type != "cpu" or dtype != torch.float32:
        module.to(device=profile.device, dtype=dtype)


def load_checkpoint(
    *,
    path: Path,
    profile: PrecisionProfile,
    config_roots: Sequence[Path],
    identity: str | None = None,
) -> LoadedCheckpoint:
    """Load a single-file original-layout checkpoint into UNet, VAE and text encoders.

    The family is detected from the keys (UnsupportedModelError otherwise); configs and
    tokenizers come from the matching local model-config directory.
    """
    state_dict = read_state_dict(path=path)
    family = detect_family(state_dict=state_dict)
    config_dir = find_model_config_dir(family=family, roots=config_roots)
    # Hook (issue 6, acceleration.py): with RENDER_COMPILE=1 the modules skip drawing random
    # initial weights, which the strict loads below overwrite anyway (SD1.5 load 13.9 s -> 4.6 s).
    with initial_weights_skipped():
        unet = _build_unet(state_dict=state_dict, config_dir=config_dir)
        vae_config = read_json(config_dir / "vae" / "config.json")
        vae = _build_vae(state_dict=state_dict, config=vae_config)
        encoders = _text_encoders(family=family, state_dict=state_dict, config_dir=config_dir)
    del state_dict
    _place(unet, profile=profile, dtype=profile.unet_dtype)
    _place(vae, profile=profile, dtype=profile.vae_dtype)
    for slot in encoders.values():
        _place(slot.model, profile=profile, dtype=profile.text_storage_dtype)
    return LoadedCheckpoint(
        identity=identity or str(path),
        family=family,
        profile=profile,
        unet=unet,
        vae=vae,
        text_encoders=encoders,
        config_dir=config_dir,
        vae_scaling=family.latent_scale,
    )


def load_vae_file(*, path: Path, profile: PrecisionProfile, config_dir: Path) -> torch.nn.Module:
    """Load a standalone VAE file (LDM layout with or without ``first_stage_model.``) for VAELoader."""
    state_dict = read_state_dict(path=path)
    if not any(key.startswith(VAE_PREFIX) for key in state_dict):
        state_dict = {VAE_PREFIX + key: value for key, value in state_dict.items()}
    if any(key.startswith(UNET_PREFIX) for key in state_dict):
        raise EngineError(
            f"VAE file {path.name!r} holds a UNet: pass checkpoints to CheckpointLoaderSimple"
        )
    vae = _build_vae(state_dict=state_dict, config=read_json(config_dir / "vae" / "config.json"))
    _place(vae, profile=profile, dtype=profile.vae_dtype)
    return vae


__all__ = [
    "SD1",
    "SDXL",
    "LoadedCheckpoint",
    "TextEncoderSlot",
    "load_checkpoint",
    "load_vae_file",
    "read_state_dict",
]
