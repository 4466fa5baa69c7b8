"""Paste to fill: read an A1111 ``parameters`` block or a Midjourney prompt into Recipe fields.

``parse_pasted`` recognises the format, splits prompt / negative prompt / settings, validates
the settings through the same :func:`validate_params` the form and the API use, and lists every
piece it could not use in ``unparsed`` with the reason (unknown flag, bad value, ...): nothing
pasted is silently dropped. ``format_pasted`` writes an equivalent block back.

Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marketplace.recipes.tools import REPRODUCIBLE_TOOLS, TOOLS, ParamsError, validate_params
from marketplace.recipes.tools.params import KeyValueParam, Rejected
from renderworker.workflow.a1111 import (
    SAMPLER_TO_COMFY,
    SCHEDULE_TO_COMFY,
    A1111Parameters,
    UnparsedPiece,
    format_a1111_parameters,
    looks_like_settings_line,
    parse_a1111_parameters,
    parse_lora_tags,
    split_settings_line,
)

__all__ = [
    "MAX_PASTE_LENGTH",
    "PasteError",
    "PasteResult",
    "UnparsedPiece",
    "comfy_settings_for_recipe",
    "detect_format",
    "format_pasted",
    "parse_pasted",
]

# A real parameters block or prompt is a few KiB; refuse novels before doing any work.
MAX_PASTE_LENGTH = 50_000

FORMAT_A1111 = "automatic1111"
FORMAT_MIDJOURNEY = "midjourney"
FORMAT_PLAIN = "plain"


class PasteError(ValueError):
    """The paste cannot be read at all (not text, too long, unknown tool)."""


@dataclass
class PasteResult:
    """What a paste fills in. ``params`` are already validated for ``tool``."""

    tool: str | None
    format: str
    prompt: str
    negative_prompt: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    unparsed: list[UnparsedPiece] = field(default_factory=list)

    @property
    def comfy_settings(self) -> dict[str, Any] | None:
        """For tools Kiln can re-run, the settings in the Blueprint analysis' structured form."""
        if self.tool is None:
            return None
        return comfy_settings_for_recipe(
            tool=self.tool,
            prompt=self.prompt,
            negative_prompt=self.negative_prompt,
            params=self.params,
        )


def parse_pasted(text: str, *, tool: str | None = None) -> PasteResult:
    """Read pasted text into Recipe fields for ``tool`` (detected from the text when ``None``).

    Recognises an Automatic1111/Forge ``parameters`` block and a Midjourney prompt (with or
    without ``/imagine prompt:``). With ``tool="comfyui"`` an A1111 block is restated as
    KSampler settings. For any other tool the text is the prompt. Raises :class:`PasteError`
    only when ``text`` is not a string, is longer than ``MAX_PASTE_LENGTH`` or ``tool`` is
    not a known slug.
    """
    if not isinstance(text, str):
        raise PasteError(f"text: expected text, got {type(text).__name__}; accepted: a string")
    if len(text) > MAX_PASTE_LENGTH:
        raise PasteError(
            f"text: {len(text)} characters is too long; accepted: at most {MAX_PASTE_LENGTH}"
        )
    if tool is not None and tool not in TOOLS:
        raise PasteError(f"tool: {tool!r} is not a known tool; accepted: {', '.join(TOOLS)}")
    detected = detect_format(text)
    if tool is None:
        tool = {FORMAT_A1111: "automatic1111", FORMAT_MIDJOURNEY: "midjourney"}.get(detected)
    if tool == "automatic1111":
        return _from_a1111(text)
    if tool == "comfyui" and detected == FORMAT_A1111:
        return _from_a1111_for_comfyui(text)
    if tool == "midjourney":
        prompt, candidates, unparsed = parse_midjourney(text)
        params = _validate_dropping_bad("midjourney", candidates, unparsed)
        return PasteResult(
            tool="midjourney",
            format=FORMAT_MIDJOURNEY,
            prompt=prompt,
            params=params,
            unparsed=unparsed,
        )
    result = PasteResult(tool=tool, format=FORMAT_PLAIN, prompt=text.strip())
    if tool is not None and detected != FORMAT_PLAIN:
        described = "an Automatic1111 block" if detected == FORMAT_A1111 else "a Midjourney prompt"
        result.unparsed.append(
            UnparsedPiece(
                text=_settings_part(text, detected),
                reason=f"this looks like {described}; its settings were kept as prompt text "
                f"because the tool is {tool!r}, which has no paste format",
            )
        )
    return result


