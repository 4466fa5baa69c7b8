from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from renderworker.engine.checkpoint import load_checkpoint
from renderworker.engine.errors import ModelConfigMissingError, UnsupportedModelError
from renderworker.engine.families import detect_family
from renderworker.engine.precision import CPU_FP32, get_profile
from renderworker.tiny_models import (
    TINY_SD1,
    TINY_SD1_V,
    TINY_SDXL,
    build_tiny_components,
    tiny_tokenizer_files,
)


def _assert_same_weights(expected: torch.nn.Module, loaded: torch.nn.Module) -> None:
    want, got = expected.state_dict(), loaded.state_dict()
    assert sorted(want) == sorted(got)
    mismatched = [key for key in want if not torch.equal(want[key], got[key])]
    assert mismatched == []


@pytest.mark.parametrize(
    ("file_name", "family", "seed"), [(TINY_SD1, "sd1", 0), (TINY_SDXL, "sdxl", 1)]
)
def test_original_layout_checkpoint_loads_back_exactly_the_generated_weights(
    tiny_dir: Path, file_name: str, family: str, seed: int
) -> None:
    checkpoint = load_checkpoint(
        path=tiny_dir / file_name,
        profile=get_profile(name=CPU_FP32),
        config_roots=[tiny_dir / "model_configs"],
    )
    generated = build_tiny_components(family=family, seed=seed)
    assert checkpoint.family.name == family
    _assert_same_weights(generated["unet"], checkpoint.unet)
    _assert_same_weights(generated["vae"], checkpoint.vae)
    _assert_same_weights(generated["clip_l"], checkpoint.text_encoders["l"].model)
    if family == "sdxl":
        _assert_same_weights(generated["clip_g"], checkpoint.text_encoders["g"].model)


def test_checkpoint_file_uses_ldm_key_names(tiny_dir: Path) -> None:
    keys = set(load_file(str(tiny_dir / TINY_SDXL)))
    assert "model.diffusion_model.input_blocks.0.0.weight" in keys
    assert "model.diffusion_model.label_emb.0.0.weight" in keys
    assert "first_stage_model.decoder.up.0.block.0.conv1.weight" in keys
    assert (
        "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight" in keys
    )
    assert "conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight" in keys
    assert not any(key.startswith(("unet.", "down_blocks.")) for key in keys)


def test_v_pred_key_selects_v_prediction(tiny_dir: Path) -> None:
    assert detect_family(state_dict=load_file(str(tiny_dir / TINY_SD1_V))).prediction == "v"
    assert detect_family(state_dict=load_file(str(tiny_dir / TINY_SD1))).prediction == "eps"


