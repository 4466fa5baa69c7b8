"""Generate tiny SD1- and SDXL-architecture models with deterministic weights.

Product code, not only a test helper: the demo and CI render with these. Everything is written
the way real files are: checkpoints as single-file safetensors in the original (LDM/SGM)
layout, a CLIP BPE tokenizer (vocab.json + merges.txt covering ASCII), diffusers-style
configs in a model-config directory, and LoRAs in kohya and diffusers/PEFT formats.
Weights are drawn from seeded generators per parameter name, so the same seed gives the same
bytes on any machine. They are scaled so that renders respond visibly to prompt, seed, LoRA
weight and cfg even though the models know nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import torch

from renderworker.engine.ldm_layout import (
    SD1_CLIP_PREFIX,
    SDXL_CLIP_G_PREFIX,
    SDXL_CLIP_L_PREFIX,
    canonical_clip_name,
    clip_l_to_ldm,
    open_clip_to_ldm,
    unet_module_to_ldm,
    unet_to_ldm,
    vae_to_ldm,
)

TINY_SD1 = "tiny-sd1.safetensors"
TINY_SD1_V = "tiny-sd1-v.safetensors"
TINY_SDXL = "tiny-sdxl.safetensors"
TINY_VAE = "tiny-vae.safetensors"
TINY_SD1_LORA_KOHYA = "tiny-sd1-lora-kohya.safetensors"
TINY_SD1_LORA_PEFT = "tiny-sd1-lora-peft.safetensors"
TINY_SDXL_LORA_KOHYA = "tiny-sdxl-lora-kohya.safetensors"

TINY_VOCAB_SIZE = 1024
LORA_RANK = 4
LORA_ALPHA = 2.0

_WORDS = [
    "a",
    "an",
    "the",
    "of",
    "and",
    "in",
    "on",
    "with",
    "at",
    "by",
    "for",
    "from",
    "to",
    "is",
    "are",
    "this",
    "that",
    "photo",
    "painting",
    "drawing",
    "portrait",
    "landscape",
    "cat",
    "dog",
    "bird",
    "fish",
    "horse",
    "house",
    "tree",
    "forest",
    "river",
    "lake",
    "sea",
    "ocean",
    "mountain",
    "sky",
    "cloud",
    "sun",
    "moon",
    "star",
    "night",
    "day",
    "morning",
    "evening",
    "city",
    "street",
    "car",
    "road",
    "bridge",
    "castle",
    "tower",
    "garden",
    "flower",
    "rose",
    "red",
    "green",
    "blue",
    "yellow",
    "orange",
    "purple",
    "pink",
    "black",
    "white",
    "gray",
    "brown",
    "gold",
    "silver",
    "bright",
    "dark",
    "light",
    "shadow",
    "big",
    "small",
    "tall",
    "short",
    "old",
    "young",
    "happy",
    "sad",
    "beautiful",
    "ugly",
    "detailed",
    "simple",
    "sharp",
    "blurry",
    "masterpiece",
    "best",
    "quality",
    "high",
    "low",
    "resolution",
    "realistic",
    "cartoon",
    "anime",
    "style",
    "art",
    "artist",
    "oil",
    "watercolor",
    "sketch",
    "digital",
    "render",
    "studio",
    "cinematic",
    "lighting",
    "soft",
    "hard",
    "warm",
    "cold",
    "color",
    "colors",
    "man",
    "woman",
    "girl",
    "boy",
    "child",
    "person",
    "people",
    "face",
    "eyes",
    "hair",
    "hand",
    "sitting",
    "standing",
    "walking",
    "running",
    "flying",
    "under",
    "over",
    "near",
    "far",
    "inside",
    "outside",
    "background",
    "foreground",
    "wide",
    "close",
    "view",
    "fog",
    "rain",
    "snow",
    "winter",
    "summer",
    "spring",
    "autumn",
    "field",
    "grass",
    "stone",
    "wood",
    "metal",
    "glass",
    "water",
    "fire",
    "ice",
    "smoke",
    "steam",
    "robot",
    "dragon",
    "space",
    "planet",
    "ship",
    "boat",
    "train",
    "window",
    "door",
    "room",
    "table",
    "chair",
    "book",
    "lamp",
    "candle",
    "mirror",
    "wall",
    "floor",
]

_CLIP_L_TINY = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 3,
    "num_attention_heads": 4,
    "hidden_act": "quick_gelu",
    "projection_dim": 32,
}
_CLIP_G_TINY = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 3,
    "num_attention_heads": 4,
    "hidden_act": "gelu",
    "projection_dim": 64,
}

_UNET_COMMON: dict[str, object] = {
    "_class_name": "UNet2DConditionModel",
    "sample_size": 8,
    "in_channels": 4,
    "out_channels": 4,
    "center_input_sample": False,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "act_fn": "silu",
    "norm_num_groups": 32,
    "norm_eps": 1e-05,
    "downsample_padding": 1,
    "mid_block_scale_factor": 1,
    "block_out_channels": [32, 64],
    "layers_per_block": 1,
}
UNET_TINY_SD1: dict[str, object] = {
    **_UNET_COMMON,
    "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
    "cross_attention_dim": 32,
    "attention_head_dim": 4,
    "use_linear_projection": False,
}
UNET_TINY_SDXL: dict[str, object] = {
    **_UNET_COMMON,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
    "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
    "cross_attention_dim": 96,
    "attention_head_dim": [2, 4],
    "transformer_layers_per_block": [1, 2],
    "use_linear_projection": True,
    "addition_embed_type": "text_time",
    "addition_time_embed_dim": 8,
    "projection_class_embeddings_input_dim": 6 * 8 + 64,
}


def _vae_config(*, scaling_factor: float) -> dict[str, object]:
    return {
        "_class_name": "AutoencoderKL",
        "in_channels": 3,
        "out_channels": 3,
        "down_block_types": ["DownEncoderBlock2D"] * 4,
        "up_block_types": ["UpDecoderBlock2D"] * 4,
        "block_out_channels": [32, 32, 32, 32],
        "layers_per_block": 1,
        "act_fn": "silu",
        "latent_channels": 4,
        "norm_num_groups": 32,
        "sample_size": 64,
        "scaling_factor": scaling_factor,
    }


def _clip_config(
    *, base: Mapping[str, object], vocab_size: int, projection: bool
) -> dict[str, object]:
    config = {
        "architectures": ["CLIPTextModelWithProjection" if projection else "CLIPTextModel"],
        "model_type": "clip_text_model",
        "vocab_size": vocab_size,
        "max_position_embeddings": 77,
        "layer_norm_eps": 1e-05,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "initializer_factor": 1.0,
        "bos_token_id": vocab_size - 2,
        "eos_token_id": vocab_size - 1,
        "pad_token_id": vocab_size - 1,
        "torch_dtype": "float32",
    }
    config.update(base)
    return config


# --- tokenizer -------------------------------------------------------------------------------


def _byte_symbols() -> list[str]:
    """The 256 printable stand-ins CLIP's byte-level BPE uses for bytes, in id order."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    symbols = {byte: chr(byte) for byte in printable}
    shift = 0
    for byte in range(256):
        if byte not in symbols:
            symbols[byte] = chr(256 + shift)
            shift += 1
    return [
        symbols[byte]
        for byte in sorted(
            symbols, key=lambda b: (b not in printable, printable.index(b) if b in printable else b)
        )
    ]