def _settings_part(text: str, detected: str) -> str:
    """The part of a paste that holds its settings (for pointing at it)."""
    if detected == FORMAT_A1111:
        return text.replace("\r", "\n").strip("\n").split("\n")[-1].strip()
    normalised = _DASH_FLAG.sub("--", text)
    first_flag = _FLAG.search(normalised)
    return normalised[first_flag.start() :].strip() if first_flag else normalised.strip()


def detect_format(text: str) -> str:
    """``"automatic1111"``, ``"midjourney"`` or ``"plain"``."""
    lines = text.replace("\r", "\n").strip("\n").split("\n")
    if any(line.lstrip().startswith("Negative prompt:") for line in lines):
        return FORMAT_A1111
    if looks_like_settings_line(*split_settings_line(lines[-1])):
        return FORMAT_A1111
    if looks_like_midjourney(text):
        return FORMAT_MIDJOURNEY
    return FORMAT_PLAIN


def format_pasted(result: PasteResult) -> str:
    """Write ``result`` back in its tool's paste format (an equivalent block).

    Reading the block back with ``parse_pasted(block, tool=result.tool)`` gives the same
    prompt, negative prompt and params, with one exception inherent to the A1111 format: an
    A1111 recipe whose only settings are ``extra`` keys writes a line that reads as prompt text.
    """
    if result.tool == "midjourney":
        return format_midjourney(prompt=result.prompt, params=result.params)
    if result.tool == "automatic1111":
        return _format_a1111(result.prompt, result.negative_prompt, result.params)
    if result.tool == "comfyui" and result.format == FORMAT_A1111:
        return _format_a1111(
            result.prompt, result.negative_prompt, _comfy_params_to_a1111(result.params)
        )
    if result.negative_prompt:
        return f"{result.prompt}\nNegative prompt: {result.negative_prompt}"
    return result.prompt


# --------------------------------------------------------------------------------------------
# Validation that keeps the good values and reports the bad ones


def _validate_dropping_bad(
    tool: str,
    candidates: dict[str, tuple[Any, str]],
    unparsed: list[UnparsedPiece],
) -> dict[str, Any]:
    """Validate ``{param: (value, source text)}``; a rejected value moves to ``unparsed``."""
    remaining = dict(candidates)
    while True:
        try:
            return validate_params(tool, {name: value for name, (value, _) in remaining.items()})
        except ParamsError as error:
            dropped = False
            for issue in error.issues:
                name = issue["field"]
                if name not in remaining:
                    continue
                source = remaining.pop(name)[1]
                dropped = True
                if not any(piece.text == source for piece in unparsed):
                    unparsed.append(UnparsedPiece(text=source, reason=issue["message"]))
            if not dropped:
                # An issue about no parameter we sent cannot be fixed by dropping one: keep
                # everything visible rather than loop.
                for _, source in remaining.values():
                    unparsed.append(UnparsedPiece(text=source, reason=str(error)))
                return {}


# --------------------------------------------------------------------------------------------
# Automatic1111

# A1111 key -> automatic1111 schema parameter, in the order A1111 writes them.
A1111_KEY_TO_PARAM: dict[str, str] = {
    "Steps": "steps",
    "Sampler": "sampler",
    "Schedule type": "schedule_type",
    "CFG scale": "cfg_scale",
    "Distilled CFG Scale": "distilled_cfg_scale",
    "Seed": "seed",
    "Size": "size",
    "Model hash": "model_hash",
    "Model": "model",
    "VAE hash": "vae_hash",
    "VAE": "vae",
    "Denoising strength": "denoising_strength",
    "Clip skip": "clip_skip",
    "Batch size": "batch_size",
    "Hires upscale": "hires_upscale",
    "Hires resize": "hires_resize",
    "Hires steps": "hires_steps",
    "Hires upscaler": "hires_upscaler",
    "Version": "version",
}
_PARAM_TO_A1111_KEY = {param: key for key, param in A1111_KEY_TO_PARAM.items()}
_EXTRA_ITEM = KeyValueParam(name="extra", label="Other settings", max_items=1)


