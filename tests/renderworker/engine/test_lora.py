from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import renderworker.engine.resources as resources_module
from renderworker.engine.checkpoint import LoadedCheckpoint, load_checkpoint
from renderworker.engine.lora import UNET, parse_lora, patcher_for
from renderworker.engine.precision import CPU_FP32, get_profile
from renderworker.engine.resources import Resources
from renderworker.models import LoadedComponentCache
from renderworker.tiny_models import (
    LORA_ALPHA,
    TINY_SD1,
    TINY_SD1_LORA_KOHYA,
    TINY_SD1_LORA_PEFT,
    TINY_SDXL,
    TINY_SDXL_LORA_KOHYA,
)


def _fresh(tiny_dir: Path, name: str) -> LoadedCheckpoint:
    return load_checkpoint(
        path=tiny_dir / name,
        profile=get_profile(name=CPU_FP32),
        config_roots=[tiny_dir / "model_configs"],
    )


def test_kohya_lora_matches_every_key_of_sd1_and_sdxl(tiny_dir: Path) -> None:
    for checkpoint_name, lora_name in (
        (TINY_SD1, TINY_SD1_LORA_KOHYA),
        (TINY_SDXL, TINY_SDXL_LORA_KOHYA),
    ):
        checkpoint = _fresh(tiny_dir, checkpoint_name)
        parsed = parse_lora(
            state_dict=load_file(str(tiny_dir / lora_name)),
            checkpoint=checkpoint,
            identity=lora_name,
        )
        assert parsed.unmatched_keys == ()
        assert {patch.target for patch in parsed.patches} == (
            {UNET, "l"} if checkpoint_name == TINY_SD1 else {UNET, "l", "g"}
        )


def test_unknown_and_unsupported_keys_are_reported(tiny_dir: Path) -> None:
    checkpoint = _fresh(tiny_dir, TINY_SD1)
    state = load_file(str(tiny_dir / TINY_SD1_LORA_KOHYA))
    state["lora_unet_no_such_module.lora_down.weight"] = torch.zeros(4, 4)
    state["lora_unet_no_such_module.lora_up.weight"] = torch.zeros(4, 4)
    state["lora_unet_down_blocks_0_attentions_0_proj_in.dora_scale"] = torch.zeros(1)
    parsed = parse_lora(state_dict=state, checkpoint=checkpoint, identity="x")
    assert parsed.unmatched_keys == (
        "lora_unet_down_blocks_0_attentions_0_proj_in.dora_scale",
        "lora_unet_no_such_module.lora_down.weight",
        "lora_unet_no_such_module.lora_up.weight",
    )


def test_merge_equals_an_independent_fp64_computation(tiny_dir: Path) -> None:
    checkpoint = _fresh(tiny_dir, TINY_SD1)
    raw = load_file(str(tiny_dir / TINY_SD1_LORA_KOHYA))
    parsed = parse_lora(state_dict=raw, checkpoint=checkpoint, identity="kohya")
    pristine = {name: value.clone() for name, value in checkpoint.unet.state_dict().items()}
    # fp16 storage makes the final cast observable.
    checkpoint.unet.half()
    patcher = patcher_for(checkpoint=checkpoint, target=UNET)
    patcher.ensure(loras=[(parsed, 0.7)])
    base = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k"
    down = raw[base + ".lora_down.weight"].double()
    up = raw[base + ".lora_up.weight"].double()
    name = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"
    original = pristine[name].half().double()
    expected = (original + 0.7 * (LORA_ALPHA / down.shape[0]) * (up @ down)).half()
    merged = checkpoint.unet.state_dict()[name]
    assert merged.dtype == torch.float16
    # fp32 maths vs fp64 reference: equal after the cast to fp16 except for rare rounding ties.
    assert (
        merged.float() - expected.float()
    ).abs().max().item() <= 2**-10 * expected.float().abs().max().item()
    assert (merged != expected).float().mean().item() < 0.01


def test_conv_lora_delta_is_reshaped_to_the_kernel(tiny_dir: Path) -> None:
    checkpoint = _fresh(tiny_dir, TINY_SD1)
    raw = load_file(str(tiny_dir / TINY_SD1_LORA_KOHYA))
    parsed = parse_lora(state_dict=raw, checkpoint=checkpoint, identity="kohya")
    name = "down_blocks.0.attentions.0.proj_in.weight"
    before = checkpoint.unet.state_dict()[name].clone().double()
    patcher_for(checkpoint=checkpoint, target=UNET).ensure(loras=[(parsed, 1.0)])
    base = "lora_unet_down_blocks_0_attentions_0_proj_in"
    down = raw[base + ".lora_down.weight"].double().flatten(1)
    up = raw[base + ".lora_up.weight"].double().flatten(1)
    expected = before + (LORA_ALPHA / 4) * (up @ down).reshape(before.shape)
    torch.testing.assert_close(
        checkpoint.unet.state_dict()[name].double(), expected, rtol=0, atol=1e-6
    )


