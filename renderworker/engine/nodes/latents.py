"""Latent nodes: EmptyLatentImage, VAE encode/decode, latent upscaling."""

from __future__ import annotations

import math

import torch

from renderworker.engine.acceleration import vae_decoder
from renderworker.engine.nodes.spec import COMBO, FLOAT, INT, LINK, RunState, register
from renderworker.engine.resize import LATENT_METHODS, upscale
from renderworker.engine.values import LatentValue, VaeValue

MAX_RESOLUTION = 16384
CROPS = ("disabled", "center")


@register(
    "EmptyLatentImage",
    inputs={
        "width": INT(512, 16, MAX_RESOLUTION),
        "height": INT(512, 16, MAX_RESOLUTION),
        "batch_size": INT(1, 1, 4096),
    },
    outputs=("LATENT",),
)
def empty_latent_image(
    state: RunState, *, width: int, height: int, batch_size: int
) -> tuple[LatentValue]:
    return (
        LatentValue(torch.zeros([batch_size, 4, height // 8, width // 8], dtype=torch.float32)),
    )


def vae_decode_pixels(*, vae: VaeValue, samples: torch.Tensor) -> torch.Tensor:
    """Decode unscaled latents to IMAGE [B, H, W, 3] in 0..1 (never tiled: fails instead)."""
    module = vae.module
    with torch.no_grad():
        # Hook (issue 6, acceleration.py): compiled decode when RENDER_COMPILE=1, else module.decode.
        decoded = vae_decoder(module=module)(samples.to(device=vae.device, dtype=vae.dtype))
    return torch.clamp((decoded.float() + 1.0) / 2.0, min=0.0, max=1.0).movedim(1, -1).cpu()


@register("VAEDecode", inputs={"samples": LINK("LATENT"), "vae": LINK("VAE")}, outputs=("IMAGE",))
def vae_decode(state: RunState, *, samples: LatentValue, vae: VaeValue) -> tuple[torch.Tensor]:
    return (vae_decode_pixels(vae=vae, samples=samples.samples),)


@register("VAEEncode", inputs={"pixels": LINK("IMAGE"), "vae": LINK("VAE")}, outputs=("LATENT",))
def vae_encode(state: RunState, *, pixels: torch.Tensor, vae: VaeValue) -> tuple[LatentValue]:
    # Crop to a multiple of 8, centred (ComfyUI vae_encode_crop_pixels).
    height = (pixels.shape[1] // 8) * 8
    width = (pixels.shape[2] // 8) * 8
    top = (pixels.shape[1] % 8) // 2
    left = (pixels.shape[2] % 8) // 2
    cropped = pixels[:, top : top + height, left : left + width, :3]
    image = cropped.movedim(-1, 1) * 2.0 - 1.0
    with torch.no_grad():
        encoded = vae.module.encode(
            image.to(device=vae.device, dtype=vae.dtype), return_dict=False
        )[0]  # type: ignore[operator]
    # The distribution's mean: ComfyUI's VAE encode is deterministic.
    return (LatentValue(encoded.mode().float().cpu()),)


@register(
    "LatentUpscale",
    inputs={
        "samples": LINK("LATENT"),
        "upscale_method": COMBO(LATENT_METHODS),
        "width": INT(512, 0, MAX_RESOLUTION),
        "height": INT(512, 0, MAX_RESOLUTION),
        "crop": COMBO(CROPS),
    },
    outputs=("LATENT",),
)
def latent_upscale(
    state: RunState,
    *,
    samples: LatentValue,
    upscale_method: str,
    width: int,
    height: int,
    crop: str,
) -> tuple[LatentValue]:
    latent = samples.samples
    if width == 0 and height == 0:
        return (samples,)
    if width == 0:
        height = max(64, height)
        width = max(64, round(latent.shape[-1] * height / latent.shape[-2]))
    elif height == 0:
        width = max(64, width)
        height = max(64, round(latent.shape[-2] * width / latent.shape[-1]))
    else:
        width, height = max(64, width), max(64, height)
    scaled = upscale(
        samples=latent, width=width // 8, height=height // 8, method=upscale_method, crop=crop
    )
    return (LatentValue(scaled, samples.batch_index, samples.noise_mask),)


@register(
    "LatentUpscaleBy",
    inputs={
        "samples": LINK("LATENT"),
        "upscale_method": COMBO(LATENT_METHODS),
        "scale_by": FLOAT(1.5, 0.01, 8.0),
    },
    outputs=("LATENT",),
)
def latent_upscale_by(
    state: RunState, *, samples: LatentValue, upscale_method: str, scale_by: float
) -> tuple[LatentValue]:
    latent = samples.samples
    width = round(latent.shape[-1] * scale_by)
    height = round(latent.shape[-2] * scale_by)
    scaled = upscale(
        samples=latent, width=width, height=height, method=upscale_method, crop="disabled"
    )
    return (LatentValue(scaled, samples.batch_index, samples.noise_mask),)


@register(
    "SetLatentNoiseMask",
    inputs={"samples": LINK("LATENT"), "mask": LINK("MASK")},
    outputs=("LATENT",),
)
def set_latent_noise_mask(
    state: RunState, *, samples: LatentValue, mask: torch.Tensor
) -> tuple[LatentValue]:
    noise_mask = mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1])).float()
    return (LatentValue(samples.samples, samples.batch_index, noise_mask),)


@register(
    "VAEEncodeForInpaint",
    inputs={
        "pixels": LINK("IMAGE"),
        "vae": LINK("VAE"),
        "mask": LINK("MASK"),
        "grow_mask_by": INT(6, 0, 64),
    },
    outputs=("LATENT",),
)
def vae_encode_for_inpaint(
    state: RunState, *, pixels: torch.Tensor, vae: VaeValue, mask: torch.Tensor, grow_mask_by: int
) -> tuple[LatentValue]:
    height = (pixels.shape[1] // 8) * 8
    width = (pixels.shape[2] // 8) * 8
    flat = mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1])).float()
    full = torch.nn.functional.interpolate(
        flat, size=(pixels.shape[1], pixels.shape[2]), mode="bilinear"
    )
    top = (pixels.shape[1] % 8) // 2
    left = (pixels.shape[2] % 8) // 2
    image = pixels[:, top : top + height, left : left + width, :3].clone()
    full = full[:, :, top : top + height, left : left + width]
    hard = full.round()
    if grow_mask_by == 0:
        grown = full
    else:
        # Grow the mask so the seam is regenerated too (a box dilation).
        kernel = torch.ones((1, 1, grow_mask_by, grow_mask_by))
        padding = math.ceil((grow_mask_by - 1) / 2)
        grown = torch.clamp(torch.nn.functional.conv2d(hard, kernel, padding=padding), 0, 1)
    # Masked pixels become neutral grey before encoding.
    keep = (1.0 - hard).squeeze(1)[..., None]
    image = (image - 0.5) * keep + 0.5
    encoded = vae_encode(state, pixels=image, vae=vae)[0]
    noise_mask = grown[:, :, :height, :width].round()
    return (LatentValue(encoded.samples, None, noise_mask),)