def _from_a1111(text: str) -> PasteResult:
    parsed = parse_a1111_parameters(text)
    unparsed = list(parsed.unparsed_details)
    candidates: dict[str, tuple[Any, str]] = {}
    extra: dict[str, str] = {}
    for key, value in parsed.settings.items():
        source = f"{key}: {value}"
        name = A1111_KEY_TO_PARAM.get(key)
        if key == "Sampler":
            if parsed.sampler is not None:
                candidates["sampler"] = (parsed.sampler, source)
            if parsed.sampler_was_combined and "Schedule type" not in parsed.settings:
                candidates["schedule_type"] = (parsed.schedule_type, source)
        elif name is not None:
            candidates[name] = (value, source)
        elif (
            key == "Lora hashes"
            and parsed.loras
            and set(parsed.lora_hashes) <= {lora.name for lora in parsed.loras}
        ):
            continue  # carried by the loras' "hash" fields, rebuilt by format_pasted
        else:
            try:
                extra.update(_EXTRA_ITEM.clean({key: value}))
            except Rejected as rejection:
                unparsed.append(UnparsedPiece(source, f"extra: {rejection.reason}"))
    if extra:
        candidates["extra"] = (extra, "other settings")
    if parsed.loras:
        loras = [
            _lora_item(lora.name, lora.unet_weight, lora.te_weight, lora.hash)
            for lora in parsed.loras
        ]
        candidates["loras"] = (loras, ", ".join(lora.tag for lora in parsed.loras))
    params = _validate_dropping_bad("automatic1111", candidates, unparsed)
    return PasteResult(
        tool="automatic1111",
        format=FORMAT_A1111,
        prompt=parsed.prompt,
        negative_prompt=parsed.negative_prompt,
        params=params,
        unparsed=unparsed,
    )


def _lora_item(name: str, weight: float, te_weight: float, lora_hash: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "weight": weight, "te_weight": te_weight}
    if lora_hash is not None:
        item["hash"] = lora_hash
    return item


def _a1111_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _lora_tag(lora: dict[str, Any]) -> str:
    weight, te_weight = lora.get("weight", 1.0), lora.get("te_weight", lora.get("weight", 1.0))
    if weight == te_weight:
        return f"<lora:{lora['name']}:{_a1111_value(float(weight))}>"
    return f"<lora:{lora['name']}:{_a1111_value(float(te_weight))}:{_a1111_value(float(weight))}>"


def _format_a1111(prompt: str, negative_prompt: str, params: dict[str, Any]) -> str:
    tagged = {lora.name for lora in parse_lora_tags(prompt)}
    missing = [lora for lora in params.get("loras", []) if lora["name"] not in tagged]
    if missing:
        prompt = ", ".join(part for part in (prompt.strip(), *map(_lora_tag, missing)) if part)
    settings: dict[str, str] = {}
    for param, key in _PARAM_TO_A1111_KEY.items():
        if param in params and key != "Version":
            settings[key] = _a1111_value(params[param])
    hashes = [
        f"{lora['name']}: {lora['hash']}" for lora in params.get("loras", []) if "hash" in lora
    ]
    extra = dict(params.get("extra", {}))
    if hashes and "Lora hashes" not in extra:
        settings["Lora hashes"] = ", ".join(hashes)
    settings.update(extra)
    if "version" in params:
        settings["Version"] = params["version"]
    return format_a1111_parameters(
        prompt=prompt, negative_prompt=negative_prompt, settings=settings
    )


# --------------------------------------------------------------------------------------------
# An A1111 block restated for the comfyui tool

_COMFY_TO_A1111_SAMPLER = {comfy: label for label, comfy in reversed(SAMPLER_TO_COMFY.items())}
_COMFY_TO_A1111_SCHEDULE = {comfy: label for label, comfy in reversed(SCHEDULE_TO_COMFY.items())}


