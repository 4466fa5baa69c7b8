"""Control variants of a graph for verification (COMFY_FIDELITY §10).

A showcase proves a Blueprint only if it is clearly closer to the declared render than to
renders of nearby alternatives: the seed + 1, each LoRA's strengths ± 0.2, each LoRA removed,
and cfg ± 1. Each control is a plain-JSON copy of the API graph with one change. Pure Python.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

LORA_LOADERS = {"LoraLoader": ("strength_model", "strength_clip"), "LoraLoaderModelOnly": ("strength_model",)}
SEED_INPUTS = {"seed", "noise_seed"}
SEED_NODES = {"KSampler", "KSamplerAdvanced", "RandomNoise", "SamplerCustom"}
CFG_NODES = {"KSampler", "KSamplerAdvanced", "CFGGuider", "SamplerCustom"}
LORA_DELTA = 0.2
CFG_DELTA = 1.0
MAX_SEED = 2**64 - 1


@dataclass(frozen=True)
class Control:
    name: str  # stable key, e.g. "seed+1", "lora:12:strength+0.2"
    description: str
    graph: dict[str, Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _seed_control(graph: dict[str, Any]) -> Control | None:
    changed = copy.deepcopy(graph)
    touched = False
    for node in changed.values():
        if node.get("class_type") in SEED_NODES:
            inputs = node.get("inputs", {})
            for name in SEED_INPUTS & set(inputs):
                if isinstance(inputs[name], int) and not isinstance(inputs[name], bool):
                    inputs[name] = (inputs[name] + 1) % (MAX_SEED + 1)
                    touched = True
    return Control("seed+1", "every seed + 1", changed) if touched else None


def _cfg_controls(graph: dict[str, Any]) -> list[Control]:
    cfgs = [
        (node_id, float(node["inputs"]["cfg"]))
        for node_id, node in graph.items()
        if node.get("class_type") in CFG_NODES and _is_number(node.get("inputs", {}).get("cfg"))
    ]
    controls: list[Control] = []
    for delta, sign in ((CFG_DELTA, "+"), (-CFG_DELTA, "-")):
        # cfg below 1 is not a nearby alternative anyone would use.
        if not cfgs or any(cfg + delta < 1.0 for _, cfg in cfgs):
            continue
        changed = copy.deepcopy(graph)
        for node_id, cfg in cfgs:
            changed[node_id]["inputs"]["cfg"] = cfg + delta
        controls.append(Control(f"cfg{sign}1", f"cfg {sign}1 on every sampler", changed))
    return controls


def _without_node(graph: dict[str, Any], node_id: str, passthrough: dict[int, Any]) -> dict[str, Any]:
    """Drop a node, re-pointing links to its outputs at the inputs it passed through."""
    changed = copy.deepcopy(graph)
    del changed[node_id]
    for node in changed.values():
        for name, value in list(node.get("inputs", {}).items()):
            if isinstance(value, list) and len(value) == 2 and str(value[0]) == node_id:
                node["inputs"][name] = copy.deepcopy(passthrough[int(value[1])])
    return changed


def _lora_controls(graph: dict[str, Any]) -> list[Control]:
    controls: list[Control] = []
    for node_id, node in graph.items():
        strengths = LORA_LOADERS.get(node.get("class_type", ""))
        if strengths is None:
            continue
        inputs = node.get("inputs", {})
        label = inputs.get("lora_name", node_id)
        for delta, sign in ((LORA_DELTA, "+"), (-LORA_DELTA, "-")):
            changed = copy.deepcopy(graph)
            touched = [key for key in strengths if _is_number(inputs.get(key))]
            for key in touched:
                changed[node_id]["inputs"][key] = round(float(inputs[key]) + delta, 6)
            if touched:
                controls.append(Control(f"lora:{node_id}:strength{sign}{LORA_DELTA}", f"LoRA {label} strengths {sign}{LORA_DELTA}", changed))
        passthrough = {0: inputs.get("model")}
        if "clip" in inputs:
            passthrough[1] = inputs.get("clip")
        if all(isinstance(value, list) for value in passthrough.values()):
            controls.append(Control(f"lora:{node_id}:removed", f"LoRA {label} removed", _without_node(graph, node_id, passthrough)))
    return controls


def control_variants(graph: dict[str, Any]) -> list[Control]:
    """Every control variant of an API graph, in a stable order."""
    seed = _seed_control(graph)
    return ([seed] if seed else []) + _lora_controls(graph) + _cfg_controls(graph)
