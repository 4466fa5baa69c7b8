"""Image nodes: LoadImage (job inputs), scaling, SaveImage/PreviewImage (collected outputs)."""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image, ImageOps, ImageSequence

from renderworker.engine.nodes.spec import (
    COMBO,
    FLOAT,
    INT,
    LINK,
    STRING,
    OutputImage,
    RunState,
    register,
)
from renderworker.engine.resize import IMAGE_METHODS, upscale

MAX_RESOLUTION = 16384
CROPS = ("disabled", "center")


def to_uint8(image: torch.Tensor) -> np.ndarray:
    """IMAGE [H, W, 3] in 0..1 → uint8 by clip(255·x, 0, 255) and truncation (not rounding)."""
    return np.clip(255.0 * image.cpu().numpy(), 0, 255).astype(np.uint8)


@register("LoadImage", inputs={"image": COMBO()}, outputs=("IMAGE", "MASK"))
def load_image(state: RunState, *, image: str) -> tuple[torch.Tensor, torch.Tensor]:
    opened = Image.open(io.BytesIO(state.resources.image(name=image)))
    images, masks = [], []
    size = None
    for frame in ImageSequence.Iterator(opened):
        frame = ImageOps.exif_transpose(frame)
        if frame.mode == "I":
            frame = frame.point(lambda value: value * (1 / 255))
        rgb = frame.convert("RGB")
        if size is None:
            size = rgb.size
        if rgb.size != size:
            continue  # ComfyUI skips frames of another size
        images.append(torch.from_numpy(np.array(rgb).astype(np.float32) / 255.0))
        if "A" in frame.getbands():
            alpha = np.array(frame.getchannel("A")).astype(np.float32) / 255.0
            masks.append(1.0 - torch.from_numpy(alpha))
        else:
            masks.append(torch.zeros((64, 64), dtype=torch.float32))
        if opened.format == "MPO":
            break
    return torch.stack(images), torch.stack(masks)


@register(
    "ImageScale",
    inputs={
        "image": LINK("IMAGE"),
        "upscale_method": COMBO(IMAGE_METHODS),
        "width": INT(512, 0, MAX_RESOLUTION),
        "height": INT(512, 0, MAX_RESOLUTION),
        "crop": COMBO(CROPS),
    },
    outputs=("IMAGE",),
)
def image_scale(
    state: RunState, *, image: torch.Tensor, upscale_method: str, width: int, height: int, crop: str
) -> tuple[torch.Tensor]:
    if width == 0 and height == 0:
        return (image,)
    samples = image.movedim(-1, 1)
    if width == 0:
        width = max(1, round(samples.shape[3] * height / samples.shape[2]))
    elif height == 0:
        height = max(1, round(samples.shape[2] * width / samples.shape[3]))
    return (
        upscale(
            samples=samples, width=width, height=height, method=upscale_method, crop=crop
        ).movedim(1, -1),
    )


@register(
    "ImageScaleBy",
    inputs={
        "image": LINK("IMAGE"),
        "upscale_method": COMBO(IMAGE_METHODS),
        "scale_by": FLOAT(1.0, 0.01, 8.0),
    },
    outputs=("IMAGE",),
)
def image_scale_by(
    state: RunState, *, image: torch.Tensor, upscale_method: str, scale_by: float
) -> tuple[torch.Tensor]:
    samples = image.movedim(-1, 1)
    width = round(samples.shape[3] * scale_by)
    height = round(samples.shape[2] * scale_by)
    return (
        upscale(
            samples=samples, width=width, height=height, method=upscale_method, crop="disabled"
        ).movedim(1, -1),
    )


def _collect(state: RunState, *, images: torch.Tensor, prefix: str) -> tuple[()]:
    for _index, image in enumerate(images):
        filename = f"{prefix}_{len(state.images) + 1:05}_.png"
        state.images.append(
            OutputImage(node_id=state.node_id, filename=filename, pixels=to_uint8(image))
        )
    return ()


@register(
    "SaveImage",
    inputs={"images": LINK("IMAGE"), "filename_prefix": STRING("ComfyUI")},
    outputs=(),
    is_output=True,
)
def save_image(state: RunState, *, images: torch.Tensor, filename_prefix: str) -> tuple[()]:
    return _collect(
        state,
        images=images,
        prefix=filename_prefix.replace("/", "_").replace("\\", "_") or "ComfyUI",
    )


@register("PreviewImage", inputs={"images": LINK("IMAGE")}, outputs=(), is_output=True)
def preview_image(state: RunState, *, images: torch.Tensor) -> tuple[()]:
    return _collect(state, images=images, prefix="preview")
