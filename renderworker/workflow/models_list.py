"""Filling a UI workflow's ``models[]`` so ComfyUI can tell a buyer what to download where."""

from __future__ import annotations

import copy
import re
from typing import Any

from .json_text import check_json_shape
from .problems import Problem, WorkflowError, describe_value

# Resource kind (analysis) -> ComfyUI models/ sub-folder.
MODEL_DIRECTORIES = {
    "checkpoint": "checkpoints",
    "unet": "diffusion_models",
    "vae": "vae",
    "lora": "loras",
    "embedding": "embeddings",
    "upscaler": "upscale_models",
    "controlnet": "controlnet",
    "clip": "text_encoders",
}
ACCEPTED_DIRECTORIES = frozenset(MODEL_DIRECTORIES.values()) | {
    "clip",
    "unet",
    "clip_vision",
    "style_models",
    "gligen",
    "hypernetworks",
    "configs",
}
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def fill_models_list(ui: dict[str, Any], models: list[dict[str, Any]]) -> dict[str, Any]:
    """A deep copy of ``ui`` whose ``models`` lists each model: name, url (when known),
    hash (SHA-256, lower-case hex), hash_type "SHA256" and directory.

    Each entry of ``models`` needs ``name``, ``hash`` (64 hex digits) and ``directory`` (a
    ComfyUI model folder such as "checkpoints" or "loras"); ``url`` is optional. Duplicates
    (same directory and name) are listed once. Bad entries raise :class:`WorkflowError`.
    """
    if not isinstance(ui, dict) or not isinstance(ui.get("nodes"), list):
        raise WorkflowError.single(
            "not_a_workflow",
            "fill_models_list() needs a UI workflow (an object with a 'nodes' list).",
            field="workflow",
        )
    if not isinstance(models, list):
        raise WorkflowError.single(
            "bad_models_list",
            f"models must be a list of objects; got {type(models).__name__}.",
            field="models",
        )
    check_json_shape(ui, where="The workflow")
    check_json_shape(models, where="The models list")
    problems: list[Problem] = []
    filled: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, model in enumerate(models):
        where = f"models[{index}]"
        if not isinstance(model, dict):
            problems.append(
                Problem(
                    "bad_models_list",
                    f"{where} must be an object; got {type(model).__name__}.",
                    field=where,
                )
            )
            continue
        name, digest, directory, url = (
            model.get("name"),
            model.get("hash"),
            model.get("directory"),
            model.get("url"),
        )
        if not isinstance(name, str) or not name.strip() or "\x00" in name:
            problems.append(
                Problem(
                    "bad_models_list",
                    f"{where}.name must be the model's file name; got {describe_value(name)}.",
                    field=f"{where}.name",
                )
            )
            continue
        if not isinstance(digest, str) or not _SHA256.match(digest):
            problems.append(
                Problem(
                    "bad_models_list",
                    f"{where}.hash must be a SHA-256 of 64 hex digits; got "
                    f"{describe_value(digest)}.",
                    field=f"{where}.hash",
                )
            )
            continue
        if directory not in ACCEPTED_DIRECTORIES:
            problems.append(
                Problem(
                    "bad_models_list",
                    f"{where}.directory is {describe_value(directory)}; accepted: "
                    f"{', '.join(sorted(ACCEPTED_DIRECTORIES))}.",
                    field=f"{where}.directory",
                )
            )
            continue
        if url is not None and (
            not isinstance(url, str) or not url.startswith(("https://", "http://"))
        ):
            problems.append(
                Problem(
                    "bad_models_list",
                    f"{where}.url must be an http(s) URL or absent; got {describe_value(url)}.",
                    field=f"{where}.url",
                )
            )
            continue
        key = (directory, name)
        if key in seen:
            continue
        seen.add(key)
        entry: dict[str, Any] = {"name": name}
        if url:
            entry["url"] = url
        entry.update({"hash": digest.lower(), "hash_type": "SHA256", "directory": directory})
        filled.append(entry)
    if problems:
        raise WorkflowError(problems)
    result = copy.deepcopy(ui)
    result["models"] = filled
    return result
