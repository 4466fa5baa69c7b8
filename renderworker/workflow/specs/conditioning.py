"""Specs of ComfyUI's core text-encoding, conditioning and ControlNet nodes."""

from __future__ import annotations

from .types import (
    MAX_RESOLUTION,
    NodeSpec,
    float_widget,
    int_widget,
    link,
    outputs,
    string_widget,
)

_CONDITIONING_OUT = outputs(("CONDITIONING", "CONDITIONING"))

CONDITIONING_SPECS = (
    NodeSpec(
        class_type="CLIPSetLastLayer",
        inputs=(link("clip", "CLIP"), int_widget("stop_at_clip_layer", -1, -24, -1)),
        outputs=outputs(("CLIP", "CLIP")),
    ),
    NodeSpec(
        class_type="CLIPTextEncode",
        inputs=(string_widget("text", dynamic_prompts=True), link("clip", "CLIP")),
        outputs=_CONDITIONING_OUT,
    ),
    NodeSpec(
        class_type="CLIPTextEncodeSDXL",
        inputs=(
            link("clip", "CLIP"),
            int_widget("width", 1024, 0, MAX_RESOLUTION),
            int_widget("height", 1024, 0, MAX_RESOLUTION),
            int_widget("crop_w", 0, 0, MAX_RESOLUTION),
            int_widget("crop_h", 0, 0, MAX_RESOLUTION),
            int_widget("target_width", 1024, 0, MAX_RESOLUTION),
            int_widget("target_height", 1024, 0, MAX_RESOLUTION),
            string_widget("text_g", dynamic_prompts=True),
            string_widget("text_l", dynamic_prompts=True),
        ),
        outputs=_CONDITIONING_OUT,
    ),
    NodeSpec(
        class_type="ConditioningCombine",
        inputs=(link("conditioning_1", "CONDITIONING"), link("conditioning_2", "CONDITIONING")),
        outputs=_CONDITIONING_OUT,
    ),
    NodeSpec(
        class_type="ConditioningSetArea",
        inputs=(
            link("conditioning", "CONDITIONING"),
            int_widget("width", 64, 64, MAX_RESOLUTION),
            int_widget("height", 64, 64, MAX_RESOLUTION),
            int_widget("x", 0, 0, MAX_RESOLUTION),
            int_widget("y", 0, 0, MAX_RESOLUTION),
            float_widget("strength", 1.0, 0.0, 10.0),
        ),
        outputs=_CONDITIONING_OUT,
    ),
    NodeSpec(
        class_type="ConditioningZeroOut",
        inputs=(link("conditioning", "CONDITIONING"),),
        outputs=_CONDITIONING_OUT,
    ),
    NodeSpec(
        class_type="ControlNetApply",
        inputs=(
            link("conditioning", "CONDITIONING"),
            link("control_net", "CONTROL_NET"),
            link("image", "IMAGE"),
            float_widget("strength", 1.0, 0.0, 10.0),
        ),
        outputs=_CONDITIONING_OUT,
    ),
    NodeSpec(
        class_type="ControlNetApplyAdvanced",
        inputs=(
            link("positive", "CONDITIONING"),
            link("negative", "CONDITIONING"),
            link("control_net", "CONTROL_NET"),
            link("image", "IMAGE"),
            float_widget("strength", 1.0, 0.0, 10.0),
            float_widget("start_percent", 0.0, 0.0, 1.0),
            float_widget("end_percent", 1.0, 0.0, 1.0),
            link("vae", "VAE", required=False),
        ),
        outputs=outputs(("positive", "CONDITIONING"), ("negative", "CONDITIONING")),
    ),
    NodeSpec(
        class_type="FluxGuidance",
        inputs=(link("conditioning", "CONDITIONING"), float_widget("guidance", 3.5, 0.0, 100.0)),
        outputs=_CONDITIONING_OUT,
        worker_supported=False,
        unsupported_reason=(
            "FluxGuidance belongs to the Flux model family, which the worker does not run"
        ),
    ),
)
