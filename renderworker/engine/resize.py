"""Image and latent resizing with ComfyUI's method names and centre-crop rule."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from renderworker.engine.errors import NodeInputError

INTERPOLATE_METHODS = ("nearest-exact", "bilinear", "area", "bicubic")
IMAGE_METHODS = (*INTERPOLATE_METHODS, "lanczos")
LATENT_METHODS = INTERPOLATE_METHODS  # "bislerp" is not implemented: refused by the node spec


def _centre_crop(samples: torch.Tensor, *, width: int, height: int) -> torch.Tensor:
    """Crop [.., H, W] to the target aspect ratio around the centre before scaling."""
    old_width, old_height = samples.shape[-1], samples.shape[-2]
    old_aspect = old_width / old_height
    new_aspect = width / height
    x = y = 0
    if old_aspect > new_aspect:
        x = round((old_width - old_width * (new_aspect / old_aspect)) / 2)
    elif old_aspect < new_aspect:
        y = round((old_height - old_height * (old_aspect / new_aspect)) / 2)
    return samples.narrow(-2, y, old_height - y * 2).narrow(-1, x, old_width - x * 2)


def _lanczos(samples: torch.Tensor, *, width: int, height: int) -> torch.Tensor:
    """Per-image PIL Lanczos through uint8 (truncating), as ComfyUI does."""
    resized = []
    for image in samples:
        pixels = np.clip(255.0 * image.movedim(0, -1).cpu().numpy(), 0, 255).astype(np.uint8)
        scaled = Image.fromarray(pixels).resize((width, height), resample=Image.Resampling.LANCZOS)
        resized.append(torch.from_numpy(np.array(scaled).astype(np.float32) / 255.0).movedim(-1, 0))
    return torch.stack(resized).to(samples.dtype)


def upscale(
    *, samples: torch.Tensor, width: int, height: int, method: str, crop: str
) -> torch.Tensor:
    """Resize [B, C, H, W] to (height, width) with a ComfyUI method name; crop "disabled" or "center"."""
    if width <= 0 or height <= 0:
        raise NodeInputError(f"resize target {width}×{height}: width and height must be positive")
    if crop == "center":
        samples = _centre_crop(samples, width=width, height=height)
    elif crop != "disabled":
        raise NodeInputError(f"crop {crop!r} is not accepted; accepted: disabled, center")
    if method == "lanczos":
        return _lanczos(samples, width=width, height=height)
    if method not in INTERPOLATE_METHODS:
        raise NodeInputError(
            f"upscale_method {method!r} is not supported; accepted: {', '.join(IMAGE_METHODS)}"
        )
    return F.interpolate(samples, size=(height, width), mode=method)
