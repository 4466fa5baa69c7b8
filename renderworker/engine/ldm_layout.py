"""Key names of the original (LDM/SGM) single-file checkpoint layout.

Loading goes the other way (LDM → diffusers) through diffusers' own conversion functions; this
module maps diffusers names to LDM names, which Kiln needs for two things: writing generated
tiny checkpoints in the original layout, and resolving kohya LoRA names that use LDM module
names (SDXL LoRAs trained with sd-scripts name UNet modules ``input_blocks_4_1_...``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import torch

UNET_PREFIX = "model.diffusion_model."
VAE_PREFIX = "first_stage_model."
SD1_CLIP_PREFIX = "cond_stage_model.transformer."
SDXL_CLIP_L_PREFIX = "conditioner.embedders.0.transformer."
SDXL_CLIP_G_PREFIX = "conditioner.embedders.1.model."

_RESNET_UNET = {
    "norm1": "in_layers.0",
    "conv1": "in_layers.2",
    "time_emb_proj": "emb_layers.1",
    "norm2": "out_layers.0",
    "conv2": "out_layers.3",
    "conv_shortcut": "skip_connection",
}


def _resnet_rest_unet(rest: str) -> str:
    head, _, tail = rest.partition(".")
    return f"{_RESNET_UNET.get(head, head)}.{tail}" if tail else _RESNET_UNET.get(head, head)


def unet_module_to_ldm(
    *, name: str, layers_per_block: int, up_blocks_with_attention: Sequence[bool]
) -> str:
    """Map a diffusers UNet parameter or module name to its LDM name (without the prefix)."""
    stride = layers_per_block + 1
    fixed = {
        "time_embedding.linear_1": "time_embed.0",
        "time_embedding.linear_2": "time_embed.2",
        "add_embedding.linear_1": "label_emb.0.0",
        "add_embedding.linear_2": "label_emb.0.2",
        "conv_in": "input_blocks.0.0",
        "conv_norm_out": "out.0",
        "conv_out": "out.2",
    }
    for source, target in fixed.items():
        if name == source or name.startswith(source + "."):
            return target + name[len(source) :]
    match = re.match(r"down_blocks\.(\d+)\.(resnets|attentions|downsamplers)\.(\d+)\.?(.*)", name)
    if match:
        block, kind, index, rest = int(match[1]), match[2], int(match[3]), match[4]
        if kind == "downsamplers":
            # diffusers "downsamplers.0.conv" is LDM "op".
            return f"input_blocks.{(block + 1) * stride}.0.op" + rest[len("conv") :]
        slot = block * stride + index + 1
        if kind == "resnets":
            return f"input_blocks.{slot}.0." + _resnet_rest_unet(rest)
        return f"input_blocks.{slot}.1." + rest
    match = re.match(r"mid_block\.(resnets|attentions)\.(\d+)\.?(.*)", name)
    if match:
        kind, index, rest = match[1], int(match[2]), match[3]
        if kind == "attentions":
            return "middle_block.1." + rest
        return f"middle_block.{0 if index == 0 else 2}." + _resnet_rest_unet(rest)
    match = re.match(r"up_blocks\.(\d+)\.(resnets|attentions|upsamplers)\.(\d+)\.?(.*)", name)
    if match:
        block, kind, index, rest = int(match[1]), match[2], int(match[3]), match[4]
        if kind == "upsamplers":
            # After the resnet (0) and, where present, the attention (1).
            position = 2 if up_blocks_with_attention[block] else 1
            return f"output_blocks.{block * stride + layers_per_block}.{position}." + rest
        slot = block * stride + index
        if kind == "resnets":
            return f"output_blocks.{slot}.0." + _resnet_rest_unet(rest)
        return f"output_blocks.{slot}.1." + rest
    raise KeyError(f"UNet name {name!r} has no LDM equivalent")


def unet_to_ldm(
    *, state_dict: Mapping[str, torch.Tensor], config: Mapping[str, object]
) -> dict[str, torch.Tensor]:
    """Return the UNet state dict under LDM names, prefixed ``model.diffusion_model.``."""
    layers = config["layers_per_block"]
    assert isinstance(layers, int)
    up_types = config["up_block_types"]
    assert isinstance(up_types, (list, tuple))
    with_attention = [str(kind).startswith("CrossAttn") for kind in up_types]
    return {
        UNET_PREFIX
        + unet_module_to_ldm(
            name=key, layers_per_block=layers, up_blocks_with_attention=with_attention
        ): value
        for key, value in state_dict.items()
    }


_VAE_ATTENTION = {
    "group_norm": "norm",
    "to_q": "q",
    "to_k": "k",
    "to_v": "v",
    "to_out.0": "proj_out",
}


def _vae_resnet_rest(rest: str) -> str:
    return rest.replace("conv_shortcut", "nin_shortcut")


def vae_module_to_ldm(*, name: str, block_count: int) -> str:
    """Map a diffusers AutoencoderKL parameter name to its LDM name (without the prefix)."""
    for side in ("encoder", "decoder"):
        if name == f"{side}.conv_norm_out.weight" or name == f"{side}.conv_norm_out.bias":
            return name.replace("conv_norm_out", "norm_out")
        match = re.match(rf"{side}\.mid_block\.(resnets|attentions)\.(\d+)\.(.*)", name)
        if match:
            kind, index, rest = match[1], int(match[2]), match[3]
            if kind == "resnets":
                return f"{side}.mid.block_{index + 1}." + _vae_resnet_rest(rest)
            for source, target in _VAE_ATTENTION.items():
                if rest.startswith(source + "."):
                    return f"{side}.mid.attn_1.{target}" + rest[len(source) :]
            raise KeyError(f"VAE name {name!r} has no LDM equivalent")
    match = re.match(r"encoder\.down_blocks\.(\d+)\.(resnets|downsamplers)\.(\d+)\.(.*)", name)
    if match:
        block, kind, index, rest = int(match[1]), match[2], int(match[3]), match[4]
        if kind == "downsamplers":
            return f"encoder.down.{block}.downsample." + rest
        return f"encoder.down.{block}.block.{index}." + _vae_resnet_rest(rest)
    match = re.match(r"decoder\.up_blocks\.(\d+)\.(resnets|upsamplers)\.(\d+)\.(.*)", name)
    if match:
        # diffusers counts decoder blocks from the bottleneck up; LDM from the output down.
        block, kind, index, rest = (
            block_count - 1 - int(match[1]),
            match[2],
            int(match[3]),
            match[4],
        )
        if kind == "upsamplers":
            return f"decoder.up.{block}.upsample." + rest
        return f"decoder.up.{block}.block.{index}." + _vae_resnet_rest(rest)
    return name


def vae_to_ldm(
    *, state_dict: Mapping[str, torch.Tensor], config: Mapping[str, object]
) -> dict[str, torch.Tensor]:
    """Return the VAE state dict under LDM names (attention projections as 1×1 convolutions)."""
    channels = config["block_out_channels"]
    assert isinstance(channels, (list, tuple))
    result: dict[str, torch.Tensor] = {}
    for key, value in state_dict.items():
        ldm_name = vae_module_to_ldm(name=key, block_count=len(channels))
        if ".mid.attn_1." in ldm_name and ldm_name.endswith(".weight") and value.ndim == 2:
            value = value[:, :, None, None]
        result[VAE_PREFIX + ldm_name] = value
    return result


def clip_l_to_ldm(
    *, state_dict: Mapping[str, torch.Tensor], prefix: str
) -> dict[str, torch.Tensor]:
    """Return a transformers CLIPTextModel state dict under an LDM prefix.

    Real checkpoints name these ``<prefix>text_model.*``; transformers ≥ 5 dropped the
    ``text_model`` level from CLIPTextModel, so it is added back here.
    """
    return {
        prefix + canonical_clip_name(key): value
        for key, value in state_dict.items()
        if not key.endswith("position_ids")
    }


def canonical_clip_name(name: str) -> str:
    """A CLIP text-model parameter or module name in the ``text_model.*`` form of the checkpoints."""
    if name.startswith(("text_model.", "text_projection")):
        return name
    return "text_model." + name


def open_clip_to_ldm(
    *, state_dict: Mapping[str, torch.Tensor], prefix: str
) -> dict[str, torch.Tensor]:
    """Return a CLIPTextModelWithProjection state dict in OpenCLIP layout (SDXL's CLIP-G)."""
    result: dict[str, torch.Tensor] = {}
    simple = {
        "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
        "text_model.embeddings.position_embedding.weight": "positional_embedding",
        "text_model.final_layer_norm.weight": "ln_final.weight",
        "text_model.final_layer_norm.bias": "ln_final.bias",
    }
    layer_parts = {
        "layer_norm1": "ln_1",
        "layer_norm2": "ln_2",
        "self_attn.out_proj": "attn.out_proj",
        "mlp.fc1": "mlp.c_fc",
        "mlp.fc2": "mlp.c_proj",
    }
    for key, value in state_dict.items():
        if key in simple:
            result[prefix + simple[key]] = value
        elif key == "text_projection.weight":
            # OpenCLIP multiplies x @ text_projection; a Linear stores the transpose.
            result[prefix + "text_projection"] = value.T.contiguous()
        match = re.match(r"text_model\.encoder\.layers\.(\d+)\.(.*)\.(weight|bias)$", key)
        if not match:
            continue
        layer, part, kind = match[1], match[2], match[3]
        base = f"{prefix}transformer.resblocks.{layer}."
        if part in layer_parts:
            result[f"{base}{layer_parts[part]}.{kind}"] = value
        elif part == "self_attn.q_proj":
            stacked = [
                state_dict[f"text_model.encoder.layers.{layer}.self_attn.{p}_proj.{kind}"]
                for p in "qkv"
            ]
            result[f"{base}attn.in_proj_{kind}"] = torch.cat(stacked, dim=0)
    result[prefix + "logit_scale"] = torch.tensor(4.6052, dtype=torch.float32)
    return result
