"""Read and write Automatic1111 / Forge ``parameters`` text (PNG text chunk, EXIF UserComment).

The format (COMFY_FIDELITY §1): prompt lines, then a line starting ``Negative prompt:`` and the
negative prompt's lines, then one line of ``Key: value`` pairs separated by ``, `` where a value
holding ``,``, ``:`` or a newline is JSON-quoted. LoRAs live inside the prompt as
``<lora:name:weight>`` tags.

Nothing the parser meets is silently dropped: every pair lands in ``settings`` (known or not),
and whatever it cannot understand is listed in ``unparsed`` with the reason. Bad input only ever
raises :class:`A1111ParametersError` (a ``ValueError``). Written from the format's observable
behaviour; no code is taken from the Automatic1111 project.

Pure Python and Python 3.11-compatible: the render worker's image readers use it too.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

# A parameters block is a few KiB; this bounds the work done on hostile input (prompts in
# ComfyUI workflows are capped at 20 000 characters too).
MAX_PARAMETERS_LENGTH = 100_000
_MAX_KEY_LENGTH = 80

NEGATIVE_PREFIX = "Negative prompt:"

# A1111 sampler label -> ComfyUI sampler name (COMFY_FIDELITY §1; Forge labels included).
SAMPLER_TO_COMFY: dict[str, str] = {
    "Euler a": "euler_ancestral",
    "Euler": "euler",
    "LMS": "lms",
    "Heun": "heun",
    "DPM2": "dpm_2",
    "DPM2 a": "dpm_2_ancestral",
    "DPM++ 2S a": "dpmpp_2s_ancestral",
    "DPM++ 2M": "dpmpp_2m",
    "DPM++ SDE": "dpmpp_sde",
    "DPM++ 2M SDE": "dpmpp_2m_sde",
    "DPM++ 2M SDE Heun": "dpmpp_2m_sde_heun",
    "DPM++ 3M SDE": "dpmpp_3m_sde",
    "DPM fast": "dpm_fast",
    "DPM adaptive": "dpm_adaptive",
    "DDIM": "ddim",
    "DDPM": "ddpm",
    "UniPC": "uni_pc",
    "LCM": "lcm",
    "DEIS": "deis",
    "iPNDM": "ipndm",
    "iPNDM_v": "ipndm_v",
    "Euler CFG++": "euler_cfg_pp",
    "Euler a CFG++": "euler_ancestral_cfg_pp",
    "DPM++ 2M CFG++": "dpmpp_2m_cfg_pp",
}
# Real A1111 samplers that ComfyUI's KSampler has no equivalent for.
SAMPLERS_WITHOUT_COMFY_EQUIVALENT: tuple[str, ...] = ("Restart", "PLMS", "DDIM CFG++")

# A1111 "Schedule type" label -> ComfyUI scheduler. "Uniform" is the model's own discrete
# schedule spaced evenly in t, which is what ComfyUI calls "normal".
SCHEDULE_TO_COMFY: dict[str, str] = {
    "Uniform": "normal",
    "Normal": "normal",
    "Karras": "karras",
    "Exponential": "exponential",
    "SGM Uniform": "sgm_uniform",
    "Simple": "simple",
    "DDIM": "ddim_uniform",
    "Beta": "beta",
    "KL Optimal": "kl_optimal",
}
SCHEDULES_WITHOUT_COMFY_EQUIVALENT: tuple[str, ...] = (
    "Automatic",
    "Polyexponential",
    "Align Your Steps",
    "Align Your Steps GITS",
    "Align Your Steps 11",
    "Align Your Steps 32",
    "Turbo",
)
# Suffixes that old versions (before v1.9) glued onto the sampler name: "DPM++ 2M Karras".
_COMBINED_SCHEDULE_SUFFIXES: tuple[str, ...] = ("Karras", "Exponential", "SGM Uniform")

# Keys this module interprets; every other key is kept verbatim in ``settings`` only.
KNOWN_KEYS: tuple[str, ...] = (
    "Steps",
    "Sampler",
    "Schedule type",
    "CFG scale",
    "Distilled CFG Scale",
    "Seed",
    "Size",
    "Model hash",
    "Model",
    "VAE hash",
    "VAE",
    "Clip skip",
    "Denoising strength",
    "Hires upscale",
    "Hires steps",
    "Hires upscaler",
    "Hires resize",
    "Batch size",
    "Lora hashes",
    "TI hashes",
    "Hashes",
    "Version",
)

_LORA_TAG = re.compile(r"<(lora|lyco|hypernet):([^<>]*)>", re.IGNORECASE)
# "x", "X" or the multiplication sign some writers use.
_SIZE = re.compile("^\\s*(\\d{1,6})\\s*[xX\u00d7]\\s*(\\d{1,6})\\s*$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
# A JSON string as A1111 writes one: quotes, with backslash escapes inside.
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
# Longest unquoted JSON value (Civitai's resource lists) read as one value.
_MAX_JSON_VALUE_LENGTH = 20_000
_KEY = re.compile(r"^[A-Za-z0-9_][^,:\"\n]*$")


class A1111ParametersError(ValueError):
    """The input is not text this parser can even start on (wrong type, far too long)."""


@dataclass(frozen=True)
class UnparsedPiece:
    """A piece of the input the parser could not understand, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class LoraTag:
    """A ``<lora:...>`` tag from the prompt. ``te_weight`` is the text-encoder multiplier."""

    name: str
    unet_weight: float
    te_weight: float
    tag: str
    hash: str | None = None