def _apply_bpe(symbols: list[str], ranks: dict[tuple[str, str], int]) -> list[str]:
    """Byte-pair merging as CLIP's tokenizer does it: lowest-ranked adjacent pair first."""
    while len(symbols) > 1:
        pairs = [
            (ranks.get((a, b), len(ranks) + 1), index)
            for index, (a, b) in enumerate(itertools.pairwise(symbols))
        ]
        rank, _ = min(pairs)
        if rank > len(ranks):
            break
        pair = next((symbols[i], symbols[i + 1]) for r, i in pairs if r == rank)
        merged: list[str] = []
        index = 0
        while index < len(symbols):
            if index < len(symbols) - 1 and (symbols[index], symbols[index + 1]) == pair:
                merged.append(symbols[index] + symbols[index + 1])
                index += 2
            else:
                merged.append(symbols[index])
                index += 1
        symbols = merged
    return symbols


def tiny_tokenizer_files(
    *, vocab_size: int, words: Iterable[str] = _WORDS
) -> tuple[dict[str, int], list[str]]:
    """Return (vocab, merges) of a CLIP BPE tokenizer with ``vocab_size`` entries.

    Bytes and byte+``</w>`` first (as in CLIP), then merges that make each listed word one
    token, filler entries, and ``<|startoftext|>``/``<|endoftext|>`` last, so EOS has the
    largest id as in CLIP. Each word's merges are added after running the merges so far on
    it, and later merges never fire on earlier words (those are already single tokens).
    """
    base = _byte_symbols()
    tokens: list[str] = base + [symbol + "</w>" for symbol in base]
    known = set(tokens)
    ranks: dict[tuple[str, str], int] = {}
    budget = vocab_size - 2
    for word in words:
        symbols = _apply_bpe([*list(word[:-1]), word[-1] + "</w>"], ranks)
        needed = len(symbols) - 1
        if len(tokens) + needed > budget:
            break
        current = symbols[0]
        for part in symbols[1:]:
            merged = current + part
            if (current, part) not in ranks:
                ranks[(current, part)] = len(ranks)
            if merged not in known:
                tokens.append(merged)
                known.add(merged)
            current = merged
    filler = 0
    while len(tokens) < budget:
        tokens.append(f"<|kiln-filler-{filler}|>")
        filler += 1
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    if len(tokens) != vocab_size:
        raise ValueError(
            f"vocab_size={vocab_size} is too small for the byte alphabet (needs ≥ 514)"
        )
    merges = [f"{a} {b}" for (a, b), _ in sorted(ranks.items(), key=lambda item: item[1])]
    return {token: index for index, token in enumerate(tokens)}, merges