def _from_a1111_for_comfyui(text: str) -> PasteResult:
    parsed = parse_a1111_parameters(text)
    settings = parsed.to_comfy_settings()
    unparsed = list(parsed.unparsed_details)
    candidates: dict[str, tuple[Any, str]] = {}

    def offer(name: str, value: Any, key: str) -> None:
        if value is not None:
            candidates[name] = (value, f"{key}: {parsed.settings.get(key, value)}")

    offer("ckpt_name", settings.checkpoint_name, "Model")
    offer("ckpt_hash", settings.checkpoint_hash, "Model hash")
    offer("vae_name", settings.vae_name, "VAE")
    offer("seed", settings.seed, "Seed")
    offer("steps", settings.steps, "Steps")
    offer("cfg", settings.cfg, "CFG scale")
    offer("sampler_name", settings.sampler_name, "Sampler")
    offer(
        "scheduler",
        settings.scheduler
        if "Schedule type" in parsed.settings or parsed.sampler_was_combined
        else None,
        "Schedule type",
    )
    offer("width", settings.width, "Size")
    offer("height", settings.height, "Size")
    if "Clip skip" in parsed.settings:
        offer("stop_at_clip_layer", settings.stop_at_clip_layer, "Clip skip")
    if parsed.batch_size is not None:
        offer("batch_size", settings.batch_size, "Batch size")
    if settings.hires is None and parsed.denoising_strength is not None:
        offer("denoise", settings.denoise, "Denoising strength")
    if settings.loras:
        candidates["loras"] = (
            [
                _lora_item(lora.name, lora.strength_model, lora.strength_clip, lora.autov3)
                for lora in settings.loras
            ],
            ", ".join(lora.tag for lora in parsed.loras),
        )
    used = {
        "Model",
        "Model hash",
        "VAE",
        "Seed",
        "Steps",
        "CFG scale",
        "Sampler",
        "Schedule type",
        "Size",
        "Clip skip",
        "Batch size",
        "Lora hashes",
    }
    if settings.hires is None:
        used.add("Denoising strength")
    for key, value in parsed.settings.items():
        if key not in used and not any(piece.text == f"{key}: {value}" for piece in unparsed):
            unparsed.append(
                UnparsedPiece(f"{key}: {value}", f"{key!r} has no field in a ComfyUI recipe")
            )
    params = _validate_dropping_bad("comfyui", candidates, unparsed)
    return PasteResult(
        tool="comfyui",
        format=FORMAT_A1111,
        prompt=parsed.prompt,
        negative_prompt=parsed.negative_prompt,
        params=params,
        unparsed=unparsed,
    )


def _comfy_params_to_a1111(params: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    renames: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "ckpt_name": ("model", str),
        "ckpt_hash": ("model_hash", str),
        "vae_name": ("vae", str),
        "seed": ("seed", int),
        "steps": ("steps", int),
        "cfg": ("cfg_scale", float),
        "sampler_name": ("sampler", lambda name: _COMFY_TO_A1111_SAMPLER.get(name, name)),
        "scheduler": ("schedule_type", lambda name: _COMFY_TO_A1111_SCHEDULE.get(name, name)),
        "batch_size": ("batch_size", int),
        "denoise": ("denoising_strength", float),
        "stop_at_clip_layer": ("clip_skip", lambda layer: -int(layer)),
        "loras": ("loras", list),
    }
    for name, (target, convert) in renames.items():
        if name in params:
            converted[target] = convert(params[name])
    if "width" in params and "height" in params:
        converted["size"] = f"{params['width']}x{params['height']}"
    return converted


# --------------------------------------------------------------------------------------------
# The structured form kept for reproducible recipes


def comfy_settings_for_recipe(
    *, tool: str, prompt: str, negative_prompt: str, params: dict[str, Any]
) -> dict[str, Any] | None:
    """For a recipe of a tool Kiln can re-run (automatic1111, comfyui), its settings in the
    structured form of the Blueprint analysis (:class:`ComfySettings.as_json`); else ``None``.

    ``params`` must already be validated. Call it again whenever the recipe is edited.
    """
    if tool not in REPRODUCIBLE_TOOLS:
        return None
    a1111_params = params if tool == "automatic1111" else _comfy_params_to_a1111(params)
    block = _format_a1111(prompt, negative_prompt, a1111_params)
    parsed: A1111Parameters = parse_a1111_parameters(block)
    settings = parsed.to_comfy_settings().as_json()
    if tool == "comfyui":
        settings["source"] = "comfyui"
        settings["approximate"] = False
        # ComfyUI names pass through unchanged (no A1111 label may exist for them).
        for name, key in (("sampler_name", "sampler_name"), ("scheduler", "scheduler")):
            if name in params:
                settings[key] = params[name]
        settings["assumptions"] = [
            note
            for note in settings["assumptions"]
            if not note.startswith(("scheduler:", "stop_at_clip_layer:"))
            or note.split(":")[0] not in params
        ]
    return settings


# --------------------------------------------------------------------------------------------
# Midjourney

# How a flag takes its value: ONE token, an OPTIONAL token, NONE, WORDS (the rest, split at
# commas: --no) or MANY tokens (--sref url url).
ONE, OPTIONAL, NONE, WORDS, MANY = "one", "optional", "none", "words", "many"