@dataclass(frozen=True)
class HiresFix:
    """The second ("hires fix") pass, as far as the metadata describes it."""

    upscale_by: float | None
    width: int | None
    height: int | None
    upscaler: str | None
    steps: int | None
    denoise: float | None


@dataclass(frozen=True)
class ComfyLora:
    """A LoRA in the terms of ComfyUI's LoraLoader."""

    name: str
    strength_model: float
    strength_clip: float
    autov3: str | None

    def as_json(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "name": self.name,
            "strength_model": self.strength_model,
            "strength_clip": self.strength_clip,
            "autov3": self.autov3,
        }


@dataclass(frozen=True)
class ComfySettings:
    """A1111 settings restated in ComfyUI's terms (KSampler / loader input names).

    ``approximate`` is always true: A1111 draws its noise differently from ComfyUI, so such an
    image can be approached but not reproduced bit for bit. ``not_mapped`` names every settings
    key that ComfyUI's core nodes cannot express (ADetailer, variation seeds, ...), and
    ``assumptions`` says where a value was inferred rather than read.
    """

    seed: int | None
    steps: int | None
    cfg: float | None
    sampler_name: str | None
    scheduler: str | None
    denoise: float
    width: int | None
    height: int | None
    batch_size: int
    checkpoint_name: str | None
    checkpoint_hash: str | None
    checkpoint_hash_kind: str | None
    vae_name: str | None
    stop_at_clip_layer: int
    loras: tuple[ComfyLora, ...]
    hires: HiresFix | None
    not_mapped: tuple[str, ...]
    assumptions: tuple[str, ...]
    approximate: bool = True

    def as_json(self) -> dict[str, Any]:
        """Plain-JSON form, suitable for a JSONField and for the Blueprint analysis record."""
        hires = None
        if self.hires is not None:
            hires = {
                "upscale_by": self.hires.upscale_by,
                "width": self.hires.width,
                "height": self.hires.height,
                "upscaler": self.hires.upscaler,
                "steps": self.hires.steps,
                "denoise": self.hires.denoise,
            }
        return {
            "source": "automatic1111",
            "approximate": self.approximate,
            "seed": self.seed,
            "steps": self.steps,
            "cfg": self.cfg,
            "sampler_name": self.sampler_name,
            "scheduler": self.scheduler,
            "denoise": self.denoise,
            "width": self.width,
            "height": self.height,
            "batch_size": self.batch_size,
            "checkpoint": {
                "name": self.checkpoint_name,
                "hash": self.checkpoint_hash,
                "hash_kind": self.checkpoint_hash_kind,
            },
            "vae_name": self.vae_name,
            "stop_at_clip_layer": self.stop_at_clip_layer,
            "loras": [lora.as_json() for lora in self.loras],
            "hires": hires,
            "not_mapped": list(self.not_mapped),
            "assumptions": list(self.assumptions),
        }


