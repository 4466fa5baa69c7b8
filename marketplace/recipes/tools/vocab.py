"""Vocabularies several tools share, taken from the one place that already knows them."""

from __future__ import annotations

from renderworker.workflow.a1111 import (
    SAMPLER_TO_COMFY,
    SAMPLERS_WITHOUT_COMFY_EQUIVALENT,
    SCHEDULE_TO_COMFY,
    SCHEDULES_WITHOUT_COMFY_EQUIVALENT,
    split_sampler_name,
)
from renderworker.workflow.specs.names import SAMPLER_NAMES, SCHEDULER_NAMES

COMFY_SAMPLERS: tuple[str, ...] = SAMPLER_NAMES
COMFY_SCHEDULERS: tuple[str, ...] = SCHEDULER_NAMES

A1111_SAMPLERS: tuple[str, ...] = (*SAMPLER_TO_COMFY, *SAMPLERS_WITHOUT_COMFY_EQUIVALENT)
A1111_SCHEDULE_TYPES: tuple[str, ...] = tuple(
    dict.fromkeys(("Automatic", *SCHEDULE_TO_COMFY, *SCHEDULES_WITHOUT_COMFY_EQUIVALENT))
)


def _old_combined_sampler_hints() -> tuple[tuple[str, str], ...]:
    # Images from before A1111 v1.9 name e.g. "DPM++ 2M Karras"; say how to write it now.
    hints = []
    for sampler in SAMPLER_TO_COMFY:
        for schedule in ("Karras", "Exponential", "SGM Uniform"):
            combined = f"{sampler} {schedule}"
            if split_sampler_name(combined) == (sampler, schedule):
                hints.append(
                    (
                        combined,
                        f"an old combined name: use sampler {sampler!r} and "
                        f"schedule_type {schedule!r}",
                    )
                )
    return tuple(hints)


A1111_COMBINED_SAMPLER_HINTS = _old_combined_sampler_hints()

# Stability AI's REST API style presets (SDXL / SD3 endpoints).
STABILITY_STYLE_PRESETS: tuple[str, ...] = (
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
)

# InvokeAI's scheduler names (the "_k" variants use Karras sigmas).
INVOKEAI_SCHEDULERS: tuple[str, ...] = (
    "ddim",
    "ddpm",
    "deis",
    "deis_k",
    "lms",
    "lms_k",
    "pndm",
    "heun",
    "heun_k",
    "euler",
    "euler_k",
    "euler_a",
    "kdpm_2",
    "kdpm_2_k",
    "kdpm_2_a",
    "kdpm_2_a_k",
    "dpmpp_2s",
    "dpmpp_2s_k",
    "dpmpp_sde",
    "dpmpp_sde_k",
    "dpmpp_2m",
    "dpmpp_2m_k",
    "dpmpp_2m_sde",
    "dpmpp_2m_sde_k",
    "dpmpp_3m",
    "dpmpp_3m_k",
    "unipc",
    "unipc_k",
    "lcm",
    "tcd",
)

# Leonardo's API "presetStyle" values.
LEONARDO_PRESET_STYLES: tuple[str, ...] = (
    "NONE",
    "DYNAMIC",
    "ANIME",
    "BOKEH",
    "CINEMATIC",
    "CINEMATIC_CLOSEUP",
    "CREATIVE",
    "ENVIRONMENT",
    "FASHION",
    "FILM",
    "FOOD",
    "GENERAL",
    "HDR",
    "ILLUSTRATION",
    "LEONARDO",
    "LONG_EXPOSURE",
    "MACRO",
    "MINIMALISTIC",
    "MONOCHROME",
    "MOODY",
    "NEUTRAL",
    "PHOTOGRAPHY",
    "PORTRAIT",
    "RAYTRACED",
    "RENDER_3D",
    "RETRO",
    "SKETCH_BW",
    "SKETCH_COLOR",
    "STOCK_PHOTO",
    "VIBRANT",
    "UNPROCESSED",
)

# Adobe Firefly style preset ids (effects, themes, techniques, lighting, materials).
FIREFLY_STYLE_PRESETS: tuple[str, ...] = (
    "bw",
    "cool_colors",
    "golden",
    "monochromatic",
    "pastel_color",
    "toned_image",
    "vibrant_colors",
    "warm_tone",
    "closeup",
    "knolling",
    "landscape_photography",
    "macrophotography",
    "photographed_through_window",
    "shallow_depth_of_field",
    "shot_from_above",
    "shot_from_below",
    "surface_detail",
    "wide_angle",
    "beautiful",
    "bohemian",
    "chaotic",
    "dais",
    "divine",
    "eclectic",
    "futuristic",
    "kitschy",
    "nostalgic",
    "simple",
    "antique_photo",
    "bioluminescent",
    "bokeh",
    "color_explosion",
    "dark",
    "faded_image",
    "fisheye",
    "gomori_photography",
    "grainy_film",
    "iridescent",
    "isometric",
    "misty",
    "neon",
    "otherworldly_depiction",
    "ultraviolet",
    "underwater",
    "backlighting",
    "dramatic_light",
    "golden_hour",
    "harsh_light",
    "long_time_exposure",
    "low_lighting",
    "multiexposure",
    "studio_light",
    "surreal_lighting",
    "3d_patterned",
    "charcoal",
    "claymation",
    "fabric",
    "fur",
    "guilloche_patterns",
    "layered_paper",
    "marble",
    "soft_body",
)

# Recraft's API sizes.
RECRAFT_SIZES: tuple[str, ...] = (
    "1024x1024",
    "1365x1024",
    "1024x1365",
    "1536x1024",
    "1024x1536",
    "1820x1024",
    "1024x1820",
    "1024x2048",
    "2048x1024",
    "1434x1024",
    "1024x1434",
    "1024x1280",
    "1280x1024",
    "1024x1707",
    "1707x1024",
)
