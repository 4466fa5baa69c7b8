"""Text encoding and conditioning nodes."""

from __future__ import annotations

import torch

from renderworker.engine.checkpoint import TextEncoderSlot
from renderworker.engine.errors import NodeInputError
from renderworker.engine.families import SDXL
from renderworker.engine.lora import patcher_for
from renderworker.engine.nodes.spec import INT, LINK, STRING, RunState, register
from renderworker.engine.text_encoding import EncodedText, encode_windows
from renderworker.engine.tokens import WindowToken, build_windows, segment_tokens
from renderworker.engine.values import ClipValue, Conditioning, ConditioningEntry

MAX_RESOLUTION = 16384


def _windows(state: RunState, *, slot: TextEncoderSlot, text: str) -> list[list[WindowToken]]:
    groups = segment_tokens(
        text=text,
        tokenizer=slot.tokenizer,
        embeddings=lambda name: state.resources.embedding(name=name, encoder=slot.key),
    )
    return build_windows(groups=groups, bos=slot.bos_token, eos=slot.eos_token, pad=slot.pad_token)


def _layer(clip: ClipValue, slot: TextEncoderSlot) -> int | None:
    return slot.default_layer if clip.last_layer is None else clip.last_layer


def _prepare(clip: ClipValue) -> None:
    for key in clip.checkpoint.text_encoders:
        patcher_for(checkpoint=clip.checkpoint, target=key).ensure(loras=clip.loras)


def encode_text(
    state: RunState, *, clip: ClipValue, text_l: str, text_g: str | None = None
) -> EncodedText:
    """Encode a prompt with every text encoder of the checkpoint (SDXL: CLIP-L ⧺ CLIP-G)."""
    _prepare(clip)
    encoders = clip.checkpoint.text_encoders
    if clip.checkpoint.family.name != SDXL:
        slot = encoders["l"]
        return encode_windows(
            slot=slot, windows=_windows(state, slot=slot, text=text_l), layer=_layer(clip, slot)
        )
    windows_l = _windows(state, slot=encoders["l"], text=text_l)
    windows_g = _windows(state, slot=encoders["g"], text=text_l if text_g is None else text_g)
    # Unequal window counts are padded with empty-prompt windows (CLIPTextEncodeSDXL).
    while len(windows_l) < len(windows_g):
        windows_l += _windows(state, slot=encoders["l"], text="")
    while len(windows_g) < len(windows_l):
        windows_g += _windows(state, slot=encoders["g"], text="")
    encoded_l = encode_windows(
        slot=encoders["l"], windows=windows_l, layer=_layer(clip, encoders["l"])
    )
    encoded_g = encode_windows(
        slot=encoders["g"], windows=windows_g, layer=_layer(clip, encoders["g"])
    )
    length = min(encoded_l.cond.shape[1], encoded_g.cond.shape[1])
    cond = torch.cat([encoded_l.cond[:, :length], encoded_g.cond[:, :length]], dim=-1)
    return EncodedText(cond=cond, pooled=encoded_g.pooled)


@register(
    "CLIPTextEncode", inputs={"text": STRING(), "clip": LINK("CLIP")}, outputs=("CONDITIONING",)
)
def clip_text_encode(state: RunState, *, text: str, clip: ClipValue) -> tuple[Conditioning]:
    encoded = encode_text(state, clip=clip, text_l=text)
    return ((ConditioningEntry(encoded.cond.cpu(), encoded.pooled.cpu()),),)


@register(
    "CLIPTextEncodeSDXL",
    inputs={
        "clip": LINK("CLIP"),
        "width": INT(1024, 0, MAX_RESOLUTION),
        "height": INT(1024, 0, MAX_RESOLUTION),
        "crop_w": INT(0, 0, MAX_RESOLUTION),
        "crop_h": INT(0, 0, MAX_RESOLUTION),
        "target_width": INT(1024, 0, MAX_RESOLUTION),
        "target_height": INT(1024, 0, MAX_RESOLUTION),
        "text_g": STRING(),
        "text_l": STRING(),
    },
    outputs=("CONDITIONING",),
)
def clip_text_encode_sdxl(
    state: RunState,
    *,
    clip: ClipValue,
    width: int,
    height: int,
    crop_w: int,
    crop_h: int,
    target_width: int,
    target_height: int,
    text_g: str,
    text_l: str,
) -> tuple[Conditioning]:
    if clip.checkpoint.family.name != SDXL:
        raise NodeInputError(
            f"node {state.node_id} (CLIPTextEncodeSDXL): input 'clip' is an {clip.checkpoint.family.name} CLIP; an SDXL CLIP is required"
        )
    encoded = encode_text(state, clip=clip, text_l=text_l, text_g=text_g)
    extras = {
        "width": width,
        "height": height,
        "crop_w": crop_w,
        "crop_h": crop_h,
        "target_width": target_width,
        "target_height": target_height,
    }
    return ((ConditioningEntry(encoded.cond.cpu(), encoded.pooled.cpu(), extras),),)


@register(
    "ConditioningCombine",
    inputs={"conditioning_1": LINK("CONDITIONING"), "conditioning_2": LINK("CONDITIONING")},
    outputs=("CONDITIONING",),
)
def conditioning_combine(
    state: RunState, *, conditioning_1: Conditioning, conditioning_2: Conditioning
) -> tuple[Conditioning]:
    return (conditioning_1 + conditioning_2,)


@register(
    "ConditioningZeroOut", inputs={"conditioning": LINK("CONDITIONING")}, outputs=("CONDITIONING",)
)
def conditioning_zero_out(state: RunState, *, conditioning: Conditioning) -> tuple[Conditioning]:
    zeroed = tuple(
        ConditioningEntry(
            torch.zeros_like(entry.cond),
            None if entry.pooled is None else torch.zeros_like(entry.pooled),
            dict(entry.extras),
        )
        for entry in conditioning
    )
    return (zeroed,)