@dataclass
class A1111Parameters:
    """Everything read from one ``parameters`` block.

    ``settings`` holds every ``Key: value`` pair of the settings line in order, quoted values
    already unquoted. The typed fields below are those of ``settings`` this module understands;
    a value it could not read stays in ``settings`` and is also listed in ``unparsed_details``.
    """

    prompt: str = ""
    negative_prompt: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    loras: list[LoraTag] = field(default_factory=list)
    hypernetworks: list[str] = field(default_factory=list)
    lora_hashes: dict[str, str] = field(default_factory=dict)
    ti_hashes: dict[str, str] = field(default_factory=dict)
    steps: int | None = None
    sampler: str | None = None
    schedule_type: str | None = None
    comfy_sampler: str | None = None
    comfy_scheduler: str | None = None
    cfg_scale: float | None = None
    seed: int | None = None
    width: int | None = None
    height: int | None = None
    model_hash: str | None = None
    model_name: str | None = None
    vae_name: str | None = None
    clip_skip: int | None = None
    denoising_strength: float | None = None
    batch_size: int | None = None
    hires: HiresFix | None = None
    version: str | None = None
    unparsed_details: list[UnparsedPiece] = field(default_factory=list)

    @property
    def unparsed(self) -> list[str]:
        """The raw pieces that could not be understood (reasons in ``unparsed_details``)."""
        return [piece.text for piece in self.unparsed_details]

    @property
    def sampler_was_combined(self) -> bool:
        """True when the image was written by a version that glued the schedule to the name."""
        raw = self.settings.get("Sampler")
        return raw is not None and split_sampler_name(raw)[1] is not None

    def to_comfy_settings(self) -> ComfySettings:
        """Restate these settings in ComfyUI's terms (see :class:`ComfySettings`)."""
        return _to_comfy_settings(self)


# --------------------------------------------------------------------------------------------
# Parsing


def parse_a1111_parameters(text: str) -> A1111Parameters:
    """Parse an A1111/Forge ``parameters`` block; never drops what it cannot read.

    Raises :class:`A1111ParametersError` only when ``text`` is not a string or is longer than
    ``MAX_PARAMETERS_LENGTH`` characters; any other oddity is reported in ``unparsed_details``.
    """
    if not isinstance(text, str):
        raise A1111ParametersError(
            f"parameters: expected text, got {type(text).__name__}; accepted: a string"
        )
    if len(text) > MAX_PARAMETERS_LENGTH:
        raise A1111ParametersError(
            f"parameters: {len(text)} characters is too long; accepted: at most "
            f"{MAX_PARAMETERS_LENGTH} characters"
        )
    result = A1111Parameters()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    settings_line = lines[-1] if lines else ""
    pairs, problems = split_settings_line(settings_line)
    if looks_like_settings_line(pairs, problems):
        lines = lines[:-1]
        for key, value in pairs:
            if key in result.settings:
                result.unparsed_details.append(
                    UnparsedPiece(
                        f"{key}: {value}", f"duplicate key {key!r}; the first value is kept"
                    )
                )
                continue
            result.settings[key] = value
        result.unparsed_details.extend(problems)
    _split_prompts(lines, result)
    _read_lora_tags(result)
    _interpret_settings(result)
    return result


def looks_like_settings_line(
    pairs: list[tuple[str, str]], problems: list[UnparsedPiece] | None = None
) -> bool:
    """Whether a line split by :func:`split_settings_line` is the settings line.

    Writers emit at least three pairs, one of them a key every writer has; a shorter line
    counts only when it is nothing but pairs of keys this module knows (a sparse line written
    by :func:`format_a1111_parameters`), so that a prompt line like "style: noir" stays prompt.
    """
    keys = {key for key, _ in pairs}
    if len(pairs) >= 3 and keys & {"Steps", "Sampler", "Seed", "CFG scale", "Size"}:
        return True
    return bool(pairs) and not problems and keys <= set(KNOWN_KEYS)