def write_tokenizer(*, directory: Path, vocab_size: int, pad_token: str) -> None:
    """Write vocab.json, merges.txt and the tokenizer config into ``directory``."""
    vocab, merges = tiny_tokenizer_files(vocab_size=vocab_size)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (directory / "merges.txt").write_text(
        "#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8"
    )
    config = {
        "tokenizer_class": "CLIPTokenizer",
        "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>",
        "unk_token": "<|endoftext|>",
        "pad_token": pad_token,
        "model_max_length": 77,
        "do_lower_case": True,
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    special = {key: config[key] for key in ("bos_token", "eos_token", "unk_token", "pad_token")}
    (directory / "special_tokens_map.json").write_text(
        json.dumps(special, indent=1), encoding="utf-8"
    )


# --- weights ---------------------------------------------------------------------------------


def _generator(*, seed: int, name: str) -> torch.Generator:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:8], "little"))


def _draw(
    *, shape: torch.Size, seed: int, name: str, device: torch.device | None = None
) -> torch.Tensor:
    generator = _generator(seed=seed, name=name)
    if device is not None and device.type != "cpu":
        generator = torch.Generator(device=device).manual_seed(generator.initial_seed())
    return torch.randn(shape, generator=generator, dtype=torch.float32, device=device or "cpu")


def fill_deterministic(*, module: torch.nn.Module, seed: int) -> None:
    """Overwrite every parameter with seeded values scaled to keep activations near unit size.

    Drawn on the parameter's device (a CUDA draw differs from a CPU one, but is as repeatable).
    """
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            noise = _draw(shape=parameter.shape, seed=seed, name=name, device=parameter.device)
            if name.endswith("token_embedding.weight"):
                value = noise  # strong token embeddings: prompts must change the output visibly
            elif name.endswith("position_embedding.weight"):
                value = noise * 0.3
            elif parameter.ndim >= 2:
                fan_in = math.prod(parameter.shape[1:])
                value = noise / math.sqrt(fan_in)
            elif name.endswith("weight"):
                value = 1.0 + 0.1 * noise  # norms
            else:
                value = 0.05 * noise
            parameter.copy_(value)


