"""LoRA parsing and merging (COMFY_FIDELITY §7).

Key formats: kohya (``lora_unet_*``, ``lora_te_*``, ``lora_te1_*``/``lora_te2_*`` with
``.lora_down``/``.lora_up``/``.alpha``; UNet names diffusers-style or LDM-style), diffusers/PEFT
(``unet.<module>.lora_A/lora_B``, ``text_encoder[_2].<module>...``) and the older diffusers
``.lora.down``/``.lora.up`` and attention-processor names. The merge is
``W' = W + Σ strength·(alpha/rank)·(up @ down)`` in float32 on a float32 copy of the pristine
weight, then cast to the storage dtype. Pristine weights are kept for every patched parameter,
so changing the LoRA set on a cached checkpoint restores them exactly without touching disk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import torch

from renderworker.engine.checkpoint import LoadedCheckpoint
from renderworker.engine.ldm_layout import canonical_clip_name, unet_module_to_ldm

UNET = "unet"

_PAIR_SUFFIXES = (
    (".lora_down.weight", "down"),
    (".lora_up.weight", "up"),
    (".lora_A.weight", "down"),
    (".lora_B.weight", "up"),
    (".lora.down.weight", "down"),
    (".lora.up.weight", "up"),
    (".alpha", "alpha"),
)


@dataclass(frozen=True)
class LoraPatch:
    """One low-rank update: ``target`` is "unet", "l" or "g"; ``parameter`` a weight name there."""

    target: str
    parameter: str
    down: torch.Tensor
    up: torch.Tensor
    alpha: float

    @property
    def rank(self) -> int:
        return int(self.down.shape[0])

    def delta(self, *, shape: torch.Size, strength: float, device: torch.device) -> torch.Tensor:
        """strength·(alpha/rank)·(up @ down) in float32, shaped like the weight."""
        product = self.up.to(device).float().flatten(1) @ self.down.to(device).float().flatten(1)
        return product.reshape(shape) * (strength * self.alpha / self.rank)


@dataclass(frozen=True)
class ParsedLora:
    identity: str
    patches: tuple[LoraPatch, ...]
    unmatched_keys: tuple[str, ...]  # keys Kiln did not apply: reported, never silently dropped


def _module_lookup(checkpoint: LoadedCheckpoint) -> dict[str, tuple[str, str]]:
    """Every name a LoRA may use for a weight → (target, parameter name)."""
    lookup: dict[str, tuple[str, str]] = {}
    unet = checkpoint.unet
    layers = int(unet.config.layers_per_block)  # type: ignore[attr-defined]
    with_attention = [str(kind).startswith("CrossAttn") for kind in unet.config.up_block_types]  # type: ignore[attr-defined]
    for name, parameter in unet.named_parameters():
        if not name.endswith(".weight") or parameter.ndim not in (2, 4):
            continue
        module = name[: -len(".weight")]
        entry = (UNET, name)
        lookup["lora_unet_" + module.replace(".", "_")] = entry
        lookup["unet." + module] = entry
        try:
            ldm = unet_module_to_ldm(
                name=module, layers_per_block=layers, up_blocks_with_attention=with_attention
            )
        except KeyError:
            continue
        lookup["lora_unet_" + ldm.replace(".", "_")] = entry
    sdxl = "g" in checkpoint.text_encoders
    for key, slot in checkpoint.text_encoders.items():
        kohya = ("lora_te1_" if key == "l" else "lora_te2_") if sdxl else "lora_te_"
        peft = "text_encoder." if key == "l" else "text_encoder_2."
        for name, parameter in slot.model.named_parameters():
            if not name.endswith(".weight") or parameter.ndim != 2:
                continue
            module = canonical_clip_name(name[: -len(".weight")])
            lookup[kohya + module.replace(".", "_")] = (key, name)
            lookup[peft + module] = (key, name)
    return lookup


def _normalise_processor_name(base: str) -> str:
    """Old diffusers attention-processor names → module names (``processor.to_q_lora`` → ``to_q``)."""
    base = re.sub(r"\.processor\.(to_[qkv])_lora$", r".\1", base)
    return re.sub(r"\.processor\.to_out_lora$", ".to_out.0", base)


def parse_lora(
    *, state_dict: Mapping[str, torch.Tensor], checkpoint: LoadedCheckpoint, identity: str
) -> ParsedLora:
    """Match a LoRA file's keys to the checkpoint's weights."""
    groups: dict[str, dict[str, torch.Tensor]] = {}
    keys_of: dict[str, list[str]] = {}
    unmatched: list[str] = []
    for key, value in state_dict.items():
        for suffix, role in _PAIR_SUFFIXES:
            if key.endswith(suffix):
                groups.setdefault(key[: -len(suffix)], {})[role] = value
                keys_of.setdefault(key[: -len(suffix)], []).append(key)
                break
        else:
            unmatched.append(key)  # DoRA scales, LoHa/LoKr factors, mids, biases: not merged
    lookup = _module_lookup(checkpoint)
    patches: list[LoraPatch] = []
    for base, parts in sorted(groups.items()):
        entry = lookup.get(_normalise_processor_name(base))
        if entry is None or "down" not in parts or "up" not in parts:
            unmatched.extend(keys_of[base])
            continue
        down, up = parts["down"], parts["up"]
        alpha = float(parts["alpha"].item()) if "alpha" in parts else float(down.shape[0])
        patches.append(
            LoraPatch(target=entry[0], parameter=entry[1], down=down, up=up, alpha=alpha)
        )
    return ParsedLora(
        identity=identity, patches=tuple(patches), unmatched_keys=tuple(sorted(unmatched))
    )


@dataclass
class WeightPatcher:
    """Applies LoRA sets to one module in place, restoring pristine weights between sets."""

    module: torch.nn.Module
    target: str
    pristine: dict[str, torch.Tensor] = field(default_factory=dict)
    applied: tuple[tuple[str, float], ...] = ()

    def ensure(self, *, loras: Sequence[tuple[ParsedLora, float]]) -> None:
        """Make the module hold pristine weights plus exactly ``loras`` (with their strengths)."""
        wanted = tuple((lora.identity, strength) for lora, strength in loras if strength != 0.0)
        if wanted == self.applied:
            return
        parameters = dict(self.module.named_parameters())
        with torch.no_grad():
            for name, original in self.pristine.items():
                parameters[name].copy_(original)
            sums: dict[str, torch.Tensor] = {}
            for lora, strength in loras:
                if strength == 0.0:
                    continue
                for patch in lora.patches:
                    if patch.target != self.target:
                        continue
                    weight = parameters[patch.parameter]
                    if patch.parameter not in sums:
                        if patch.parameter not in self.pristine:
                            self.pristine[patch.parameter] = weight.detach().clone()
                        sums[patch.parameter] = self.pristine[patch.parameter].float().clone()
                    sums[patch.parameter] += patch.delta(
                        shape=weight.shape, strength=strength, device=weight.device
                    )
            for name, merged in sums.items():
                parameters[name].copy_(merged.to(parameters[name].dtype))
        self.applied = wanted


def patcher_for(*, checkpoint: LoadedCheckpoint, target: str) -> WeightPatcher:
    """The (cached) patcher of one component of a loaded checkpoint."""
    key = f"patcher:{target}"
    patcher = checkpoint.patch_state.get(key)
    if patcher is None:
        module = checkpoint.unet if target == UNET else checkpoint.text_encoders[target].model
        patcher = WeightPatcher(module=module, target=target)
        checkpoint.patch_state[key] = patcher
    assert isinstance(patcher, WeightPatcher)
    return patcher