def _split_prompts(lines: list[str], result: A1111Parameters) -> None:
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    in_negative = False
    for line in lines:
        if not in_negative and line.lstrip().startswith(NEGATIVE_PREFIX):
            in_negative = True
            negative_lines.append(line.lstrip()[len(NEGATIVE_PREFIX) :].lstrip(" "))
        elif in_negative:
            negative_lines.append(line)
        else:
            prompt_lines.append(line)
    result.prompt = "\n".join(prompt_lines).strip()
    result.negative_prompt = "\n".join(negative_lines).strip()


def split_settings_line(line: str) -> tuple[list[tuple[str, str]], list[UnparsedPiece]]:
    """Split ``Key: value, Key: "quoted, value", ...`` into pairs and the pieces that do not fit."""
    pairs: list[tuple[str, str]] = []
    problems: list[UnparsedPiece] = []
    position = 0
    length = len(line)
    while position < length:
        while position < length and line[position] in " ,":
            position += 1
        if position >= length:
            break
        colon = line.find(":", position)
        comma = line.find(",", position)
        if colon == -1 or (comma != -1 and comma < colon):
            end = length if comma == -1 else comma
            fragment = line[position:end].strip()
            problems.append(UnparsedPiece(fragment, "not a 'Key: value' pair"))
            position = end + 1
            continue
        key = line[position:colon].strip()
        value_start = colon + 1
        while value_start < length and line[value_start] == " ":
            value_start += 1
        value, end, problem = _read_value(line, value_start)
        if problem is not None:
            problems.append(UnparsedPiece(line[position:end].strip(), problem))
        elif not _KEY.match(key) or len(key) > _MAX_KEY_LENGTH:
            problems.append(
                UnparsedPiece(line[position:end].strip(), f"{key!r} is not a setting name")
            )
        else:
            pairs.append((key, value))
        position = end + 1
    return pairs, problems


def _read_value(line: str, start: int) -> tuple[str, int, str | None]:
    """Read one value from ``start``; return it, the index of the separating comma, a problem."""
    if start < len(line) and line[start] == '"':
        return _read_quoted_value(line, start)
    if start < len(line) and line[start] in "[{":
        # Civitai writes unquoted JSON ("Civitai resources: [...]"): keep its text. The window
        # bounds the work per value, so hostile lines of many "[" stay linear.
        window = line[start : start + _MAX_JSON_VALUE_LENGTH]
        try:
            _, length = json.JSONDecoder().raw_decode(window)
        except (ValueError, RecursionError):
            length = -1
        if length != -1:
            after = start + length
            rest_end = line.find(",", after)
            rest_end = len(line) if rest_end == -1 else rest_end
            if not line[after:rest_end].strip():
                return line[start:after], rest_end, None
    comma = line.find(",", start)
    end = len(line) if comma == -1 else comma
    return line[start:end].strip(), end, None


def _read_quoted_value(line: str, start: int) -> tuple[str, int, str | None]:
    match = _QUOTED.match(line, start)
    decoded: object = None
    if match is not None:
        try:
            decoded = json.loads(match.group(0))
        except ValueError:
            decoded = None
    if match is not None and isinstance(decoded, str):
        rest_end = line.find(",", match.end())
        rest_end = len(line) if rest_end == -1 else rest_end
        if not line[match.end() : rest_end].strip():
            return decoded, rest_end, None
    # An unterminated or malformed quote: the rest of the line cannot be split safely.
    return line[start:], len(line), "malformed quoted value"


def _read_lora_tags(result: A1111Parameters) -> None:
    for match in _LORA_TAG.finditer(result.prompt):
        kind = match.group(1).lower()
        tag = match.group(0)
        if kind == "hypernet":
            # Understood, but ComfyUI's core nodes cannot load it: listed in not_mapped.
            result.hypernetworks.append(tag)
            continue
        lora = _parse_lora_tag(match.group(2), tag)
        if lora is None:
            result.unparsed_details.append(
                UnparsedPiece(
                    tag,
                    "LoRA tag must be <lora:name>, <lora:name:weight> or "
                    "<lora:name:te_weight:unet_weight> with numeric weights",
                )
            )
        else:
            result.loras.append(lora)