def build_tiny_components(*, family: str, seed: int) -> dict[str, torch.nn.Module]:
    """Return the diffusers/transformers modules of a tiny checkpoint (unet, vae, clip_l[, clip_g])."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    unet_config = UNET_TINY_SD1 if family == "sd1" else UNET_TINY_SDXL
    components: dict[str, torch.nn.Module] = {
        "unet": UNet2DConditionModel.from_config(unet_config),
        "vae": AutoencoderKL.from_config(
            _vae_config(scaling_factor=0.18215 if family == "sd1" else 0.13025)
        ),
        "clip_l": CLIPTextModel(
            CLIPTextConfig(
                **_clip_config(base=_CLIP_L_TINY, vocab_size=TINY_VOCAB_SIZE, projection=False)
            )
        ),
    }
    if family == "sdxl":
        config = CLIPTextConfig(
            **_clip_config(base=_CLIP_G_TINY, vocab_size=TINY_VOCAB_SIZE, projection=True)
        )
        components["clip_g"] = CLIPTextModelWithProjection(config)
    for index, (_name, module) in enumerate(sorted(components.items())):
        fill_deterministic(module=module, seed=seed * 100 + index)
        module.eval()
    return components


def components_to_ldm(
    *, family: str, components: Mapping[str, torch.nn.Module]
) -> dict[str, torch.Tensor]:
    """Return one original-layout state dict for the components."""
    unet = components["unet"]
    state = unet_to_ldm(state_dict=unet.state_dict(), config=dict(unet.config))  # type: ignore[attr-defined]
    vae = components["vae"]
    state.update(vae_to_ldm(state_dict=vae.state_dict(), config=dict(vae.config)))  # type: ignore[attr-defined]
    clip_prefix = SD1_CLIP_PREFIX if family == "sd1" else SDXL_CLIP_L_PREFIX
    state.update(clip_l_to_ldm(state_dict=components["clip_l"].state_dict(), prefix=clip_prefix))
    if family == "sdxl":
        state.update(
            open_clip_to_ldm(
                state_dict=components["clip_g"].state_dict(), prefix=SDXL_CLIP_G_PREFIX
            )
        )
    return {key: value.detach().contiguous().clone() for key, value in state.items()}


def write_config_dir(*, directory: Path, family: str) -> None:
    """Write a model-config directory (kiln-model.json, component configs, tokenizers)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kiln-model.json").write_text(
        json.dumps({"family": family, "note": "Kiln tiny model"}), encoding="utf-8"
    )
    unet_config = UNET_TINY_SD1 if family == "sd1" else UNET_TINY_SDXL
    scaling = 0.18215 if family == "sd1" else 0.13025
    files: dict[str, Mapping[str, object]] = {
        "unet": unet_config,
        "vae": _vae_config(scaling_factor=scaling),
        "text_encoder": _clip_config(
            base=_CLIP_L_TINY, vocab_size=TINY_VOCAB_SIZE, projection=False
        ),
    }
    if family == "sdxl":
        files["text_encoder_2"] = _clip_config(
            base=_CLIP_G_TINY, vocab_size=TINY_VOCAB_SIZE, projection=True
        )
    for component, config in files.items():
        (directory / component).mkdir(exist_ok=True)
        (directory / component / "config.json").write_text(
            json.dumps(config, indent=1), encoding="utf-8"
        )
    write_tokenizer(
        directory=directory / "tokenizer", vocab_size=TINY_VOCAB_SIZE, pad_token="<|endoftext|>"
    )
    if family == "sdxl":
        write_tokenizer(
            directory=directory / "tokenizer_2", vocab_size=TINY_VOCAB_SIZE, pad_token="!"
        )


# --- LoRAs -----------------------------------------------------------------------------------


def _lora_targets(
    module: torch.nn.Module, *, suffixes: tuple[str, ...]
) -> list[tuple[str, torch.Size]]:
    targets = []
    for name, parameter in module.named_parameters():
        if (
            name.endswith(".weight")
            and parameter.ndim in (2, 4)
            and name[: -len(".weight")].endswith(suffixes)
        ):
            targets.append((name[: -len(".weight")], parameter.shape))
    return targets


_UNET_SUFFIXES = ("to_q", "to_k", "to_v", "to_out.0", "proj_in", "proj_out", "ff.net.2")
_TEXT_SUFFIXES = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")


