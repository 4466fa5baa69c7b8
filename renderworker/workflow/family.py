"""Telling the base model family from a graph — only from evidence, never from a guess.

Decisive evidence: nodes that exist for one family (CLIPTextEncodeSDXL; Flux/SD3 loaders and
samplers), a CLIP loader's ``type``, and explicit family markers in model file names. Latent
size is recorded as a hint but never decides: SD1.5 can render 1024² and SDXL 768².
"""

from __future__ import annotations

import re
from typing import Any

SUPPORTED_FAMILIES = frozenset({"sd15", "sdxl"})

_NODE_FAMILIES = {
    "CLIPTextEncodeSDXL": "sdxl",
    "CLIPTextEncodeSDXLRefiner": "sdxl",
    "FluxGuidance": "flux",
    "ModelSamplingFlux": "flux",
    "CLIPTextEncodeFlux": "flux",
    "ModelSamplingSD3": "sd3",
    "EmptySD3LatentImage": "sd3",
    "TripleCLIPLoader": "sd3",
    "CLIPTextEncodeSD3": "sd3",
    "EmptyHunyuanLatentVideo": "video",
    "EmptyLTXVLatentVideo": "video",
    "EmptyMochiLatentVideo": "video",
    "EmptyCosmosLatentVideo": "video",
    "WanImageToVideo": "video",
}
_CLIP_TYPE_FAMILIES = {
    "flux": "flux",
    "sd3": "sd3",
    "sdxl": "sdxl",
    "hunyuan_video": "video",
    "mochi": "video",
    "ltxv": "video",
    "cosmos": "video",
    "wan": "video",
    "stable_cascade": "other",
    "stable_audio": "other",
    "pixart": "other",
    "lumina2": "other",
    "hidream": "other",
    "chroma": "other",
    "ace": "other",
    "omnigen2": "other",
    "qwen_image": "other",
    "hunyuan_image": "other",
}
_NAME_MARKERS = (
    (re.compile(r"flux", re.IGNORECASE), "flux"),
    (re.compile(r"(^|[^a-z])sd3|stable[-_ ]?diffusion[-_ ]?3", re.IGNORECASE), "sd3"),
    (re.compile(r"(hunyuan[-_ ]?video|ltx[-_ ]?video|mochi|wan2|cosmos)", re.IGNORECASE), "video"),
    (
        re.compile(
            r"sd[-_ ]?xl|xl[-_ ]?base|xl[-_ ]?refiner|(?<=[a-z0-9])xl(?=[-_. v0-9]|$)",
            re.IGNORECASE,
        ),
        "sdxl",
    ),
    (re.compile(r"v1[-_.]5|sd[-_ ]?1[-_.]?5|(^|[^0-9])sd15", re.IGNORECASE), "sd15"),
)
_NAME_INPUTS = ("ckpt_name", "unet_name")


def detect_family(api: dict[str, Any]) -> tuple[str, list[str]]:
    """(family, evidence): sd15, sdxl, flux, sd3, video, other, or unknown when undecided."""
    found: dict[str, list[str]] = {}
    hints: list[str] = []

    def note(family: str, reason: str) -> None:
        found.setdefault(family, []).append(reason)

    for node_id, node in api.items():
        if not isinstance(node, dict):
            continue
        class_type = node.get("class_type")
        raw_inputs = node.get("inputs")
        inputs: dict[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
        if class_type in _NODE_FAMILIES:
            note(_NODE_FAMILIES[class_type], f"node {node_id} is {class_type}")
        if class_type in ("CLIPLoader", "DualCLIPLoader") and isinstance(inputs.get("type"), str):
            family = _CLIP_TYPE_FAMILIES.get(inputs["type"])
            if family is not None:
                note(
                    family,
                    f"node {node_id} ({class_type}) loads text encoders of type {inputs['type']!r}",
                )
        for name in _NAME_INPUTS:
            value = inputs.get(name)
            if isinstance(value, str):
                for pattern, family in _NAME_MARKERS:
                    if pattern.search(value):
                        note(
                            family, f"model file name {value!r} (node {node_id}) is marked {family}"
                        )
                        break
        if class_type == "EmptyLatentImage":
            width, height = inputs.get("width"), inputs.get("height")
            if isinstance(width, int) and isinstance(height, int) and width * height >= 1024 * 768:
                hints.append(
                    f"latent size {width}x{height} is typical of SDXL (a hint, not evidence)"
                )
    if not found:
        return "unknown", hints
    unsupported = [family for family in found if family not in SUPPORTED_FAMILIES]
    if unsupported:
        family = unsupported[0]
        return family, [*found[family], *hints]
    if len(found) > 1:
        evidence = [reason for reasons in found.values() for reason in reasons]
        return "unknown", [*evidence, "the evidence names more than one family", *hints]
    family, reasons = next(iter(found.items()))
    return family, reasons + hints