def parse_lora_tags(prompt: str) -> list[LoraTag]:
    """The well-formed ``<lora:...>``/``<lyco:...>`` tags of a prompt, in order."""
    found = []
    for match in _LORA_TAG.finditer(prompt):
        if match.group(1).lower() != "hypernet":
            lora = _parse_lora_tag(match.group(2), match.group(0))
            if lora is not None:
                found.append(lora)
    return found


def _parse_lora_tag(body: str, tag: str) -> LoraTag | None:
    # A1111's order: name, text-encoder multiplier, UNet multiplier (the UNet one defaults to
    # the text-encoder one); "te=", "unet=" named forms override; "dyn=" is ignored here.
    parts = body.split(":")
    name = parts[0].strip()
    if not name:
        return None
    positional: list[float] = []
    named: dict[str, float] = {}
    for part in parts[1:]:
        part = part.strip()
        if "=" in part:
            key, _, raw = part.partition("=")
            number = _finite_float(raw)
            if number is None or key.strip() not in {"te", "unet", "dyn"}:
                return None
            named[key.strip()] = number
        else:
            number = _finite_float(part)
            if number is None:
                return None
            positional.append(number)
    if len(positional) > 3:
        return None
    te_weight = positional[0] if positional else 1.0
    te_weight = named.get("te", te_weight)
    unet_weight = positional[1] if len(positional) > 1 else te_weight
    unet_weight = named.get("unet", unet_weight)
    return LoraTag(name=name, unet_weight=unet_weight, te_weight=te_weight, tag=tag)