def _lora_pair(*, shape: torch.Size, seed: int, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    out_features, in_features = shape[0], math.prod(shape[1:])
    down = _draw(
        shape=torch.Size([LORA_RANK, in_features]), seed=seed, name=name + ".down"
    ) / math.sqrt(in_features)
    up = _draw(shape=torch.Size([out_features, LORA_RANK]), seed=seed, name=name + ".up") * 0.8
    if len(shape) == 4:
        down = down.reshape(LORA_RANK, *shape[1:])
        up = up.reshape(out_features, LORA_RANK, 1, 1)
    return down, up


def tiny_lora(
    *, family: str, style: str, seed: int, components: Mapping[str, torch.nn.Module]
) -> dict[str, torch.Tensor]:
    """Return a LoRA state dict for a tiny model: ``style`` is "kohya" or "peft"."""
    unet = components["unet"]
    layers = int(unet.config.layers_per_block)  # type: ignore[attr-defined]
    with_attention = [kind.startswith("CrossAttn") for kind in unet.config.up_block_types]  # type: ignore[attr-defined]
    tensors: dict[str, torch.Tensor] = {}
    encoders = [("clip_l", "te" if family == "sd1" else "te1", "text_encoder")]
    if family == "sdxl":
        encoders.append(("clip_g", "te2", "text_encoder_2"))
    groups: list[tuple[str, str, torch.Size]] = []  # (kohya name, peft name, shape)
    for name, shape in _lora_targets(unet, suffixes=_UNET_SUFFIXES):
        # sd-scripts names SD1 UNet modules diffusers-style, SDXL ones LDM-style.
        kohya_source = (
            name
            if family == "sd1"
            else unet_module_to_ldm(
                name=name, layers_per_block=layers, up_blocks_with_attention=with_attention
            )
        )
        groups.append(("lora_unet_" + kohya_source.replace(".", "_"), "unet." + name, shape))
    for component, kohya_prefix, peft_prefix in encoders:
        for name, shape in _lora_targets(components[component], suffixes=_TEXT_SUFFIXES):
            module = canonical_clip_name(name)
            groups.append(
                (
                    f"lora_{kohya_prefix}_" + module.replace(".", "_"),
                    f"{peft_prefix}.{module}",
                    shape,
                )
            )
    for kohya_name, peft_name, shape in groups:
        down, up = _lora_pair(shape=shape, seed=seed, name=peft_name)
        if style == "kohya":
            tensors[kohya_name + ".lora_down.weight"] = down.contiguous()
            tensors[kohya_name + ".lora_up.weight"] = up.contiguous()
            tensors[kohya_name + ".alpha"] = torch.tensor(LORA_ALPHA)
        else:
            tensors[peft_name + ".lora_A.weight"] = down.contiguous()
            tensors[peft_name + ".lora_B.weight"] = up.contiguous()
            tensors[peft_name + ".alpha"] = torch.tensor(LORA_ALPHA)
    return tensors


def write_tiny_models(*, directory: Path, seed: int = 0) -> dict[str, Path]:
    """Write every tiny model file into ``directory``; return {file name: path}.

    Layout: the checkpoints, VAE and LoRAs at the top, configs in ``model_configs/``.
    """
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def save(
        name: str, tensors: Mapping[str, torch.Tensor], metadata: dict[str, str] | None = None
    ) -> None:
        path = directory / name
        save_file(dict(tensors), str(path), metadata=metadata or {"kiln": "tiny model"})
        written[name] = path

    sd1 = build_tiny_components(family="sd1", seed=seed)
    save(TINY_SD1, components_to_ldm(family="sd1", components=sd1))
    sd1_v = components_to_ldm(family="sd1", components=sd1)
    sd1_v["v_pred"] = torch.zeros(0)
    save(TINY_SD1_V, sd1_v)
    save(
        TINY_SD1_LORA_KOHYA, tiny_lora(family="sd1", style="kohya", seed=seed + 11, components=sd1)
    )
    save(TINY_SD1_LORA_PEFT, tiny_lora(family="sd1", style="peft", seed=seed + 12, components=sd1))
    other_vae = build_tiny_components(family="sd1", seed=seed + 7)["vae"]
    save(TINY_VAE, vae_to_ldm(state_dict=other_vae.state_dict(), config=dict(other_vae.config)))  # type: ignore[attr-defined]
    sdxl = build_tiny_components(family="sdxl", seed=seed + 1)
    save(TINY_SDXL, components_to_ldm(family="sdxl", components=sdxl))
    save(
        TINY_SDXL_LORA_KOHYA,
        tiny_lora(family="sdxl", style="kohya", seed=seed + 13, components=sdxl),
    )
    write_config_dir(directory=directory / "model_configs" / "tiny-sd1", family="sd1")
    write_config_dir(directory=directory / "model_configs" / "tiny-sdxl", family="sdxl")
    return written
