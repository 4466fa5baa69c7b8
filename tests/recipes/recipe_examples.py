"""One valid and one invalid parameter set per tool, shared by the Recipe API and form tests."""

from __future__ import annotations

from typing import Any

VALID_PARAMS: dict[str, dict[str, Any]] = {
    "comfyui": {
        "ckpt_name": "dreamshaper_8.safetensors", "ckpt_hash": "879db523c3", "seed": 1234,
        "steps": 30, "cfg": 6.5, "sampler_name": "dpmpp_2m", "scheduler": "karras",
        "width": 832, "height": 1216,
        "loras": [{"name": "detail_tweaker", "weight": 0.6, "te_weight": 0.6}],
    },
    "automatic1111": {
        "model": "sdxl_base", "model_hash": "31e35c80fc", "sampler": "DPM++ 2M",
        "schedule_type": "Karras", "steps": 25, "cfg_scale": 7.0, "seed": 42, "size": "832x1216",
        "clip_skip": 2, "loras": [{"name": "film_grain", "weight": 0.8, "te_weight": 0.8}],
        "extra": {"ADetailer model": "face_yolov8n.pt"},
    },
    "midjourney": {
        "version": "6.1", "aspect_ratio": "3:2", "stylize": 250, "style": "raw",
        "no": ["text", "frames"], "chaos": 10,
    },
    "dalle": {"size": "1792x1024", "quality": "hd", "style": "natural"},
    "chatgpt-image": {"model": "gpt-image-1", "size": "1536x1024", "quality": "high", "background": "opaque"},
    "leonardo": {"preset_style": "DYNAMIC", "alchemy": True, "guidance_scale": 7, "steps": 30,
                 "size": "1024x768", "seed": 5},
    "ideogram": {"model": "V_2", "magic_prompt": "OFF", "style_type": "REALISTIC",
                 "aspect_ratio": "16:10", "seed": 9},
    "flux": {"model": "dev", "guidance": 3.5, "steps": 28, "seed": 77, "size": "1024x768", "raw": True},
    "stable-diffusion": {"model": "sd3.5-large", "sampler": "euler", "steps": 40, "cfg_scale": 4.5,
                         "seed": 3, "style_preset": "cinematic"},
    "firefly": {"model": "image-4", "content_type": "photo", "style_presets": ["golden"],
                "visual_intensity": 6, "aspect_ratio": "16:9", "seed": 100},
    "imagen": {"model": "imagen-4.0-generate-001", "aspect_ratio": "3:4", "enhance_prompt": False, "seed": 11},
    "krea": {"model": "krea-1", "aspect_ratio": "4:5", "style": "film", "style_strength": 40},
    "recraft": {"model": "recraftv3", "style": "digital_illustration", "size": "1365x1024"},
    "invokeai": {"model": "juggernaut-xl", "scheduler": "ddim", "steps": 30, "cfg_scale": 6.0,
                 "seed": 8, "size": "1024x1024", "clip_skip": 1},
}

# (parameter, bad value as a web form would send it too) per tool.
BAD_PARAM: dict[str, tuple[str, str]] = {
    "comfyui": ("steps", "0"),
    "automatic1111": ("sampler", "DPM++ 2M Karras"),
    "midjourney": ("stylize", "5000"),
    "dalle": ("size", "512x512"),
    "chatgpt-image": ("quality", "ultra"),
    "leonardo": ("steps", "5"),
    "ideogram": ("aspect_ratio", "7:3"),
    "flux": ("guidance", "9"),
    "stable-diffusion": ("cfg_scale", "99"),
    "firefly": ("visual_intensity", "11"),
    "imagen": ("image_size", "4K"),
    "krea": ("style_strength", "101"),
    "recraft": ("size", "100x100"),
    "invokeai": ("steps", "0"),
}
