"""GPU report for the render engine (issue 5): full-size SD1.5 and SDXL with generated weights.

    python bench/gpu_engine.py [--families sd15 sdxl] [--json PATH]

For each family it builds the full-size architecture from the packaged configs
(renderworker/model_configs) with seeded random weights (nothing is downloaded) and a
generated 49,408-entry CLIP tokenizer, then:

1. renders the default txt2img graph at full size (512² / 1024², 20 steps, euler, cfg 7) under
   ``cuda-comfy`` twice and checks the PNG bytes are identical (determinism run to run), with
   per-node timings;
2. renders a smaller graph under ``cpu-fp32`` and ``cuda-comfy`` for each sampler and reports
   PSNR and SSIM between the two (same weights, same graph).

The weights are random, so images are not pictures; they still exercise every layer, the
samplers and the precision differences that a real model would see.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from renderworker.engine.checkpoint import LoadedCheckpoint, TextEncoderSlot, _tokenizer
from renderworker.engine.executor import render_graph
from renderworker.engine.families import ModelFamily
from renderworker.engine.model_config_dirs import PACKAGED_CONFIG_ROOT, read_json
from renderworker.engine.precision import CPU_FP32, CUDA_COMFY, get_profile
from renderworker.engine.resources import Resources
from renderworker.tiny_models import fill_deterministic, write_tokenizer

ALL_SAMPLERS = (
    "euler",
    "euler_ancestral",
    "heun",
    "dpm_2",
    "dpm_2_ancestral",
    "lms",
    "dpmpp_2m",
    "dpmpp_2s_ancestral",
    "dpmpp_sde",
    "dpmpp_2m_sde",
    "dpmpp_3m_sde",
    "ddim",
    "uni_pc",
    "lcm",
)
FAMILIES: dict[str, dict[str, Any]] = {
    "sd15": {
        "family": "sd1",
        "config": "sd15",
        "full": 512,
        "compare": 256,
        "samplers": ALL_SAMPLERS,
        "compare_steps": 8,
    },
    "sdxl": {
        "family": "sdxl",
        "config": "sdxl-base",
        "full": 1024,
        "compare": 256,
        "samplers": (
            "euler",
            "euler_ancestral",
            "heun",
            "dpmpp_2m",
            "dpmpp_sde",
            "dpmpp_2m_sde",
            "uni_pc",
            "lcm",
        ),
        "compare_steps": 6,
    },
}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM over RGB channels (Wang et al. 2004: 11×11 Gaussian window, σ 1.5)."""
    x = torch.from_numpy(a.astype(np.float64)).permute(2, 0, 1)[:, None]
    y = torch.from_numpy(b.astype(np.float64)).permute(2, 0, 1)[:, None]
    coords = torch.arange(11, dtype=torch.float64) - 5
    g = torch.exp(-(coords**2) / (2 * 1.5**2))
    g = g / g.sum()
    window = (g[:, None] @ g[None, :])[None, None]

    def blur(t: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.conv2d(t, window)

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    value = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(value.mean())


def config_dir_with_tokenizer(*, name: str, root: Path) -> Path:
    """A copy of the packaged config dir plus a generated full-size (49,408) CLIP tokenizer."""
    target = root / name
    shutil.copytree(PACKAGED_CONFIG_ROOT / name, target)
    write_tokenizer(directory=target / "tokenizer", vocab_size=49408, pad_token="<|endoftext|>")  # noqa: S106 (a token, not a password)
    if (target / "text_encoder_2").is_dir():
        write_tokenizer(directory=target / "tokenizer_2", vocab_size=49408, pad_token="!")  # noqa: S106 (a token, not a password)
    return target


def build_weights(
    *, config_dir: Path, seed: int, device: str = "cuda"
) -> dict[str, torch.nn.Module]:
    """Full-size modules with seeded random weights, built and filled on the GPU in float32."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    modules: dict[str, torch.nn.Module] = {}
    with torch.device(device):
        modules["unet"] = UNet2DConditionModel.from_config(
            read_json(config_dir / "unet" / "config.json")
        )
        modules["vae"] = AutoencoderKL.from_config(read_json(config_dir / "vae" / "config.json"))
        config_l = CLIPTextConfig.from_pretrained(
            str(config_dir / "text_encoder"), local_files_only=True
        )
        config_l._attn_implementation = "sdpa"
        modules["l"] = CLIPTextModel(config_l)
        if (config_dir / "text_encoder_2").is_dir():
            config_g = CLIPTextConfig.from_pretrained(
                str(config_dir / "text_encoder_2"), local_files_only=True
            )
            config_g._attn_implementation = "sdpa"
            modules["g"] = CLIPTextModelWithProjection(config_g)
    for index, name in enumerate(sorted(modules)):
        fill_deterministic(module=modules[name], seed=seed * 100 + index)
        modules[name].eval().requires_grad_(False)
    return modules


def checkpoint_for(
    *, family: str, modules: dict[str, torch.nn.Module], profile_name: str, config_dir: Path
) -> LoadedCheckpoint:
    profile = get_profile(name=profile_name)

    def placed(module: torch.nn.Module, dtype: torch.dtype) -> torch.nn.Module:
        return copy.deepcopy(module).to(device=profile.device, dtype=dtype)

    unet_config = read_json(config_dir / "unet" / "config.json")
    channels = unet_config["block_out_channels"]
    assert isinstance(channels, list)
    context = unet_config["cross_attention_dim"]
    assert isinstance(context, int)
    encoders: dict[str, TextEncoderSlot] = {}
    tokenizer_l = _tokenizer(directory=config_dir / "tokenizer")
    if family == "sd1":
        encoders["l"] = TextEncoderSlot(
            "l",
            placed(modules["l"], profile.text_storage_dtype),
            tokenizer_l,
            49406,
            49407,
            49407,
            None,
            True,
            False,
        )
    else:
        tokenizer_g = _tokenizer(directory=config_dir / "tokenizer_2")
        encoders["l"] = TextEncoderSlot(
            "l",
            placed(modules["l"], profile.text_storage_dtype),
            tokenizer_l,
            49406,
            49407,
            49407,
            -2,
            False,
            False,
        )
        encoders["g"] = TextEncoderSlot(
            "g",
            placed(modules["g"], profile.text_storage_dtype),
            tokenizer_g,
            49406,
            49407,
            0,
            -2,
            False,
            True,
        )
    fam = ModelFamily(
        name=family, prediction="eps", unet_channels=int(channels[0]), context_dim=context
    )
    return LoadedCheckpoint(
        identity=f"generated-{family}",
        family=fam,
        profile=profile,
        unet=placed(modules["unet"], profile.unet_dtype),
        vae=placed(modules["vae"], profile.vae_dtype),
        text_encoders=encoders,
        config_dir=config_dir,
        vae_scaling=fam.latent_scale,
    )


class PrebuiltResources(Resources):
    """Resources that hand out already-built checkpoints instead of reading files."""

    def __init__(self, checkpoints: dict[str, LoadedCheckpoint]) -> None:
        super().__init__()
        self.prebuilt = checkpoints

    def checkpoint(self, *, name: str, profile: Any) -> LoadedCheckpoint:  # type: ignore[override]
        return self.prebuilt[profile.name]


def graph(
    *, size: int, steps: int, sampler: str, scheduler: str = "normal", seed: int = 42
) -> dict[str, Any]:
    return {
        "4": {
            "class_type": "CheckpointLoaderSimple",
            "inputs": {"ckpt_name": "generated.safetensors"},
        },
        "5": {
            "class_type": "EmptyLatentImage",
            "inputs": {"width": size, "height": size, "batch_size": 1},
        },
        "6": {
            "class_type": "CLIPTextEncode",
            "inputs": {
                "text": "a photo of a (red:1.2) cat in a forest, detailed",
                "clip": ["4", 1],
            },
        },
        "7": {
            "class_type": "CLIPTextEncode",
            "inputs": {"text": "blurry, low quality", "clip": ["4", 1]},
        },
        "3": {
            "class_type": "KSampler",
            "inputs": {
                "seed": seed,
                "steps": steps,
                "cfg": 7.0,
                "sampler_name": sampler,
                "scheduler": scheduler,
                "denoise": 1.0,
                "model": ["4", 0],
                "positive": ["6", 0],
                "negative": ["7", 0],
                "latent_image": ["5", 0],
            },
        },
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {
            "class_type": "SaveImage",
            "inputs": {"filename_prefix": "bench", "images": ["8", 0]},
        },
    }


def run_family(key: str, *, work: Path, deadline: float) -> dict[str, Any]:
    spec = FAMILIES[key]
    report: dict[str, Any] = {"family": key}
    config_dir = config_dir_with_tokenizer(name=spec["config"], root=work)
    started = time.perf_counter()
    modules = build_weights(config_dir=config_dir, seed=7)
    checkpoints = {
        CUDA_COMFY: checkpoint_for(
            family=spec["family"], modules=modules, profile_name=CUDA_COMFY, config_dir=config_dir
        ),
        CPU_FP32: checkpoint_for(
            family=spec["family"], modules=modules, profile_name=CPU_FP32, config_dir=config_dir
        ),
    }
    del modules
    torch.cuda.empty_cache()
    report["build_seconds"] = round(time.perf_counter() - started, 1)
    resources = PrebuiltResources(checkpoints)
    full = graph(size=spec["full"], steps=20, sampler="euler")
    runs = []
    for _ in range(3):  # the first run warms kernels up; runs 2 and 3 are timed and compared
        result = render_graph(graph=full, resources=resources, profile=get_profile(name=CUDA_COMFY))
        runs.append(result)
    report["environment"] = runs[-1].environment
    report["full_size"] = spec["full"]
    report["deterministic_run_to_run"] = all(
        np.array_equal(runs[0].images[0].pixels, run.images[0].pixels) for run in runs[1:]
    )
    report["timings_seconds"] = {
        f"{t.node_id} {t.class_type}": round(t.seconds, 4) for t in runs[-1].timings
    }
    report["peak_gpu_mib"] = round(max(t.peak_memory_bytes for t in runs[-1].timings) / 2**20)
    print(
        f"[{key}] full {spec['full']}²: deterministic={report['deterministic_run_to_run']} timings={report['timings_seconds']}",
        flush=True,
    )
    comparisons = []
    for sampler in spec["samplers"]:
        if time.perf_counter() > deadline:
            comparisons.append({"sampler": sampler, "skipped": "time budget"})
            continue
        small = graph(
            size=spec["compare"], steps=spec["compare_steps"], sampler=sampler, scheduler="karras"
        )
        try:
            t0 = time.perf_counter()
            gpu = (
                render_graph(graph=small, resources=resources, profile=get_profile(name=CUDA_COMFY))
                .images[0]
                .pixels
            )
            t1 = time.perf_counter()
            cpu = (
                render_graph(graph=small, resources=resources, profile=get_profile(name=CPU_FP32))
                .images[0]
                .pixels
            )
            t2 = time.perf_counter()
            row = {
                "sampler": sampler,
                "psnr_db": round(float(psnr(cpu, gpu)), 2),
                "ssim": round(ssim(cpu, gpu), 4),
                "max_abs_diff": int(np.abs(cpu.astype(int) - gpu.astype(int)).max()),
                "gpu_seconds": round(t1 - t0, 2),
                "cpu_seconds": round(t2 - t1, 2),
            }
        except Exception as error:  # report and go on: one failing sampler must not hide the rest
            row = {"sampler": sampler, "error": f"{type(error).__name__}: {error}"[:300]}
        comparisons.append(row)
        print(f"[{key}] {row}", flush=True)
    report["cpu_vs_gpu"] = {
        "size": spec["compare"],
        "steps": spec["compare_steps"],
        "scheduler": "karras",
        "rows": comparisons,
    }
    del checkpoints, resources
    torch.cuda.empty_cache()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="+", default=["sd15", "sdxl"], choices=sorted(FAMILIES))
    parser.add_argument("--json", type=Path, help="write the report here")
    parser.add_argument(
        "--budget-seconds", type=float, default=540.0, help="stop comparing samplers after this"
    )
    arguments = parser.parse_args()
    if not torch.cuda.is_available():
        print("error: no CUDA GPU visible; this benchmark needs one", file=sys.stderr)
        return 2
    torch.set_num_threads(max(1, torch.get_num_threads()))
    deadline = time.perf_counter() + arguments.budget_seconds
    reports = []
    with tempfile.TemporaryDirectory() as work:
        for key in arguments.families:
            reports.append(run_family(key, work=Path(work), deadline=deadline))
            if arguments.json:
                arguments.json.write_text(json.dumps(reports, indent=1))
    print(json.dumps(reports, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
