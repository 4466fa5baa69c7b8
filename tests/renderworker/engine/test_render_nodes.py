"""End-to-end renders through the executor covering every implemented node."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import RenderFunction, pixels, txt2img_graph
from PIL import Image

from renderworker.engine.executor import render_graph
from renderworker.engine.precision import CPU_FP32, get_profile
from renderworker.engine.resources import Resources
from renderworker.tiny_models import (
    TINY_SD1_LORA_KOHYA,
    TINY_SD1_LORA_PEFT,
    TINY_SDXL_LORA_KOHYA,
    TINY_VAE,
)


def test_same_graph_twice_gives_identical_bytes(render: RenderFunction) -> None:
    graph = txt2img_graph(steps=4)
    first, second = render(graph), render(graph)
    assert first.images[0].pixels.tobytes() == second.images[0].pixels.tobytes()
    assert first.images[0].filename == "kiln_00001_.png"


def test_seed_prompt_and_cfg_change_the_image(render: RenderFunction) -> None:
    base = pixels(render(txt2img_graph()))
    for changed in (
        txt2img_graph(seed=2),
        txt2img_graph(positive="a painting of a blue dog"),
        txt2img_graph(cfg=8.0),
    ):
        assert not np.array_equal(base, pixels(render(changed)))


def test_batch_renders_one_image_per_latent(render: RenderFunction) -> None:
    result = render(txt2img_graph(batch=2))
    assert [image.filename for image in result.images] == ["kiln_00001_.png", "kiln_00002_.png"]
    assert not np.array_equal(result.images[0].pixels, result.images[1].pixels)


def test_v_prediction_checkpoint_renders_differently_from_eps(render: RenderFunction) -> None:
    eps = pixels(render(txt2img_graph()))
    v = pixels(render(txt2img_graph(checkpoint="tiny-sd1-v.safetensors")))
    assert not np.array_equal(eps, v)


def with_lora(graph: dict[str, Any], *, name: str, model: float, clip: float) -> dict[str, Any]:
    graph = copy.deepcopy(graph)
    graph["10"] = {
        "class_type": "LoraLoader",
        "inputs": {
            "model": ["4", 0],
            "clip": ["4", 1],
            "lora_name": name,
            "strength_model": model,
            "strength_clip": clip,
        },
    }
    graph["3"]["inputs"]["model"] = ["10", 0]
    graph["6"]["inputs"]["clip"] = ["10", 1]
    graph["7"]["inputs"]["clip"] = ["10", 1]
    return graph


def test_lora_strengths_change_the_image_and_zero_is_no_lora(render: RenderFunction) -> None:
    plain = pixels(render(txt2img_graph()))
    zero = render(with_lora(txt2img_graph(), name=TINY_SD1_LORA_KOHYA, model=0.0, clip=0.0))
    assert np.array_equal(plain, pixels(zero))
    full = pixels(render(with_lora(txt2img_graph(), name=TINY_SD1_LORA_KOHYA, model=1.0, clip=1.0)))
    model_only = pixels(
        render(with_lora(txt2img_graph(), name=TINY_SD1_LORA_KOHYA, model=1.0, clip=0.0))
    )
    weaker = pixels(
        render(with_lora(txt2img_graph(), name=TINY_SD1_LORA_KOHYA, model=0.8, clip=1.0))
    )
    assert len({plain.tobytes(), full.tobytes(), model_only.tobytes(), weaker.tobytes()}) == 4
    # Back to no LoRA on the cached checkpoint: pristine weights again.
    assert np.array_equal(plain, pixels(render(txt2img_graph())))


def test_lora_loader_model_only_equals_lora_loader_without_clip_strength(
    render: RenderFunction,
) -> None:
    graph = txt2img_graph()
    graph["10"] = {
        "class_type": "LoraLoaderModelOnly",
        "inputs": {"model": ["4", 0], "lora_name": TINY_SD1_LORA_PEFT, "strength_model": 0.9},
    }
    graph["3"]["inputs"]["model"] = ["10", 0]
    model_only = render(graph)
    both = render(with_lora(txt2img_graph(), name=TINY_SD1_LORA_PEFT, model=0.9, clip=0.0))
    assert np.array_equal(pixels(model_only), pixels(both))
    assert model_only.warnings == []


def test_clip_set_last_layer_minus_one_is_the_default_and_minus_two_differs(
    render: RenderFunction,
) -> None:
    def with_layer(layer: int) -> dict[str, Any]:
        graph = txt2img_graph()
        graph["11"] = {
            "class_type": "CLIPSetLastLayer",
            "inputs": {"clip": ["4", 1], "stop_at_clip_layer": layer},
        }
        graph["6"]["inputs"]["clip"] = ["11", 0]
        graph["7"]["inputs"]["clip"] = ["11", 0]
        return graph

    default = pixels(render(txt2img_graph()))
    assert np.array_equal(default, pixels(render(with_layer(-1))))
    assert not np.array_equal(default, pixels(render(with_layer(-2))))


def test_vae_loader_decodes_with_the_other_vae(render: RenderFunction) -> None:
    graph = txt2img_graph()
    graph["12"] = {"class_type": "VAELoader", "inputs": {"vae_name": TINY_VAE}}
    graph["8"]["inputs"]["vae"] = ["12", 0]
    assert not np.array_equal(pixels(render(txt2img_graph())), pixels(render(graph)))


def test_ksampler_advanced_over_all_steps_equals_ksampler(render: RenderFunction) -> None:
    graph = txt2img_graph(steps=4, sampler="dpmpp_2m", scheduler="karras")
    advanced = copy.deepcopy(graph)
    advanced["3"] = {
        "class_type": "KSamplerAdvanced",
        "inputs": {
            "add_noise": "enable",
            "noise_seed": 1,
            "steps": 4,
            "cfg": 7.0,
            "sampler_name": "dpmpp_2m",
            "scheduler": "karras",
            "start_at_step": 0,
            "end_at_step": 10000,
            "return_with_leftover_noise": "disable",
            "model": ["4", 0],
            "positive": ["6", 0],
            "negative": ["7", 0],
            "latent_image": ["5", 0],
        },
    }
    assert np.array_equal(pixels(render(graph)), pixels(render(advanced)))


def test_two_pass_ksampler_advanced_matches_one_pass_closely(render: RenderFunction) -> None:
    one_pass = pixels(render(txt2img_graph(steps=4)))
    graph = txt2img_graph(steps=4)
    common = {
        "cfg": 7.0,
        "sampler_name": "euler",
        "scheduler": "normal",
        "steps": 4,
        "noise_seed": 1,
        "model": ["4", 0],
        "positive": ["6", 0],
        "negative": ["7", 0],
    }
    graph["3"] = {
        "class_type": "KSamplerAdvanced",
        "inputs": {
            **common,
            "add_noise": "enable",
            "start_at_step": 0,
            "end_at_step": 2,
            "return_with_leftover_noise": "enable",
            "latent_image": ["5", 0],
        },
    }
    graph["13"] = {
        "class_type": "KSamplerAdvanced",
        "inputs": {
            **common,
            "add_noise": "disable",
            "start_at_step": 2,
            "end_at_step": 10000,
            "return_with_leftover_noise": "disable",
            "latent_image": ["3", 0],
        },
    }
    graph["8"]["inputs"]["samples"] = ["13", 0]
    two_pass = pixels(render(graph))
    # Equal up to the float rounding of dividing and re-multiplying by the latent scale.
    assert np.abs(one_pass.astype(int) - two_pass.astype(int)).max() <= 2


def custom_sampler_graph(*, guider: str, noise: str = "RandomNoise") -> dict[str, Any]:
    graph = txt2img_graph(steps=4, sampler="euler_ancestral", scheduler="karras")
    del graph["3"]
    graph["20"] = {
        "class_type": noise,
        "inputs": {"noise_seed": 1} if noise == "RandomNoise" else {},
    }
    if guider == "CFGGuider":
        graph["21"] = {
            "class_type": "CFGGuider",
            "inputs": {"model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "cfg": 7.0},
        }
    else:
        graph["21"] = {
            "class_type": "BasicGuider",
            "inputs": {"model": ["4", 0], "conditioning": ["6", 0]},
        }
    graph["22"] = {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler_ancestral"}}
    graph["23"] = {
        "class_type": "BasicScheduler",
        "inputs": {"model": ["4", 0], "scheduler": "karras", "steps": 4, "denoise": 1.0},
    }
    graph["24"] = {
        "class_type": "SamplerCustomAdvanced",
        "inputs": {
            "noise": ["20", 0],
            "guider": ["21", 0],
            "sampler": ["22", 0],
            "sigmas": ["23", 0],
            "latent_image": ["5", 0],
        },
    }
    graph["8"]["inputs"]["samples"] = ["24", 0]
    return graph


def test_sampler_custom_advanced_with_cfg_guider_equals_ksampler(render: RenderFunction) -> None:
    ksampler = pixels(render(txt2img_graph(steps=4, sampler="euler_ancestral", scheduler="karras")))
    assert np.array_equal(ksampler, pixels(render(custom_sampler_graph(guider="CFGGuider"))))


def test_basic_guider_equals_ksampler_at_cfg_one(render: RenderFunction) -> None:
    ksampler = pixels(
        render(txt2img_graph(steps=4, sampler="euler_ancestral", scheduler="karras", cfg=1.0))
    )
    assert np.array_equal(ksampler, pixels(render(custom_sampler_graph(guider="BasicGuider"))))


def test_denoised_output_and_disable_noise(render: RenderFunction) -> None:
    graph = custom_sampler_graph(guider="CFGGuider")
    graph["25"] = {"class_type": "VAEDecode", "inputs": {"samples": ["24", 1], "vae": ["4", 2]}}
    graph["26"] = {"class_type": "PreviewImage", "inputs": {"images": ["25", 0]}}
    result = render(graph)
    assert [image.node_id for image in result.images] == ["9", "26"]
    assert result.images[1].filename.startswith("preview_")
    silent = pixels(render(custom_sampler_graph(guider="CFGGuider", noise="DisableNoise")))
    assert not np.array_equal(pixels(result), silent)


def test_conditioning_combine_and_zero_out(render: RenderFunction) -> None:
    base = pixels(render(txt2img_graph()))
    combined = txt2img_graph()
    combined["14"] = {
        "class_type": "CLIPTextEncode",
        "inputs": {"text": "a forest at night", "clip": ["4", 1]},
    }
    combined["15"] = {
        "class_type": "ConditioningCombine",
        "inputs": {"conditioning_1": ["6", 0], "conditioning_2": ["14", 0]},
    }
    combined["3"]["inputs"]["positive"] = ["15", 0]
    zeroed = txt2img_graph()
    zeroed["16"] = {"class_type": "ConditioningZeroOut", "inputs": {"conditioning": ["7", 0]}}
    zeroed["3"]["inputs"]["negative"] = ["16", 0]
    outputs = {base.tobytes(), pixels(render(combined)).tobytes(), pixels(render(zeroed)).tobytes()}
    assert len(outputs) == 3


def sdxl_graph(*, width: int = 1024) -> dict[str, Any]:
    graph = txt2img_graph(checkpoint="tiny-sdxl.safetensors")
    graph["6"] = {
        "class_type": "CLIPTextEncodeSDXL",
        "inputs": {
            "clip": ["4", 1],
            "width": width,
            "height": 1024,
            "crop_w": 0,
            "crop_h": 0,
            "target_width": 1024,
            "target_height": 1024,
            "text_g": "a photo of a red cat",
            "text_l": "a red cat, (sharp:1.2)",
        },
    }
    return graph


def test_sdxl_renders_with_size_conditioning_and_lora(render: RenderFunction) -> None:
    first = pixels(render(sdxl_graph()))
    assert first.shape == (32, 32, 3)
    assert np.array_equal(first, pixels(render(sdxl_graph())))
    assert not np.array_equal(first, pixels(render(sdxl_graph(width=512))))
    lora = render(with_lora(sdxl_graph(), name=TINY_SDXL_LORA_KOHYA, model=1.0, clip=1.0))
    assert lora.warnings == []
    assert not np.array_equal(first, pixels(lora))


def test_sdxl_text_encode_refuses_an_sd1_clip(render: RenderFunction) -> None:
    from renderworker.engine.errors import NodeInputError

    graph = sdxl_graph()
    graph["4"]["inputs"]["ckpt_name"] = "tiny-sd1.safetensors"
    with pytest.raises(NodeInputError, match="SDXL CLIP is required"):
        render(graph)


def png_bytes(*, size: tuple[int, int], alpha: bool) -> bytes:
    rng = np.random.default_rng(0)
    channels = 4 if alpha else 3
    array = rng.integers(0, 256, size=(size[1], size[0], channels), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array, "RGBA" if alpha else "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def img2img_graph() -> dict[str, Any]:
    graph = txt2img_graph(steps=4)
    del graph["5"]
    graph["30"] = {"class_type": "LoadImage", "inputs": {"image": "input.png"}}
    graph["31"] = {
        "class_type": "ImageScale",
        "inputs": {
            "image": ["30", 0],
            "upscale_method": "bilinear",
            "width": 48,
            "height": 0,
            "crop": "disabled",
        },
    }
    graph["32"] = {
        "class_type": "ImageScaleBy",
        "inputs": {"image": ["31", 0], "upscale_method": "lanczos", "scale_by": 0.75},
    }
    graph["33"] = {"class_type": "VAEEncode", "inputs": {"pixels": ["32", 0], "vae": ["4", 2]}}
    graph["3"]["inputs"]["latent_image"] = ["33", 0]
    graph["3"]["inputs"]["denoise"] = 0.5
    graph["34"] = {
        "class_type": "LatentUpscale",
        "inputs": {
            "samples": ["3", 0],
            "upscale_method": "nearest-exact",
            "width": 64,
            "height": 64,
            "crop": "center",
        },
    }
    graph["35"] = {
        "class_type": "LatentUpscaleBy",
        "inputs": {"samples": ["34", 0], "upscale_method": "bicubic", "scale_by": 0.5},
    }
    graph["8"]["inputs"]["samples"] = ["35", 0]
    return graph


def test_img2img_chain_through_load_scale_encode_and_latent_upscale(
    tiny_dir: Path, component_cache: Any
) -> None:
    resources = Resources(
        model_dirs=[tiny_dir],
        cache=component_cache,
        input_images={"input.png": png_bytes(size=(40, 30), alpha=False)},
    )
    result = render_graph(
        graph=img2img_graph(), resources=resources, profile=get_profile(name=CPU_FP32)
    )
    # 40×30 → 48×36 → 36×27 → VAE crop 32×24 → latent 4×3 → 64×64 px target → 8×8 → ×0.5 → 4×4.
    assert result.images[0].pixels.shape == (32, 32, 3)
    again = render_graph(
        graph=img2img_graph(), resources=resources, profile=get_profile(name=CPU_FP32)
    )
    assert np.array_equal(result.images[0].pixels, again.images[0].pixels)


def test_load_image_mask_comes_from_alpha(tiny_dir: Path, component_cache: Any) -> None:
    from renderworker.engine.nodes.images import load_image
    from renderworker.engine.nodes.spec import RunState

    resources = Resources(
        model_dirs=[tiny_dir],
        input_images={
            "a.png": png_bytes(size=(8, 6), alpha=True),
            "b.png": png_bytes(size=(8, 6), alpha=False),
        },
    )
    state = RunState(resources=resources, profile=get_profile(name=CPU_FP32))
    image, mask = load_image(state, image="a.png")
    raw = np.array(Image.open(io.BytesIO(resources.input_images["a.png"])))
    assert image.shape == (1, 6, 8, 3) and mask.shape == (1, 6, 8)
    assert np.allclose(mask[0].numpy(), 1.0 - raw[..., 3] / 255.0)
    _, no_alpha = load_image(state, image="b.png")
    assert no_alpha.shape == (1, 64, 64) and float(no_alpha.abs().sum()) == 0.0


def test_output_pixels_are_truncated_not_rounded() -> None:
    import torch

    from renderworker.engine.nodes.images import to_uint8

    image = torch.tensor([[[0.999, 0.5, 1.2]]])
    assert to_uint8(image).tolist() == [[[254, 127, 255]]]


def test_sdxl_embedding_uses_the_vectors_of_each_encoder(
    tiny_dir: Path, component_cache: Any, tmp_path: Path
) -> None:
    import shutil

    import torch
    from safetensors.torch import save_file

    models = tmp_path / "models"
    shutil.copytree(tiny_dir, models)
    save_file(
        {"clip_l": torch.ones(2, 32), "clip_g": torch.ones(2, 64)},
        str(models / "style.safetensors"),
    )
    save_file(
        {"clip_l": -torch.ones(2, 32), "clip_g": torch.ones(2, 64)},
        str(models / "other.safetensors"),
    )
    resources = Resources(model_dirs=[models], cache=component_cache)

    def run(text: str) -> np.ndarray:
        graph = txt2img_graph(checkpoint="tiny-sdxl.safetensors", positive=text)
        return (
            render_graph(graph=graph, resources=resources, profile=get_profile(name=CPU_FP32))
            .images[0]
            .pixels
        )

    styled = run("a cat embedding:style")
    assert not np.array_equal(styled, run("a cat"))
    assert not np.array_equal(styled, run("a cat embedding:other"))
