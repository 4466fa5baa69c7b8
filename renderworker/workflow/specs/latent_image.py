"""Specs of ComfyUI's core latent, VAE and image nodes."""

from __future__ import annotations

from .types import (
    MAX_RESOLUTION,
    NodeSpec,
    combo,
    float_widget,
    int_widget,
    link,
    model_file,
    outputs,
    string_widget,
)

_LATENT_UPSCALE_METHODS = ("nearest-exact", "bilinear", "area", "bicubic", "bislerp")
_IMAGE_UPSCALE_METHODS = ("nearest-exact", "bilinear", "area", "bicubic", "lanczos")
_CROP = ("disabled", "center")
_LATENT_OUT = outputs(("LATENT", "LATENT"))
_IMAGE_OUT = outputs(("IMAGE", "IMAGE"))

LATENT_IMAGE_SPECS = (
    NodeSpec(
        class_type="EmptyLatentImage",
        inputs=(
            int_widget("width", 512, 16, MAX_RESOLUTION),
            int_widget("height", 512, 16, MAX_RESOLUTION),
            int_widget("batch_size", 1, 1, 4096),
        ),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="EmptySD3LatentImage",
        inputs=(
            int_widget("width", 1024, 16, MAX_RESOLUTION),
            int_widget("height", 1024, 16, MAX_RESOLUTION),
            int_widget("batch_size", 1, 1, 4096),
        ),
        outputs=_LATENT_OUT,
        worker_supported=False,
        unsupported_reason=(
            "EmptySD3LatentImage makes 16-channel latents for SD3/Flux, which the worker does not "
            "run"
        ),
    ),
    NodeSpec(
        class_type="VAEDecode",
        inputs=(link("samples", "LATENT"), link("vae", "VAE")),
        outputs=_IMAGE_OUT,
    ),
    NodeSpec(
        class_type="VAEEncode",
        inputs=(link("pixels", "IMAGE"), link("vae", "VAE")),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="VAEEncodeForInpaint",
        inputs=(
            link("pixels", "IMAGE"),
            link("vae", "VAE"),
            link("mask", "MASK"),
            int_widget("grow_mask_by", 6, 0, 64),
        ),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="SetLatentNoiseMask",
        inputs=(link("samples", "LATENT"), link("mask", "MASK")),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="LatentUpscale",
        inputs=(
            link("samples", "LATENT"),
            combo("upscale_method", _LATENT_UPSCALE_METHODS),
            int_widget("width", 512, 0, MAX_RESOLUTION),
            int_widget("height", 512, 0, MAX_RESOLUTION),
            combo("crop", _CROP),
        ),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="LatentUpscaleBy",
        inputs=(
            link("samples", "LATENT"),
            combo("upscale_method", _LATENT_UPSCALE_METHODS),
            float_widget("scale_by", 1.5, 0.01, 8.0),
        ),
        outputs=_LATENT_OUT,
    ),
    NodeSpec(
        class_type="LoadImage",
        inputs=(model_file("image", "input", upload_widget=True),),
        outputs=outputs(("IMAGE", "IMAGE"), ("MASK", "MASK")),
    ),
    NodeSpec(
        class_type="ImageScale",
        inputs=(
            link("image", "IMAGE"),
            combo("upscale_method", _IMAGE_UPSCALE_METHODS),
            int_widget("width", 512, 0, MAX_RESOLUTION),
            int_widget("height", 512, 0, MAX_RESOLUTION),
            combo("crop", _CROP),
        ),
        outputs=_IMAGE_OUT,
    ),
    NodeSpec(
        class_type="ImageScaleBy",
        inputs=(
            link("image", "IMAGE"),
            combo("upscale_method", _IMAGE_UPSCALE_METHODS),
            float_widget("scale_by", 1.0, 0.01, 8.0),
        ),
        outputs=_IMAGE_OUT,
    ),
    NodeSpec(
        class_type="ImageUpscaleWithModel",
        inputs=(link("upscale_model", "UPSCALE_MODEL"), link("image", "IMAGE")),
        outputs=_IMAGE_OUT,
    ),
    NodeSpec(
        class_type="SaveImage",
        inputs=(link("images", "IMAGE"), string_widget("filename_prefix", "ComfyUI")),
        outputs=(),
        is_output_node=True,
    ),
    NodeSpec(
        class_type="PreviewImage",
        inputs=(link("images", "IMAGE"),),
        outputs=(),
        is_output_node=True,
    ),
)