# flag (lower case, without --) -> (schema parameter, arity, value for valueless flags)
MIDJOURNEY_FLAGS: dict[str, tuple[str, str, Any]] = {
    "ar": ("aspect_ratio", ONE, None),
    "aspect": ("aspect_ratio", ONE, None),
    "v": ("version", ONE, None),
    "version": ("version", ONE, None),
    "niji": ("niji", OPTIONAL, "default"),
    "s": ("stylize", ONE, None),
    "stylize": ("stylize", ONE, None),
    "c": ("chaos", ONE, None),
    "chaos": ("chaos", ONE, None),
    "w": ("weird", ONE, None),
    "weird": ("weird", ONE, None),
    "style": ("style", ONE, None),
    "no": ("no", WORDS, None),
    "seed": ("seed", ONE, None),
    "q": ("quality", ONE, None),
    "quality": ("quality", ONE, None),
    "sref": ("sref", MANY, None),
    "sw": ("sw", ONE, None),
    "sv": ("sv", ONE, None),
    "cref": ("cref", MANY, None),
    "cw": ("cw", ONE, None),
    "oref": ("oref", ONE, None),
    "ow": ("ow", ONE, None),
    "iw": ("image_weight", ONE, None),
    "tile": ("tile", NONE, True),
    "stop": ("stop", ONE, None),
    "r": ("repeat", ONE, None),
    "repeat": ("repeat", ONE, None),
    "exp": ("exp", ONE, None),
    "draft": ("draft", NONE, True),
    "p": ("personalize", MANY, None),
    "personalize": ("personalize", MANY, None),
    "profile": ("personalize", MANY, None),
    "fast": ("speed", NONE, "fast"),
    "relax": ("speed", NONE, "relax"),
    "turbo": ("speed", NONE, "turbo"),
}
# The spelling format_pasted writes for each parameter.
_MIDJOURNEY_OUTPUT_FLAG: dict[str, str] = {
    "aspect_ratio": "ar",
    "version": "v",
    "niji": "niji",
    "stylize": "s",
    "chaos": "c",
    "weird": "w",
    "style": "style",
    "quality": "q",
    "image_weight": "iw",
    "seed": "seed",
    "stop": "stop",
    "repeat": "r",
    "exp": "exp",
    "sref": "sref",
    "sw": "sw",
    "sv": "sv",
    "cref": "cref",
    "cw": "cw",
    "oref": "oref",
    "ow": "ow",
    "personalize": "p",
    "tile": "tile",
    "draft": "draft",
    "no": "no",
}

_FLAG = re.compile(r"(?<!\S)--([A-Za-z][A-Za-z0-9_-]*)")
_IMAGINE = re.compile(r"^\s*/imagine\b[ \t]*(?:prompt:)?\s*", re.IGNORECASE)
# Discord shows a finished job as "**prompt --flags** - <@id> (fast)"; people paste that.
_DISCORD_MESSAGE = re.compile(
    r"^\s*\*\*(.+?)\*\*\s*(-\s+(?:[A-Z][\w ()#]*?\s+by\s+|Image #\d+\s+)?"
    r"(?:<@!?\d+>|@\S+)(?:\s+\([^()\n]*\))?)\s*$",
    re.DOTALL,
)
_IMAGE_URL = re.compile(r"^<?(https?://[^\s<>]+)>?$")
# iOS and macOS turn "--" into a dash; Midjourney accepts "—ar" as "--ar".
_DASH_FLAG = re.compile("(?<!\\S)[\u2014\u2013](?=[A-Za-z])")  # em dash, en dash


def looks_like_midjourney(text: str) -> bool:
    """An ``/imagine`` command, or text carrying at least one known Midjourney flag."""
    if _IMAGINE.match(text):
        return True
    normalised = _DASH_FLAG.sub("--", _IMAGINE.sub("", text, count=1))
    return any(match.group(1).lower() in MIDJOURNEY_FLAGS for match in _FLAG.finditer(normalised))