def test_kohya_and_peft_files_of_the_same_weights_merge_identically(tiny_dir: Path) -> None:
    checkpoint = _fresh(tiny_dir, TINY_SD1)
    kohya = load_file(str(tiny_dir / TINY_SD1_LORA_KOHYA))
    peft = load_file(str(tiny_dir / TINY_SD1_LORA_PEFT))
    # Rewrite the PEFT file with the kohya file's numbers: only the key format differs.
    kohya_parsed = parse_lora(state_dict=kohya, checkpoint=checkpoint, identity="k")
    by_parameter = {(p.target, p.parameter): p for p in kohya_parsed.patches}
    peft_parsed = parse_lora(state_dict=peft, checkpoint=checkpoint, identity="p")
    assert {(p.target, p.parameter) for p in peft_parsed.patches} == set(by_parameter)
    assert peft_parsed.unmatched_keys == ()


def test_switching_lora_sets_restores_pristine_weights_without_reloading(
    tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = Resources(model_dirs=[tiny_dir], cache=LoadedComponentCache(max_entries=2))
    profile = get_profile(name=CPU_FP32)
    checkpoint = resources.checkpoint(name=TINY_SD1, profile=profile)
    pristine = {name: value.clone() for name, value in checkpoint.unet.state_dict().items()}
    pristine_text = {
        name: value.clone()
        for name, value in checkpoint.text_encoders["l"].model.state_dict().items()
    }
    kohya = resources.lora(name=TINY_SD1_LORA_KOHYA, checkpoint=checkpoint)
    peft = resources.lora(name=TINY_SD1_LORA_PEFT, checkpoint=checkpoint)
    loads: list[Path] = []
    monkeypatch.setattr(
        resources_module, "load_checkpoint", lambda **kwargs: loads.append(kwargs["path"])
    )
    unet = patcher_for(checkpoint=checkpoint, target=UNET)
    text = patcher_for(checkpoint=checkpoint, target="l")
    unet.ensure(loras=[(kohya, 1.0)])
    text.ensure(loras=[(kohya, 0.5)])
    after_one = {name: value.clone() for name, value in checkpoint.unet.state_dict().items()}
    unet.ensure(loras=[(kohya, 0.3), (peft, 1.0)])
    unet.ensure(loras=[(kohya, 1.0)])
    assert all(
        torch.equal(after_one[name], value) for name, value in checkpoint.unet.state_dict().items()
    )
    unet.ensure(loras=[])
    text.ensure(loras=[])
    assert all(
        torch.equal(pristine[name], value) for name, value in checkpoint.unet.state_dict().items()
    )
    assert all(
        torch.equal(pristine_text[name], value)
        for name, value in checkpoint.text_encoders["l"].model.state_dict().items()
    )
    assert resources.checkpoint(name=TINY_SD1, profile=profile) is checkpoint
    assert loads == []


def test_several_loras_add_their_deltas(tiny_dir: Path) -> None:
    checkpoint = _fresh(tiny_dir, TINY_SD1)
    kohya = parse_lora(
        state_dict=load_file(str(tiny_dir / TINY_SD1_LORA_KOHYA)),
        checkpoint=checkpoint,
        identity="k",
    )
    peft = parse_lora(
        state_dict=load_file(str(tiny_dir / TINY_SD1_LORA_PEFT)),
        checkpoint=checkpoint,
        identity="p",
    )
    name = "mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight"
    before = checkpoint.unet.state_dict()[name].clone()
    patcher = patcher_for(checkpoint=checkpoint, target=UNET)
    patcher.ensure(loras=[(kohya, 1.0)])
    one = checkpoint.unet.state_dict()[name].clone()
    patcher.ensure(loras=[(peft, 1.0)])
    other = checkpoint.unet.state_dict()[name].clone()
    patcher.ensure(loras=[(kohya, 1.0), (peft, 1.0)])
    both = checkpoint.unet.state_dict()[name]
    torch.testing.assert_close(both, one + other - before, rtol=0, atol=1e-5)
