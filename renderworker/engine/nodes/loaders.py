"""Loader nodes: checkpoints, VAEs, LoRAs, CLIPSetLastLayer."""

from __future__ import annotations

from renderworker.engine.nodes.spec import COMBO, FLOAT, INT, LINK, RunState, register
from renderworker.engine.values import ClipValue, ModelValue, VaeValue


@register("CheckpointLoaderSimple", inputs={"ckpt_name": COMBO()}, outputs=("MODEL", "CLIP", "VAE"))
def checkpoint_loader_simple(
    state: RunState, *, ckpt_name: str
) -> tuple[ModelValue, ClipValue, VaeValue]:
    checkpoint = state.resources.checkpoint(name=ckpt_name, profile=state.profile)
    vae = VaeValue(
        module=checkpoint.vae, dtype=state.profile.vae_dtype, device=state.profile.device
    )
    return ModelValue(checkpoint), ClipValue(checkpoint), vae


@register("VAELoader", inputs={"vae_name": COMBO()}, outputs=("VAE",))
def vae_loader(state: RunState, *, vae_name: str) -> tuple[VaeValue]:
    return (state.resources.vae(name=vae_name, profile=state.profile),)


def _report_unmatched(state: RunState, *, name: str, unmatched: tuple[str, ...]) -> None:
    if unmatched:
        shown = ", ".join(unmatched[:8]) + (" ..." if len(unmatched) > 8 else "")
        state.warn(f"LoRA {name!r}: {len(unmatched)} keys not loaded: {shown}")


@register(
    "LoraLoader",
    inputs={
        "model": LINK("MODEL"),
        "clip": LINK("CLIP"),
        "lora_name": COMBO(),
        "strength_model": FLOAT(1.0, -100.0, 100.0),
        "strength_clip": FLOAT(1.0, -100.0, 100.0),
    },
    outputs=("MODEL", "CLIP"),
)
def lora_loader(
    state: RunState,
    *,
    model: ModelValue,
    clip: ClipValue,
    lora_name: str,
    strength_model: float,
    strength_clip: float,
) -> tuple[ModelValue, ClipValue]:
    if strength_model == 0 and strength_clip == 0:
        return model, clip
    lora = state.resources.lora(name=lora_name, checkpoint=model.checkpoint)
    _report_unmatched(state, name=lora_name, unmatched=lora.unmatched_keys)
    new_model = ModelValue(model.checkpoint, (*model.loras, (lora, strength_model)))
    new_clip = ClipValue(clip.checkpoint, (*clip.loras, (lora, strength_clip)), clip.last_layer)
    return new_model, new_clip


@register(
    "LoraLoaderModelOnly",
    inputs={
        "model": LINK("MODEL"),
        "lora_name": COMBO(),
        "strength_model": FLOAT(1.0, -100.0, 100.0),
    },
    outputs=("MODEL",),
)
def lora_loader_model_only(
    state: RunState, *, model: ModelValue, lora_name: str, strength_model: float
) -> tuple[ModelValue]:
    if strength_model == 0:
        return (model,)
    lora = state.resources.lora(name=lora_name, checkpoint=model.checkpoint)
    unet_only = tuple(key for key in lora.unmatched_keys)
    _report_unmatched(state, name=lora_name, unmatched=unet_only)
    return (ModelValue(model.checkpoint, (*model.loras, (lora, strength_model))),)


@register(
    "CLIPSetLastLayer",
    inputs={"clip": LINK("CLIP"), "stop_at_clip_layer": INT(-1, -24, -1)},
    outputs=("CLIP",),
)
def clip_set_last_layer(
    state: RunState, *, clip: ClipValue, stop_at_clip_layer: int
) -> tuple[ClipValue]:
    return (clip.with_layer(stop_at_clip_layer),)