def parse_midjourney(
    text: str,
) -> tuple[str, dict[str, tuple[Any, str]], list[UnparsedPiece]]:
    """Split a Midjourney prompt into the prompt text, ``{param: (raw value, source text)}``
    candidates for validation, and the pieces it could not use."""
    unparsed: list[UnparsedPiece] = []
    candidates: dict[str, tuple[Any, str]] = {}
    text = text.strip()
    discord = _DISCORD_MESSAGE.match(text)
    if discord is not None:
        text = discord.group(1)
        unparsed.append(
            UnparsedPiece(
                discord.group(2).strip(), "Discord message trailer, not part of the prompt"
            )
        )
    text = _DASH_FLAG.sub("--", _IMAGINE.sub("", text, count=1))
    flags = list(_FLAG.finditer(text))
    prompt_text = text[: flags[0].start()] if flags else text
    prompt, urls = _leading_image_urls(prompt_text)
    if urls:
        candidates["image_prompts"] = (urls, " ".join(urls))
    for index, match in enumerate(flags):
        end = flags[index + 1].start() if index + 1 < len(flags) else len(text)
        source = text[match.start() : end].strip()
        value_text = text[match.end() : end].strip()
        _read_flag(match.group(1), value_text, source, candidates, unparsed)
    return prompt, candidates, unparsed


def _leading_image_urls(prompt_text: str) -> tuple[str, list[str]]:
    words = prompt_text.split()
    urls: list[str] = []
    for word in words:
        match = _IMAGE_URL.match(word)
        if match is None:
            break
        urls.append(match.group(1))
    if not urls:
        return prompt_text.strip(), []
    rest = prompt_text.strip()
    for word in words[: len(urls)]:
        rest = rest[len(word) :].lstrip()
    return rest.strip(), urls


def _read_flag(
    name: str,
    value_text: str,
    source: str,
    candidates: dict[str, tuple[Any, str]],
    unparsed: list[UnparsedPiece],
) -> None:
    spec = MIDJOURNEY_FLAGS.get(name.lower())
    if spec is None:
        unparsed.append(
            UnparsedPiece(
                source,
                f"--{name} is not a Midjourney parameter Kiln knows; "
                "accepted: " + ", ".join(f"--{flag}" for flag in MIDJOURNEY_FLAGS),
            )
        )
        return
    param, arity, fixed = spec
    if param in candidates:
        unparsed.append(UnparsedPiece(source, f"--{name} repeats {param}; the first value is kept"))
        return
    tokens = value_text.split()
    value: Any
    if arity == NONE:
        value, rest = fixed, tokens
    elif arity == OPTIONAL:
        if tokens and re.fullmatch(r"\d+(\.\d+)?", tokens[0]):
            value, rest = tokens[0].removesuffix(".0"), tokens[1:]
        else:
            value, rest = fixed, tokens
    elif arity == ONE:
        if not tokens:
            unparsed.append(UnparsedPiece(source, f"--{name} needs a value"))
            return
        value, rest = tokens[0], tokens[1:]
        if param == "version" and re.fullmatch(r"\d{1,3}\.0", value):
            value = value[:-2]  # Midjourney reads "--v 6.0" as "--v 6"
    elif arity == WORDS:
        value = [term.strip() for term in value_text.split(",") if term.strip()]
        rest = []
        if not value:
            unparsed.append(UnparsedPiece(source, f"--{name} needs at least one term"))
            return
    else:
        value = [token.strip("<>") for token in tokens]
        rest = []
    if rest:
        extra = " ".join(rest)
        unparsed.append(
            UnparsedPiece(
                extra,
                f"text after --{name} that Midjourney would not "
                "read as its value or as a parameter",
            )
        )
        source = source[: len(source) - len(extra)].rstrip() if source.endswith(extra) else source
    candidates[param] = (value, source)


def _midjourney_value(value: Any) -> str:
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def format_midjourney(*, prompt: str, params: dict[str, Any]) -> str:
    """Write a Midjourney prompt line with its flags from validated ``params``."""
    parts = list(params.get("image_prompts", []))
    if prompt.strip():
        parts.append(prompt.strip())
    for param, flag in _MIDJOURNEY_OUTPUT_FLAG.items():
        if param not in params:
            continue
        value = params[param]
        if value is True:
            parts.append(f"--{flag}")
        elif value is False:
            continue
        elif param == "niji" and value == "default":
            parts.append("--niji")
        elif param == "no":
            parts.append(f"--no {', '.join(value)}")
        elif isinstance(value, list):
            parts.append(" ".join([f"--{flag}", *value]))
        else:
            parts.append(f"--{flag} {_midjourney_value(value)}")
    if "speed" in params:
        parts.append(f"--{params['speed']}")
    line = " ".join(parts)
    if _DISCORD_MESSAGE.match(line) or _IMAGINE.match(line):
        # The prompt itself starts like a Discord message or a command: spell the command out
        # so that reading it back does not strip part of the prompt.
        line = f"/imagine prompt: {line}"
    return line
