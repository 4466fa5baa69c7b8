"""The fourteen tools of SPEC §1 and their parameter schemas.

Adding a tool is adding one ``Tool(...)`` entry to ``TOOL_LIST`` below; the registry, the
validator, the form describer and the Django choices all read from it. Ranges and allowed
values are the tools' own (their UI sliders or API limits); each parameter's help says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ParamIssue
from .params import (
    AspectRatioParam,
    BoolParam,
    ChoiceListParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    KeyValueParam,
    LoraListParam,
    NumberChoiceParam,
    SeedParam,
    SizeParam,
    StrListParam,
    StrParam,
)
from .tool import Tool
from .vocab import (
    A1111_COMBINED_SAMPLER_HINTS,
    A1111_SAMPLERS,
    A1111_SCHEDULE_TYPES,
    COMFY_SAMPLERS,
    COMFY_SCHEDULERS,
    FIREFLY_STYLE_PRESETS,
    INVOKEAI_SCHEDULERS,
    LEONARDO_PRESET_STYLES,
    RECRAFT_SIZES,
    STABILITY_STYLE_PRESETS,
)

_SEED_32 = 2**32 - 1
_URL_OR_CODE = r"(https?://\S+|\d{1,12}|random)"
_HASH_PATTERN = r"[0-9a-fA-F]{8}|[0-9a-fA-F]{10}|[0-9a-fA-F]{12}|[0-9a-fA-F]{64}"
_HASH_HELP = "8, 10, 12 or 64 hexadecimal digits (AutoV1, AutoV2, AutoV3 or SHA-256)"


def _model_name(help_text: str) -> StrParam:
    return StrParam(name="model", label="Model", help=help_text, max_length=255)


def _version_xor_niji(params: Mapping[str, Any]) -> list[ParamIssue]:
    # Midjourney runs either a version (--v) or a Niji model (--niji), never both.
    if "version" in params and "niji" in params:
        return [
            ParamIssue(
                field="niji",
                value=params["niji"],
                message=(
                    f"niji: {params['niji']!r} cannot be combined with version "
                    f"{params['version']!r}; accepted: either version or niji"
                ),
                accepted="either version or niji, not both",
            )
        ]
    return []


# The one list of tools, in the order the UI offers them. A new tool is one more entry.
TOOL_LIST: tuple[Tool, ...] = (
    Tool(
        slug="comfyui",
        name="ComfyUI",
        reproducible=True,
        url="https://github.com/comfyanonymous/ComfyUI",
        help="Node-based Stable Diffusion UI. Full workflows are sold as Blueprints; a Recipe may "
        "carry a prompt and the KSampler settings.",
        params=(
            StrParam(
                name="ckpt_name",
                label="Checkpoint",
                max_length=255,
                help="Checkpoint file name as in CheckpointLoaderSimple.",
            ),
            StrParam(
                name="ckpt_hash",
                label="Checkpoint hash",
                pattern=_HASH_PATTERN,
                pattern_help=_HASH_HELP,
                max_length=64,
                help="SHA-256 or AutoV2 of the checkpoint file.",
            ),
            StrParam(name="vae_name", label="VAE", max_length=255, help="VAELoader file name."),
            SeedParam(name="seed", label="Seed", help="KSampler seed, 0 to 2^64-1."),
            IntParam(name="steps", label="Steps", min_value=1, max_value=10000, default=20),
            FloatParam(
                name="cfg", label="CFG", min_value=0.0, max_value=100.0, step=0.1, default=8.0
            ),
            ChoiceParam(
                name="sampler_name", label="Sampler", choices=COMFY_SAMPLERS, default="euler"
            ),
            ChoiceParam(
                name="scheduler", label="Scheduler", choices=COMFY_SCHEDULERS, default="normal"
            ),
            FloatParam(name="denoise", label="Denoise", min_value=0.0, max_value=1.0, default=1.0),
            IntParam(
                name="width",
                label="Width",
                min_value=16,
                max_value=16384,
                multiple_of=8,
                default=512,
                help="EmptyLatentImage width in pixels.",
            ),
            IntParam(
                name="height",
                label="Height",
                min_value=16,
                max_value=16384,
                multiple_of=8,
                default=512,
                help="EmptyLatentImage height in pixels.",
            ),
            IntParam(name="batch_size", label="Batch size", min_value=1, max_value=4096, default=1),
            IntParam(
                name="stop_at_clip_layer",
                label="CLIP stop layer",
                min_value=-24,
                max_value=-1,
                default=-1,
                help="CLIPSetLastLayer; -2 is A1111's 'Clip skip: 2'.",
            ),
            LoraListParam(
                name="loras",
                label="LoRAs",
                min_weight=-100.0,
                max_weight=100.0,
                help="LoraLoader entries: weight = strength_model, te_weight = strength_clip.",
            ),
        ),
    ),
    Tool(
        slug="automatic1111",
        name="Automatic1111 / Forge",
        reproducible=True,
        url="https://github.com/AUTOMATIC1111/stable-diffusion-webui",
        help="Stable Diffusion web UI and its Forge fork. Paste the image's 'parameters' text to "
        "fill these fields.",
        params=(
            _model_name("Checkpoint name as in 'Model:'."),
            StrParam(
                name="model_hash",
                label="Model hash",
                pattern=_HASH_PATTERN,
                pattern_help=_HASH_HELP,
                max_length=64,
                help="'Model hash:' (AutoV2).",
            ),
            StrParam(name="vae", label="VAE", max_length=255),
            StrParam(
                name="vae_hash",
                label="VAE hash",
                pattern=_HASH_PATTERN,
                pattern_help=_HASH_HELP,
                max_length=64,
            ),
            ChoiceParam(
                name="sampler",
                label="Sampler",
                choices=A1111_SAMPLERS,
                default="DPM++ 2M",
                hints=A1111_COMBINED_SAMPLER_HINTS,
            ),
            ChoiceParam(
                name="schedule_type",
                label="Schedule type",
                choices=A1111_SCHEDULE_TYPES,
                default="Automatic",
            ),
            IntParam(name="steps", label="Sampling steps", min_value=1, max_value=150, default=20),
            FloatParam(
                name="cfg_scale",
                label="CFG scale",
                min_value=1.0,
                max_value=30.0,
                step=0.5,
                default=7.0,
            ),
            FloatParam(
                name="distilled_cfg_scale",
                label="Distilled CFG scale",
                min_value=0.0,
                max_value=30.0,
                step=0.1,
                help="Forge, Flux models only.",
            ),
            SeedParam(name="seed", label="Seed"),
            SizeParam(
                name="size",
                label="Size",
                min_side=64,
                max_side=2048,
                multiple_of=8,
                default="512x512",
            ),
            IntParam(name="clip_skip", label="Clip skip", min_value=1, max_value=12, default=1),
            IntParam(name="batch_size", label="Batch size", min_value=1, max_value=8, default=1),
            FloatParam(
                name="denoising_strength",
                label="Denoising strength",
                min_value=0.0,
                max_value=1.0,
                help="img2img strength, or of the hires pass.",
            ),
            FloatParam(
                name="hires_upscale",
                label="Hires upscale by",
                min_value=1.0,
                max_value=4.0,
                step=0.05,
            ),
            SizeParam(
                name="hires_resize",
                label="Hires resize to",
                min_side=64,
                max_side=4096,
                multiple_of=8,
            ),
            IntParam(
                name="hires_steps",
                label="Hires steps",
                min_value=0,
                max_value=150,
                help="0 uses the same number as the first pass.",
            ),
            StrParam(
                name="hires_upscaler",
                label="Hires upscaler",
                max_length=100,
                help="e.g. Latent, R-ESRGAN 4x+, 4x-UltraSharp.",
            ),
            LoraListParam(
                name="loras",
                label="LoRAs",
                help="From the prompt's <lora:name:weight> tags, with 'Lora hashes'.",
            ),
            StrParam(
                name="version",
                label="UI version",
                max_length=100,
                help="'Version:' such as v1.10.1 or a Forge build f2.0.1v1.10.1-...",
            ),
            KeyValueParam(
                name="extra",
                label="Other settings",
                help="Every other 'Key: value' of the parameters line (ADetailer, "
                "ControlNet, TI hashes, ...), kept verbatim.",
            ),
        ),
    ),
    Tool(
        slug="midjourney",
        name="Midjourney",
        reproducible=False,
        url="https://docs.midjourney.com/",
        help="Paste the prompt with its --flags to fill these fields.",
        params=(
            StrListParam(
                name="image_prompts",
                label="Image prompts",
                max_items=10,
                pattern=r"https?://\S+",
                pattern_help="an http(s) URL",
                help="Image URLs at the start of the prompt.",
            ),
            ChoiceParam(
                name="version",
                label="Version (--v)",
                choices=("4", "5", "5.1", "5.2", "6", "6.1", "7"),
            ),
            ChoiceParam(
                name="niji",
                label="Niji (--niji)",
                choices=("default", "4", "5", "6"),
                labels=(("default", "--niji (current default)"),),
            ),
            AspectRatioParam(
                name="aspect_ratio", label="Aspect ratio (--ar)", default="1:1", max_ratio=100.0
            ),
            IntParam(
                name="stylize", label="Stylize (--s)", min_value=0, max_value=1000, default=100
            ),
            IntParam(name="chaos", label="Chaos (--c)", min_value=0, max_value=100, default=0),
            IntParam(name="weird", label="Weird (--w)", min_value=0, max_value=3000, default=0),
            ChoiceParam(
                name="style",
                label="Style (--style)",
                choices=("raw", "cute", "expressive", "original", "scenic"),
                help="raw for v5.1+; cute/expressive/original/scenic for niji 5.",
            ),
            StrListParam(
                name="no",
                label="Exclude (--no)",
                max_items=50,
                item_max_length=200,
                pattern="(?s)(?!(?:.*\\s)?(?:--|\u2014|\u2013)[A-Za-z]).+",
                pattern_help="a term without a word starting with -- (a flag)",
            ),
            SeedParam(name="seed", label="Seed (--seed)", max_value=_SEED_32),
            NumberChoiceParam(name="quality", label="Quality (--q)", choices=(0.25, 0.5, 1, 2, 4)),
            StrListParam(
                name="sref",
                label="Style reference (--sref)",
                max_items=10,
                pattern=_URL_OR_CODE,
                pattern_help="a URL, a numeric style code or random",
            ),
            IntParam(
                name="sw", label="Style weight (--sw)", min_value=0, max_value=1000, default=100
            ),
            IntParam(name="sv", label="Style reference version (--sv)", min_value=1, max_value=6),
            StrListParam(
                name="cref",
                label="Character reference (--cref)",
                max_items=10,
                pattern=r"https?://\S+",
                pattern_help="an http(s) URL",
            ),
            IntParam(
                name="cw", label="Character weight (--cw)", min_value=0, max_value=100, default=100
            ),
            StrParam(
                name="oref",
                label="Omni reference (--oref)",
                max_length=500,
                pattern=r"https?://\S+",
                pattern_help="an http(s) URL",
            ),
            IntParam(
                name="ow", label="Omni weight (--ow)", min_value=1, max_value=1000, default=100
            ),
            FloatParam(
                name="image_weight",
                label="Image weight (--iw)",
                min_value=0.0,
                max_value=3.0,
                step=0.05,
                default=1.0,
            ),
            BoolParam(name="tile", label="Tile (--tile)", default=False),
            IntParam(name="stop", label="Stop (--stop)", min_value=10, max_value=100, default=100),
            IntParam(name="repeat", label="Repeat (--r)", min_value=1, max_value=40, default=1),
            IntParam(
                name="exp",
                label="Experimental aesthetics (--exp)",
                min_value=0,
                max_value=100,
                default=0,
            ),
            BoolParam(name="draft", label="Draft mode (--draft)", default=False),
            StrListParam(
                name="personalize",
                label="Personalization (--p)",
                max_items=10,
                item_max_length=64,
                pattern=r"[A-Za-z0-9_-]*",
                pattern_help="a profile or moodboard code (empty for your default)",
            ),
            ChoiceParam(name="speed", label="Speed", choices=("relax", "fast", "turbo")),
        ),
        rules=(_version_xor_niji,),
    ),
    Tool(
        slug="dalle",
        name="DALL·E 3",
        reproducible=False,
        url="https://platform.openai.com/docs/guides/images",
        help="OpenAI's DALL·E 3.",
        params=(
            SizeParam(
                name="size",
                label="Size",
                allowed=("1024x1024", "1792x1024", "1024x1792"),
                default="1024x1024",
            ),
            ChoiceParam(
                name="quality", label="Quality", choices=("standard", "hd"), default="standard"
            ),
            ChoiceParam(name="style", label="Style", choices=("vivid", "natural"), default="vivid"),
        ),
    ),
    Tool(
        slug="chatgpt-image",
        name="ChatGPT / GPT Image",
        reproducible=False,
        url="https://platform.openai.com/docs/guides/image-generation",
        help="Images made in ChatGPT or with the GPT Image API.",
        params=(
            ChoiceParam(
                name="model",
                label="Model",
                choices=("gpt-image-1", "gpt-image-1-mini", "gpt-4o"),
                default="gpt-image-1",
            ),
            ChoiceParam(
                name="size",
                label="Size",
                choices=("auto", "1024x1024", "1536x1024", "1024x1536"),
                default="auto",
            ),
            ChoiceParam(
                name="quality",
                label="Quality",
                choices=("auto", "low", "medium", "high"),
                default="auto",
            ),
            ChoiceParam(
                name="background",
                label="Background",
                choices=("auto", "transparent", "opaque"),
                default="auto",
            ),
            ChoiceParam(
                name="output_format",
                label="Output format",
                choices=("png", "jpeg", "webp"),
                default="png",
            ),
        ),
    ),
    Tool(
        slug="leonardo",
        name="Leonardo",
        reproducible=False,
        url="https://docs.leonardo.ai/",
        help="Leonardo.Ai image generation.",
        params=(
            _model_name("e.g. Leonardo Phoenix 1.0, Leonardo Kino XL, Lucid Origin, Flux Dev."),
            ChoiceParam(
                name="preset_style",
                label="Preset style",
                choices=LEONARDO_PRESET_STYLES,
                default="DYNAMIC",
            ),
            BoolParam(name="alchemy", label="Alchemy", default=False),
            BoolParam(name="prompt_magic", label="Prompt magic", default=False),
            BoolParam(name="photo_real", label="PhotoReal", default=False),
            BoolParam(name="ultra", label="Ultra", default=False),
            NumberChoiceParam(
                name="contrast",
                label="Contrast",
                choices=(1.0, 1.3, 1.8, 2.5, 3.0, 3.5, 4.0, 4.5),
                help="Phoenix and Flux models.",
            ),
            IntParam(
                name="guidance_scale", label="Guidance scale", min_value=1, max_value=20, default=7
            ),
            IntParam(name="steps", label="Inference steps", min_value=10, max_value=60, default=15),
            SizeParam(
                name="size",
                label="Size",
                min_side=32,
                max_side=1536,
                multiple_of=8,
                default="1024x1024",
            ),
            SeedParam(name="seed", label="Seed", max_value=2147483637),
        ),
    ),
    Tool(
        slug="ideogram",
        name="Ideogram",
        reproducible=False,
        url="https://developer.ideogram.ai/",
        help="Ideogram image generation.",
        params=(
            ChoiceParam(
                name="model",
                label="Model version",
                choices=("V_1", "V_1_TURBO", "V_2", "V_2_TURBO", "V_2A", "V_2A_TURBO", "V_3"),
                labels=(
                    ("V_1", "1.0"),
                    ("V_1_TURBO", "1.0 Turbo"),
                    ("V_2", "2.0"),
                    ("V_2_TURBO", "2.0 Turbo"),
                    ("V_2A", "2a"),
                    ("V_2A_TURBO", "2a Turbo"),
                    ("V_3", "3.0"),
                ),
                default="V_3",
            ),
            ChoiceParam(
                name="magic_prompt",
                label="Magic prompt",
                choices=("AUTO", "ON", "OFF"),
                default="AUTO",
            ),
            ChoiceParam(
                name="style_type",
                label="Style type",
                choices=("AUTO", "GENERAL", "REALISTIC", "DESIGN", "RENDER_3D", "ANIME", "FICTION"),
                default="AUTO",
            ),
            ChoiceParam(
                name="rendering_speed",
                label="Rendering speed (3.0)",
                choices=("TURBO", "DEFAULT", "QUALITY"),
                default="DEFAULT",
            ),
            AspectRatioParam(
                name="aspect_ratio",
                label="Aspect ratio",
                default="1:1",
                allowed=(
                    "1:1",
                    "10:16",
                    "16:10",
                    "9:16",
                    "16:9",
                    "3:2",
                    "2:3",
                    "4:3",
                    "3:4",
                    "1:3",
                    "3:1",
                    "1:2",
                    "2:1",
                    "4:5",
                    "5:4",
                ),
            ),
            SeedParam(name="seed", label="Seed", max_value=2147483647),
        ),
    ),
    Tool(
        slug="flux",
        name="Flux (BFL)",
        reproducible=False,
        url="https://docs.bfl.ai/",
        help="Black Forest Labs' FLUX models, through their API or a host.",
        params=(
            ChoiceParam(
                name="model",
                label="Model",
                choices=(
                    "pro",
                    "pro-1.1",
                    "pro-1.1-ultra",
                    "dev",
                    "schnell",
                    "kontext-pro",
                    "kontext-max",
                ),
                default="dev",
            ),
            FloatParam(
                name="guidance",
                label="Guidance",
                min_value=1.5,
                max_value=5.0,
                step=0.1,
                default=3.5,
                help="BFL API range (pro and dev).",
            ),
            IntParam(
                name="steps",
                label="Steps",
                min_value=1,
                max_value=50,
                default=28,
                help="schnell is distilled for 1-4 steps.",
            ),
            SeedParam(name="seed", label="Seed"),
            SizeParam(
                name="size",
                label="Size",
                min_side=256,
                max_side=1440,
                multiple_of=32,
                default="1024x768",
            ),
            AspectRatioParam(
                name="aspect_ratio",
                label="Aspect ratio (ultra)",
                max_ratio=21 / 9,
                help="FLUX1.1 [pro] ultra: from 21:9 to 9:21.",
            ),
            BoolParam(name="raw", label="Raw (ultra)", default=False),
            BoolParam(name="prompt_upsampling", label="Prompt upsampling", default=False),
            IntParam(
                name="safety_tolerance",
                label="Safety tolerance",
                min_value=0,
                max_value=6,
                default=2,
            ),
        ),
    ),
    Tool(
        slug="stable-diffusion",
        name="Stable Diffusion (other UIs / API)",
        reproducible=False,
        url="https://platform.stability.ai/docs/api-reference",
        help="Stable Diffusion through another UI or Stability AI's API.",
        params=(
            _model_name("e.g. sd_xl_base_1.0, sd3.5-large."),
            StrParam(
                name="sampler",
                label="Sampler",
                max_length=100,
                help="As the UI names it; UIs differ.",
            ),
            IntParam(name="steps", label="Steps", min_value=1, max_value=150, default=30),
            FloatParam(
                name="cfg_scale",
                label="CFG scale",
                min_value=0.0,
                max_value=35.0,
                step=0.5,
                default=7.0,
            ),
            SeedParam(name="seed", label="Seed", max_value=4294967294),
            SizeParam(
                name="size",
                label="Size",
                min_side=64,
                max_side=2048,
                multiple_of=8,
                default="1024x1024",
            ),
            AspectRatioParam(
                name="aspect_ratio",
                label="Aspect ratio (SD3 API)",
                allowed=("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"),
            ),
            ChoiceParam(name="style_preset", label="Style preset", choices=STABILITY_STYLE_PRESETS),
            IntParam(name="clip_skip", label="Clip skip", min_value=1, max_value=12, default=1),
            LoraListParam(name="loras", label="LoRAs"),
        ),
    ),
    Tool(
        slug="firefly",
        name="Adobe Firefly",
        reproducible=False,
        url="https://developer.adobe.com/firefly-services/docs/firefly-api/",
        help="Adobe Firefly text to image.",
        params=(
            ChoiceParam(
                name="model",
                label="Model",
                choices=("image-3", "image-4", "image-4-ultra", "image-5"),
                labels=(
                    ("image-3", "Firefly Image 3"),
                    ("image-4", "Firefly Image 4"),
                    ("image-4-ultra", "Firefly Image 4 Ultra"),
                    ("image-5", "Firefly Image 5"),
                ),
            ),
            ChoiceParam(
                name="content_type",
                label="Content type",
                choices=("auto", "photo", "art"),
                default="auto",
            ),
            ChoiceListParam(
                name="style_presets",
                label="Style presets",
                choices=FIREFLY_STYLE_PRESETS,
                max_items=10,
            ),
            IntParam(
                name="visual_intensity",
                label="Visual intensity",
                min_value=1,
                max_value=10,
                default=6,
            ),
            AspectRatioParam(
                name="aspect_ratio",
                label="Aspect ratio",
                default="1:1",
                allowed=("1:1", "4:3", "3:4", "16:9", "9:16"),
            ),
            IntParam(
                name="seed",
                label="Seed",
                min_value=1,
                max_value=100000,
                help="Firefly API seeds run from 1 to 100000.",
            ),
        ),
    ),
    Tool(
        slug="imagen",
        name="Google Imagen / Gemini",
        reproducible=False,
        url="https://ai.google.dev/gemini-api/docs/imagen",
        help="Google's Imagen models and Gemini image generation.",
        params=(
            ChoiceParam(
                name="model",
                label="Model",
                choices=(
                    "imagen-3.0-generate-002",
                    "imagen-4.0-generate-001",
                    "imagen-4.0-ultra-generate-001",
                    "imagen-4.0-fast-generate-001",
                    "gemini-2.0-flash-preview-image-generation",
                    "gemini-2.5-flash-image",
                ),
            ),
            AspectRatioParam(
                name="aspect_ratio",
                label="Aspect ratio",
                default="1:1",
                allowed=("1:1", "3:4", "4:3", "9:16", "16:9", "2:3", "3:2", "4:5", "5:4", "21:9"),
            ),
            ChoiceParam(name="image_size", label="Image size (Imagen 4)", choices=("1K", "2K")),
            ChoiceParam(
                name="person_generation",
                label="Person generation",
                choices=("dont_allow", "allow_adult", "allow_all"),
            ),
            BoolParam(name="enhance_prompt", label="Enhance prompt"),
            SeedParam(name="seed", label="Seed", max_value=_SEED_32),
        ),
    ),
    Tool(
        slug="krea",
        name="Krea",
        reproducible=False,
        url="https://www.krea.ai/",
        help="Krea's image generator (Krea 1 and hosted models).",
        params=(
            _model_name("e.g. Krea 1, Flux, Ideogram 3.0, Imagen 4."),
            AspectRatioParam(
                name="aspect_ratio", label="Aspect ratio", default="1:1", max_ratio=4.0
            ),
            StrParam(
                name="style",
                label="Style",
                max_length=200,
                help="A Krea style or your trained style's name.",
            ),
            IntParam(name="style_strength", label="Style strength (%)", min_value=0, max_value=100),
            SeedParam(name="seed", label="Seed", max_value=_SEED_32),
        ),
    ),
    Tool(
        slug="recraft",
        name="Recraft",
        reproducible=False,
        url="https://www.recraft.ai/docs",
        help="Recraft raster and vector generation.",
        params=(
            ChoiceParam(
                name="model", label="Model", choices=("recraftv2", "recraftv3"), default="recraftv3"
            ),
            ChoiceParam(
                name="style",
                label="Style",
                choices=(
                    "any",
                    "realistic_image",
                    "digital_illustration",
                    "vector_illustration",
                    "icon",
                    "logo_raster",
                ),
                default="realistic_image",
                help="icon is recraftv2 only.",
            ),
            StrParam(
                name="substyle",
                label="Substyle",
                max_length=64,
                pattern=r"[a-z0-9_]+",
                pattern_help="lowercase letters, digits and _ (e.g. hdr, pixel_art)",
            ),
            SizeParam(name="size", label="Size", allowed=RECRAFT_SIZES, default="1024x1024"),
        ),
    ),
    Tool(
        slug="invokeai",
        name="InvokeAI",
        reproducible=False,
        url="https://invoke-ai.github.io/InvokeAI/",
        help="InvokeAI's canvas and workflows.",
        params=(
            _model_name("Main model name."),
            ChoiceParam(
                name="scheduler", label="Scheduler", choices=INVOKEAI_SCHEDULERS, default="euler"
            ),
            IntParam(name="steps", label="Steps", min_value=1, max_value=500, default=30),
            FloatParam(
                name="cfg_scale",
                label="CFG scale",
                min_value=1.0,
                max_value=200.0,
                step=0.5,
                default=7.5,
            ),
            FloatParam(
                name="cfg_rescale_multiplier",
                label="CFG rescale",
                min_value=0.0,
                max_value=0.99,
                default=0.0,
            ),
            SeedParam(name="seed", label="Seed", max_value=_SEED_32),
            SizeParam(
                name="size",
                label="Size",
                min_side=64,
                max_side=4096,
                multiple_of=8,
                default="1024x1024",
            ),
            IntParam(name="clip_skip", label="CLIP skip", min_value=0, max_value=12, default=0),
            LoraListParam(name="loras", label="LoRAs"),
        ),
    ),
)
