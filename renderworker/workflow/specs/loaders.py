"""Specs of ComfyUI's core model-loading nodes."""

from __future__ import annotations

from .types import NodeSpec, combo, float_widget, link, model_file, outputs

_UNSUPPORTED_STANDALONE = (
    "standalone diffusion-model/text-encoder loaders are how Flux, SD3 and video models are "
    "loaded; Kiln's worker runs SD1.x and SDXL checkpoints only"
)

# CLIPLoader/DualCLIPLoader "type" lists grow with every ComfyUI release: known values listed,
# unknown ones accepted (the node is unsupported anyway; its family is what gets reported).
_CLIP_LOADER_TYPES = (
    "stable_diffusion",
    "stable_cascade",
    "sd3",
    "stable_audio",
    "mochi",
    "ltxv",
    "pixart",
    "cosmos",
    "lumina2",
    "wan",
    "hidream",
    "chroma",
    "ace",
    "omnigen2",
    "qwen_image",
    "hunyuan_image",
)
_DUAL_CLIP_LOADER_TYPES = ("sdxl", "sd3", "flux", "hunyuan_video", "hidream", "hunyuan_image")
_DEVICES = ("default", "cpu")

LOADER_SPECS = (
    NodeSpec(
        class_type="CheckpointLoaderSimple",
        inputs=(model_file("ckpt_name", "checkpoints"),),
        outputs=outputs(("MODEL", "MODEL"), ("CLIP", "CLIP"), ("VAE", "VAE")),
    ),
    NodeSpec(
        class_type="CheckpointLoader",
        inputs=(model_file("config_name", "configs"), model_file("ckpt_name", "checkpoints")),
        outputs=outputs(("MODEL", "MODEL"), ("CLIP", "CLIP"), ("VAE", "VAE")),
    ),
    NodeSpec(
        class_type="VAELoader",
        inputs=(model_file("vae_name", "vae"),),
        outputs=outputs(("VAE", "VAE")),
    ),
    NodeSpec(
        class_type="LoraLoader",
        inputs=(
            link("model", "MODEL"),
            link("clip", "CLIP"),
            model_file("lora_name", "loras"),
            float_widget("strength_model", 1.0, -100.0, 100.0),
            float_widget("strength_clip", 1.0, -100.0, 100.0),
        ),
        outputs=outputs(("MODEL", "MODEL"), ("CLIP", "CLIP")),
    ),
    NodeSpec(
        class_type="LoraLoaderModelOnly",
        inputs=(
            link("model", "MODEL"),
            model_file("lora_name", "loras"),
            float_widget("strength_model", 1.0, -100.0, 100.0),
        ),
        outputs=outputs(("MODEL", "MODEL")),
    ),
    NodeSpec(
        class_type="UpscaleModelLoader",
        inputs=(model_file("model_name", "upscale_models"),),
        outputs=outputs(("UPSCALE_MODEL", "UPSCALE_MODEL")),
    ),
    NodeSpec(
        class_type="ControlNetLoader",
        inputs=(model_file("control_net_name", "controlnet"),),
        outputs=outputs(("CONTROL_NET", "CONTROL_NET")),
    ),
    NodeSpec(
        class_type="UNETLoader",
        inputs=(
            model_file("unet_name", "diffusion_models"),
            combo("weight_dtype", ("default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2")),
        ),
        outputs=outputs(("MODEL", "MODEL")),
        worker_supported=False,
        unsupported_reason=_UNSUPPORTED_STANDALONE,
    ),
    NodeSpec(
        class_type="CLIPLoader",
        inputs=(
            model_file("clip_name", "text_encoders"),
            combo("type", _CLIP_LOADER_TYPES, choices_are_open=True),
            combo("device", _DEVICES, required=False),
        ),
        outputs=outputs(("CLIP", "CLIP")),
        worker_supported=False,
        unsupported_reason=_UNSUPPORTED_STANDALONE,
    ),
    NodeSpec(
        class_type="DualCLIPLoader",
        inputs=(
            model_file("clip_name1", "text_encoders"),
            model_file("clip_name2", "text_encoders"),
            combo("type", _DUAL_CLIP_LOADER_TYPES, choices_are_open=True),
            combo("device", _DEVICES, required=False),
        ),
        outputs=outputs(("CLIP", "CLIP")),
        worker_supported=False,
        unsupported_reason=_UNSUPPORTED_STANDALONE,
    ),
    NodeSpec(
        class_type="TripleCLIPLoader",
        inputs=(
            model_file("clip_name1", "text_encoders"),
            model_file("clip_name2", "text_encoders"),
            model_file("clip_name3", "text_encoders"),
        ),
        outputs=outputs(("CLIP", "CLIP")),
        worker_supported=False,
        unsupported_reason=_UNSUPPORTED_STANDALONE,
    ),
)