def _finite_float(raw: str) -> float | None:
    try:
        number = float(raw.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _int(raw: str) -> int | None:
    text = raw.strip()
    if not re.fullmatch(r"-?\d{1,30}", text):
        return None
    return int(text)


def _interpret_settings(result: A1111Parameters) -> None:
    settings = result.settings

    def bad(key: str, accepted: str) -> None:
        result.unparsed_details.append(
            UnparsedPiece(f"{key}: {settings[key]}", f"{key}: {settings[key]!r} is not {accepted}")
        )

    if "Steps" in settings:
        result.steps = _int(settings["Steps"])
        if result.steps is None or result.steps < 1:
            result.steps = None
            bad("Steps", "a whole number of at least 1")
    if "CFG scale" in settings:
        result.cfg_scale = _finite_float(settings["CFG scale"])
        if result.cfg_scale is None:
            bad("CFG scale", "a number")
    if "Seed" in settings:
        result.seed = _int(settings["Seed"])
        if result.seed is None or not 0 <= result.seed < 2**64:
            result.seed = None
            bad("Seed", "a whole number from 0 to 2**64-1")
    if "Size" in settings:
        size = parse_size(settings["Size"])
        if size is None:
            bad("Size", "WIDTHxHEIGHT such as 512x768")
        else:
            result.width, result.height = size
    if "Clip skip" in settings:
        result.clip_skip = _int(settings["Clip skip"])
        if result.clip_skip is None or not 1 <= result.clip_skip <= 24:
            result.clip_skip = None
            bad("Clip skip", "a whole number from 1 to 24")
    if "Denoising strength" in settings:
        result.denoising_strength = _finite_float(settings["Denoising strength"])
        if result.denoising_strength is None or not 0 <= result.denoising_strength <= 1:
            result.denoising_strength = None
            bad("Denoising strength", "a number from 0 to 1")
    if "Batch size" in settings:
        result.batch_size = _int(settings["Batch size"])
        if result.batch_size is None or result.batch_size < 1:
            result.batch_size = None
            bad("Batch size", "a whole number of at least 1")
    for key, attribute in (("Model hash", "model_hash"),):
        if key in settings:
            value = settings[key].strip()
            if _HEX.match(value) and len(value) in (8, 10, 12, 64):
                setattr(result, attribute, value.lower())
            else:
                bad(key, "8, 10, 12 or 64 hexadecimal digits")
    result.model_name = settings.get("Model") or None
    result.vae_name = settings.get("VAE") or None
    result.version = settings.get("Version") or None
    _interpret_sampler(result)
    _interpret_hashes(result)
    _interpret_hires(result)


def _interpret_sampler(result: A1111Parameters) -> None:
    settings = result.settings
    raw_sampler = settings.get("Sampler")
    raw_schedule = settings.get("Schedule type")
    schedule_from_name: str | None = None
    if raw_sampler is not None:
        sampler, schedule_from_name = split_sampler_name(raw_sampler)
        result.sampler = sampler
        known = _lookup(sampler, SAMPLER_TO_COMFY)
        if known is not None:
            result.sampler = known
            result.comfy_sampler = SAMPLER_TO_COMFY[known]
        else:
            without = _lookup(sampler, dict.fromkeys(SAMPLERS_WITHOUT_COMFY_EQUIVALENT, ""))
            if without is not None:
                # Understood, only not expressible in ComfyUI: ComfySettings.not_mapped says so.
                result.sampler = without
            else:
                result.unparsed_details.append(
                    UnparsedPiece(
                        f"Sampler: {raw_sampler}",
                        f"Sampler: {raw_sampler!r} is not a known A1111 sampler; accepted: "
                        + ", ".join((*SAMPLER_TO_COMFY, *SAMPLERS_WITHOUT_COMFY_EQUIVALENT)),
                    )
                )
    schedule = raw_schedule if raw_schedule is not None else schedule_from_name
    if schedule is not None:
        known_schedule = _lookup(schedule, SCHEDULE_TO_COMFY)
        if known_schedule is not None:
            result.schedule_type = known_schedule
            result.comfy_scheduler = SCHEDULE_TO_COMFY[known_schedule]
        else:
            result.schedule_type = schedule.strip()
            without = _lookup(schedule, dict.fromkeys(SCHEDULES_WITHOUT_COMFY_EQUIVALENT, ""))
            if without is not None:
                result.schedule_type = without
            else:
                result.unparsed_details.append(
                    UnparsedPiece(
                        f"Schedule type: {schedule}",
                        f"Schedule type: {schedule!r} is not a known A1111 schedule; accepted: "
                        + ", ".join((*SCHEDULE_TO_COMFY, *SCHEDULES_WITHOUT_COMFY_EQUIVALENT)),
                    )
                )


def split_sampler_name(raw: str) -> tuple[str, str | None]:
    """Split an old combined name (``DPM++ 2M Karras``) into sampler and schedule labels."""
    name = raw.strip()
    for suffix in _COMBINED_SCHEDULE_SUFFIXES:
        if name.lower().endswith(" " + suffix.lower()):
            base = name[: -len(suffix)].strip()
            if _lookup(base, SAMPLER_TO_COMFY) is not None:
                return _lookup(base, SAMPLER_TO_COMFY) or base, suffix
    return name, None


def _lookup(label: str, table: dict[str, Any]) -> str | None:
    """The table's spelling of ``label``, compared without regard to case or outer spaces."""
    wanted = label.strip().lower()
    for key in table:
        if key.lower() == wanted:
            return key
    return None


def _parse_hash_list(raw: str) -> dict[str, str] | None:
    """``"name: hash, name2: hash"`` (the format of ``Lora hashes`` and ``TI hashes``)."""
    found: dict[str, str] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        name, separator, value = item.rpartition(":")
        if not separator or not name.strip() or not _HEX.match(value.strip()):
            return None
        found[name.strip()] = value.strip().lower()
    return found


def _interpret_hashes(result: A1111Parameters) -> None:
    settings = result.settings
    for key, target in (("Lora hashes", result.lora_hashes), ("TI hashes", result.ti_hashes)):
        if key in settings:
            parsed = _parse_hash_list(settings[key])
            if parsed is None:
                result.unparsed_details.append(
                    UnparsedPiece(
                        f"{key}: {settings[key]}",
                        f"{key}: expected 'name: hexhash' items separated by commas",
                    )
                )
            else:
                target.update(parsed)
    if "Hashes" in settings:
        _interpret_civitai_hashes(result, settings["Hashes"])
    if result.lora_hashes:
        result.loras = [
            LoraTag(
                name=lora.name,
                unet_weight=lora.unet_weight,
                te_weight=lora.te_weight,
                tag=lora.tag,
                hash=result.lora_hashes.get(lora.name),
            )
            for lora in result.loras
        ]


def _interpret_civitai_hashes(result: A1111Parameters, raw: str) -> None:
    # Civitai's extension writes {"model": "<autov2>", "lora:<name>": "<hash>", "embed:<n>": ...}.
    try:
        decoded = json.loads(raw)
    except (ValueError, RecursionError):
        decoded = None
    if not isinstance(decoded, dict) or not all(
        isinstance(value, str) and _HEX.match(value) for value in decoded.values()
    ):
        result.unparsed_details.append(
            UnparsedPiece(f"Hashes: {raw}", "Hashes: expected a JSON object of hexadecimal hashes")
        )
        return
    for key, value in decoded.items():
        if key == "model" and result.model_hash is None:
            result.model_hash = value.lower()
        elif key.startswith("lora:"):
            result.lora_hashes.setdefault(key[len("lora:") :], value.lower())
        elif key.startswith("embed:"):
            result.ti_hashes.setdefault(key[len("embed:") :], value.lower())


def _interpret_hires(result: A1111Parameters) -> None:
    settings = result.settings
    if not any(key.startswith("Hires ") for key in settings):
        return
    upscale_by = None
    if "Hires upscale" in settings:
        upscale_by = _finite_float(settings["Hires upscale"])
        if upscale_by is None or upscale_by <= 0:
            upscale_by = None
            result.unparsed_details.append(
                UnparsedPiece(
                    f"Hires upscale: {settings['Hires upscale']}",
                    "Hires upscale: expected a positive number",
                )
            )
    width = height = None
    if "Hires resize" in settings:
        size = parse_size(settings["Hires resize"])
        if size is None:
            result.unparsed_details.append(
                UnparsedPiece(
                    f"Hires resize: {settings['Hires resize']}",
                    "Hires resize: expected WIDTHxHEIGHT such as 1024x1536",
                )
            )
        else:
            width, height = size
    elif upscale_by is not None and result.width is not None and result.height is not None:
        # A1111 truncates the scaled size to whole pixels.
        width, height = int(result.width * upscale_by), int(result.height * upscale_by)
    steps = None
    if "Hires steps" in settings:
        steps = _int(settings["Hires steps"])
        if steps is None or steps < 0:
            steps = None
            result.unparsed_details.append(
                UnparsedPiece(
                    f"Hires steps: {settings['Hires steps']}",
                    "Hires steps: expected a whole number of at least 0",
                )
            )
    result.hires = HiresFix(
        upscale_by=upscale_by,
        width=width,
        height=height,
        upscaler=settings.get("Hires upscaler") or None,
        steps=steps,
        denoise=result.denoising_strength,
    )


def parse_size(raw: str) -> tuple[int, int] | None:
    """``"512x768"`` -> ``(512, 768)``; ``None`` unless both sides are positive integers."""
    match = _SIZE.match(raw)
    if match is None:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    if width < 1 or height < 1:
        return None
    return width, height


# --------------------------------------------------------------------------------------------
# ComfyUI terms

# Since v1.9 A1111 writes no "Schedule type" when the sampler's own default was used; those
# defaults are Karras for this family and the model's uniform schedule otherwise.
_KARRAS_BY_DEFAULT = frozenset({"DPM2", "DPM2 a", "DPM++ 2S a", "DPM++ 2M", "DPM++ SDE"})
_EXPONENTIAL_BY_DEFAULT = frozenset({"DPM++ 2M SDE", "DPM++ 2M SDE Heun", "DPM++ 3M SDE"})


def _version_at_least_1_9(version: str | None) -> bool | None:
    if not version:
        return None
    match = re.search(r"v(\d+)\.(\d+)", version)
    if match is None:
        return None
    return (int(match.group(1)), int(match.group(2))) >= (1, 9)


def _default_scheduler(result: A1111Parameters, assumptions: list[str]) -> str | None:
    if result.comfy_scheduler is not None or result.sampler is None:
        return result.comfy_scheduler
    if result.comfy_sampler is None or result.schedule_type not in (None, "Automatic"):
        # A recorded schedule ComfyUI lacks (Align Your Steps, ...) is reported in not_mapped,
        # never replaced by a guess.
        return None
    recent = _version_at_least_1_9(result.version)
    if recent and result.sampler in _KARRAS_BY_DEFAULT:
        assumptions.append(f"scheduler: karras, the default of {result.sampler} since A1111 v1.9")
        return "karras"
    if recent and result.sampler in _EXPONENTIAL_BY_DEFAULT:
        assumptions.append(
            f"scheduler: exponential, the default of {result.sampler} since A1111 v1.9"
        )
        return "exponential"
    assumptions.append("scheduler: normal, as no schedule type (or Automatic) was recorded")
    return "normal"


def _to_comfy_settings(result: A1111Parameters) -> ComfySettings:
    assumptions: list[str] = []
    scheduler = _default_scheduler(result, assumptions)
    # With a hires pass, "Denoising strength" belongs to that pass; the first pass is txt2img.
    denoise = 1.0
    if result.hires is None and result.denoising_strength is not None:
        denoise = result.denoising_strength
    hash_kind = None
    if result.model_hash is not None:
        hash_kind = {8: "autov1", 10: "autov2", 12: "autov3", 64: "sha256"}[len(result.model_hash)]
    stop_at = -(result.clip_skip or 1)
    if result.clip_skip is None:
        assumptions.append("stop_at_clip_layer: -1, as no clip skip was recorded")
    loras = tuple(
        ComfyLora(
            name=lora.name,
            strength_model=lora.unet_weight,
            strength_clip=lora.te_weight,
            autov3=lora.hash,
        )
        for lora in result.loras
    )
    mapped = {
        "Steps",
        "Sampler",
        "Schedule type",
        "CFG scale",
        "Seed",
        "Size",
        "Model hash",
        "Model",
        "VAE",
        "Clip skip",
        "Denoising strength",
        "Hires upscale",
        "Hires steps",
        "Hires upscaler",
        "Hires resize",
        "Batch size",
        "Lora hashes",
        "Hashes",
        "Version",
        "VAE hash",
    }
    not_mapped_keys = [key for key in result.settings if key not in mapped]
    if result.sampler is not None and result.comfy_sampler is None:
        not_mapped_keys.append("Sampler")
    if result.schedule_type not in (None, "Automatic") and result.comfy_scheduler is None:
        not_mapped_keys.append("Schedule type")
    not_mapped = tuple(dict.fromkeys(not_mapped_keys + result.hypernetworks))
    return ComfySettings(
        seed=result.seed,
        steps=result.steps,
        cfg=result.cfg_scale,
        sampler_name=result.comfy_sampler,
        scheduler=scheduler,
        denoise=denoise,
        width=result.width,
        height=result.height,
        batch_size=result.batch_size or 1,
        checkpoint_name=result.model_name,
        checkpoint_hash=result.model_hash,
        checkpoint_hash_kind=hash_kind,
        vae_name=result.vae_name,
        stop_at_clip_layer=stop_at,
        loras=loras,
        hires=result.hires,
        not_mapped=not_mapped,
        assumptions=tuple(assumptions),
    )


# --------------------------------------------------------------------------------------------
# Writing


def quote_value(value: str) -> str:
    """Quote a settings value the way A1111 does: JSON when it holds ``,``, ``:`` or newlines."""
    # "\r" too: the reader treats a lone carriage return as a line break.
    if any(character in value for character in ',:\n\r"') or value != value.strip():
        return json.dumps(value, ensure_ascii=False)
    return value


def format_a1111_parameters(*, prompt: str, negative_prompt: str, settings: dict[str, str]) -> str:
    """Write a ``parameters`` block that :func:`parse_a1111_parameters` reads back the same."""
    lines = [prompt.strip()] if prompt.strip() else []
    if negative_prompt.strip():
        lines.append(f"{NEGATIVE_PREFIX} {negative_prompt.strip()}")
    elif (
        not settings
        and lines
        and looks_like_settings_line(*split_settings_line(lines[-1].split("\n")[-1]))
    ):
        # Without settings the prompt's own last line would be read back as the settings line;
        # an empty negative prompt line keeps it in the prompt.
        lines.append(NEGATIVE_PREFIX)
    if settings:
        lines.append(", ".join(f"{key}: {quote_value(value)}" for key, value in settings.items()))
    return "\n".join(lines)