@pytest.mark.parametrize(
    ("keys", "family"),
    [
        ({"double_blocks.0.img_attn.qkv.weight": (4, 4)}, "flux"),
        (
            {
                "model.diffusion_model.input_blocks.0.0.weight": (32, 4, 3, 3),
                "cond_stage_model.model.token_embedding.weight": (8, 8),
            },
            "sd2",
        ),
        ({"model.diffusion_model.input_blocks.0.0.weight": (32, 9, 3, 3)}, "inpainting"),
        (
            {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": (4, 4)},
            "lora (not a checkpoint)",
        ),
        (
            {
                "model.diffusion_model.input_blocks.0.0.weight": (32, 4, 3, 3),
                "conditioner.embedders.0.model.token_embedding.weight": (8, 8),
                "model.diffusion_model.label_emb.0.0.weight": (8, 8),
            },
            "sdxl-refiner",
        ),
    ],
)
def test_other_families_are_refused_by_name(keys: dict[str, tuple[int, ...]], family: str) -> None:
    state = {key: torch.zeros(shape) for key, shape in keys.items()}
    with pytest.raises(UnsupportedModelError) as raised:
        detect_family(state_dict=state)
    assert raised.value.family == family
    assert repr(family) in str(raised.value)


def test_checkpoint_without_matching_config_dir_names_what_was_searched(
    tiny_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(ModelConfigMissingError, match="family 'sd1'"):
        load_checkpoint(
            path=tiny_dir / TINY_SD1, profile=get_profile(name=CPU_FP32), config_roots=[tmp_path]
        )


def test_pickle_checkpoints_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.ckpt"
    path.write_bytes(b"not read")
    from renderworker.engine.errors import EngineError

    with pytest.raises(EngineError, match="is a pickle"):
        load_checkpoint(path=path, profile=get_profile(name=CPU_FP32), config_roots=[])


def test_store_files_named_by_hash_load_when_they_are_safetensors(
    tiny_dir: Path, tmp_path: Path
) -> None:
    import shutil

    from renderworker.engine.errors import EngineError

    shutil.copy(tiny_dir / TINY_SD1, tmp_path / ("a" * 64))
    checkpoint = load_checkpoint(
        path=tmp_path / ("a" * 64),
        profile=get_profile(name=CPU_FP32),
        config_roots=[tiny_dir / "model_configs"],
    )
    assert checkpoint.family.name == "sd1"
    (tmp_path / ("b" * 64)).write_bytes(b"garbage that is not safetensors")
    with pytest.raises(EngineError, match="not a readable safetensors file"):
        load_checkpoint(
            path=tmp_path / ("b" * 64), profile=get_profile(name=CPU_FP32), config_roots=[]
        )


def test_generated_tokenizer_covers_ascii_and_puts_specials_last(tiny_dir: Path) -> None:
    from transformers import CLIPTokenizer

    vocab, _merges = tiny_tokenizer_files(vocab_size=1024)
    assert vocab["<|endoftext|>"] == 1023 and vocab["<|startoftext|>"] == 1022
    tokenizer = CLIPTokenizer.from_pretrained(
        str(tiny_dir / "model_configs" / "tiny-sd1" / "tokenizer"), local_files_only=True
    )
    text = "".join(chr(code) for code in range(33, 127))
    encoded = tokenizer(text)["input_ids"]
    assert encoded[0] == 1022 and encoded[-1] == 1023
    assert tokenizer.unk_token_id not in encoded[1:-1]
    assert len(tokenizer("cat")["input_ids"]) == 3  # merged into one token


def test_tiny_generation_is_deterministic(tmp_path: Path) -> None:
    first = build_tiny_components(family="sd1", seed=3)["unet"].state_dict()
    second = build_tiny_components(family="sd1", seed=3)["unet"].state_dict()
    other = build_tiny_components(family="sd1", seed=4)["unet"].state_dict()
    assert all(torch.equal(first[key], second[key]) for key in first)
    assert not torch.equal(first["conv_in.weight"], other["conv_in.weight"])


def test_roundtrip_survives_fp16_storage(tiny_dir: Path, tmp_path: Path) -> None:
    state = load_file(str(tiny_dir / TINY_SD1))
    half = {key: value.half() for key, value in state.items()}
    save_file(half, str(tmp_path / "half.safetensors"))
    checkpoint = load_checkpoint(
        path=tmp_path / "half.safetensors",
        profile=get_profile(name=CPU_FP32),
        config_roots=[tiny_dir / "model_configs"],
    )
    expected = build_tiny_components(family="sd1", seed=0)["unet"].state_dict()
    assert torch.equal(
        checkpoint.unet.state_dict()["conv_in.weight"], expected["conv_in.weight"].half().float()
    )


@pytest.mark.parametrize(
    ("family", "channels", "context", "directory"),
    [("sd1", 320, 768, "sd15"), ("sdxl", 320, 2048, "sdxl-base"), ("sd1", 32, 32, "tiny-sd1")],
)
def test_config_dir_is_chosen_by_family_and_unet_shape(
    tiny_dir: Path, family: str, channels: int, context: int, directory: str
) -> None:
    from renderworker.engine.families import ModelFamily
    from renderworker.engine.model_config_dirs import PACKAGED_CONFIG_ROOT, find_model_config_dir

    wanted = ModelFamily(name=family, prediction="eps", unet_channels=channels, context_dim=context)
    found = find_model_config_dir(
        family=wanted, roots=[tiny_dir / "model_configs", PACKAGED_CONFIG_ROOT]
    )
    assert found.name == directory


def test_missing_tokenizer_files_name_the_directory(tmp_path: Path) -> None:
    from renderworker.engine.checkpoint import _tokenizer

    with pytest.raises(
        ModelConfigMissingError, match=r"\['vocab.json', 'merges.txt'\] are missing"
    ):
        _tokenizer(directory=tmp_path)
