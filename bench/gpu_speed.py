"""GPU speed and memory of the render worker (issue 6, "Speed"): one run, PASS/FAIL per target.

    python -u bench/gpu_speed.py [--families sd15 sdxl] [--out DIR]     # on an H100
    python -u bench/gpu_speed.py --smoke                                # CPU, tiny models

For each family (SD1.5 at 512², 20 steps; SDXL at 1024², 30 steps) it writes a full-size
fp16 checkpoint with generated weights (nothing is downloaded) and a kohya LoRA, then measures:

- disk read rate of that file and its cold load (page cache evicted before each) → ratio ≤ 2;
- the UNet step at batch 2 (cond + uncond) eager and compiled (``RENDER_COMPILE=1``) over its
  FLOP floor (FLOPs from ``FlopCounterMode``, peak from a bf16 GEMM timed in this run);
- the VAE decode over its floor, eager and compiled;
- compile time, and a second process started on the same compile cache (warm restart);
- a warm verification (declared render + 6 controls): wall ÷ the sum of its renders' pure
  compute (steps × UNet step + VAE decode + text encoding), and its peak GPU memory;
- a LoRA switch on the cached checkpoint ÷ one render; that the switch does not recompile and
  that the compiled UNet sees the new weights.

Each number is printed as soon as it is measured and appended to ``<out>/gpu_speed.json``
(``<out>`` = ``--out``, else ``$OUT``, else ``var/bench``).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("RENDER_COMPILE", "1")  # the worker's accelerated path is what is measured
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

GIB = 2**30
FAMILIES: dict[str, dict[str, Any]] = {
    "sd15": {"family": "sd1", "config": "sd15", "size": 512, "steps": 20, "step_target": 3.0, "memory_gib": 6.0},
    "sdxl": {"family": "sdxl", "config": "sdxl-base", "size": 1024, "steps": 30, "step_target": 2.2, "memory_gib": 14.0},
}
SMOKE = {"size": 64, "steps": 3}
VAE_TARGET = 4.0
RESTART_TARGET_S = 60.0
VERIFY_OVERHEAD_TARGET = 1.15
LORA_SWITCH_TARGET = 0.1
LOAD_TARGET = 2.0


class Report:
    """Prints each measurement at once and keeps the JSON file up to date."""

    def __init__(self, *, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []
        self.failed: list[str] = []

    def add(self, name: str, value: Any, *, unit: str = "", target: float | None = None, note: str = "") -> None:
        row: dict[str, Any] = {"name": name, "value": value, "unit": unit}
        verdict = ""
        if target is not None:
            passed = isinstance(value, (int, float)) and math.isfinite(value) and value <= target
            row["target"] = target
            row["pass"] = passed
            verdict = f"  [{'PASS' if passed else 'FAIL'} ≤ {target:g}]"
            if not passed:
                self.failed.append(name)
        if note:
            row["note"] = note
        self.rows.append(row)
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"[{time.perf_counter() - START:6.1f}s] {name}: {shown} {unit}{verdict}{'  (' + note + ')' if note else ''}", flush=True)
        self.path.write_text(json.dumps(self.rows, indent=1))


# --- timing ------------------------------------------------------------------------------------


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(function: Callable[[], Any], *, device: torch.device, warmup: int = 3, repeat: int = 15) -> float:
    """Median time of ``function`` (CUDA events on a GPU, a host clock after sync on the CPU)."""
    for _ in range(warmup):
        function()
    sync(device)
    times = []
    for _ in range(repeat):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            function()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / 1000)
        else:
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return float(statistics.median(times))


def matmul_peak(*, device: torch.device, smoke: bool) -> float:
    """FLOP/s of a large bf16 GEMM on random data (fp32 512² on the CPU in smoke mode)."""
    n, dtype = (512, torch.float32) if smoke else (8192, torch.bfloat16)
    pairs = [(torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)) for _ in range(3)]
    index = [0]

    def run() -> None:
        a, b = pairs[index[0] % 3]  # rotate inputs so that no run reads a cached result
        index[0] += 1
        torch.mm(a, b)

    return 2 * n**3 / median_seconds(run, device=device, warmup=5, repeat=20)


def count_flops(function: Callable[[], Any]) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        function()
    return int(counter.get_total_flops())


# --- disk --------------------------------------------------------------------------------------


def evict_from_page_cache(path: Path) -> None:
    """Drop the file's pages from the page cache (no root needed for clean pages)."""
    os.sync()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def disk_read_rate(path: Path) -> float:
    """Bytes/s of a cold sequential read of ``path`` in 16 MiB chunks."""
    evict_from_page_cache(path)
    buffer = bytearray(16 * 2**20)
    view = memoryview(buffer)
    total = 0
    started = time.perf_counter()
    with path.open("rb", buffering=0) as handle:
        while True:
            read = handle.readinto(view)
            if not read:
                break
            total += read
    return total / (time.perf_counter() - started)


# --- models ------------------------------------------------------------------------------------


def write_models(*, key: str, work: Path, smoke: bool, device: torch.device) -> dict[str, Any]:
    """Checkpoint + LoRA files (and the model-config dir) under ``work/models``; returns names/paths."""
    from safetensors.torch import save_file

    from renderworker import tiny_models

    models = work / "models"
    spec = FAMILIES[key]
    if smoke:
        written = tiny_models.write_tiny_models(directory=models, seed=0)
        checkpoint = tiny_models.TINY_SD1 if key == "sd15" else tiny_models.TINY_SDXL
        lora = tiny_models.TINY_SD1_LORA_KOHYA if key == "sd15" else tiny_models.TINY_SDXL_LORA_KOHYA
        return {"checkpoint": checkpoint, "lora": lora, "path": written[checkpoint]}
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    from renderworker.engine.model_config_dirs import PACKAGED_CONFIG_ROOT, read_json

    config_dir = models / "model_configs" / spec["config"]
    shutil.copytree(PACKAGED_CONFIG_ROOT / spec["config"], config_dir)
    tiny_models.write_tokenizer(directory=config_dir / "tokenizer", vocab_size=49408, pad_token="<|endoftext|>")
    if (config_dir / "text_encoder_2").is_dir():
        tiny_models.write_tokenizer(directory=config_dir / "tokenizer_2", vocab_size=49408, pad_token="!")
    components: dict[str, torch.nn.Module] = {}
    with torch.device(device):
        components["unet"] = UNet2DConditionModel.from_config(read_json(config_dir / "unet" / "config.json"))
        components["vae"] = AutoencoderKL.from_config(read_json(config_dir / "vae" / "config.json"))
        components["clip_l"] = CLIPTextModel(CLIPTextConfig.from_pretrained(str(config_dir / "text_encoder")))
        if spec["family"] == "sdxl":
            components["clip_g"] = CLIPTextModelWithProjection(CLIPTextConfig.from_pretrained(str(config_dir / "text_encoder_2")))
    for index, name in enumerate(sorted(components)):
        tiny_models.fill_deterministic(module=components[name], seed=700 + index)
    state = tiny_models.components_to_ldm(family=spec["family"], components=components)
    # fp16 on disk, as the checkpoints people share (2.1 GB SD1.5, 6.9 GB SDXL).
    state = {name: tensor.to(torch.float16).cpu() for name, tensor in state.items()}
    path = models / f"generated-{key}.safetensors"
    save_file(state, str(path))
    lora_tensors = tiny_models.tiny_lora(family=spec["family"], style="kohya", seed=71, components=components)
    save_file(lora_tensors, str(models / f"generated-{key}-lora.safetensors"))
    del state, components
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return {"checkpoint": path.name, "lora": f"generated-{key}-lora.safetensors", "path": path}


def graph(*, checkpoint: str, lora: str, size: int, steps: int, seed: int = 42) -> dict[str, Any]:
    """txt2img with one LoRA: the shape of a typical Blueprint."""
    return {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": checkpoint}},
        "10": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "lora_name": lora,
                                                       "strength_model": 0.8, "strength_clip": 0.8}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": size, "height": size, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a photo of a red cat in a forest, detailed", "clip": ["10", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry, low quality", "clip": ["10", 1]}},
        "3": {"class_type": "KSampler", "inputs": {
            "seed": seed, "steps": steps, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
            "model": ["10", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "bench", "images": ["8", 0]}},
    }


def unet_inputs(*, checkpoint: Any, size: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Batch-2 inputs shaped and typed exactly as ModelCaller passes them (so graphs are shared)."""
    profile = checkpoint.profile
    device, dtype = profile.device, profile.unet_dtype
    generator = torch.Generator(device=device).manual_seed(5)
    latent = size // 8
    x = torch.randn(2, 4, latent, latent, device=device, generator=generator).to(dtype)
    timestep = torch.tensor([500.0, 500.0], device=device)
    context = torch.randn(2, 77, checkpoint.family.context_dim, device=device, generator=generator).to(dtype)
    kwargs: dict[str, Any] = {"encoder_hidden_states": context, "return_dict": False}
    if checkpoint.family.name == "sdxl":
        pooled = int(checkpoint.unet.config.projection_class_embeddings_input_dim) - 6 * int(checkpoint.unet.config.addition_time_embed_dim)
        kwargs["added_cond_kwargs"] = {
            "text_embeds": torch.randn(2, pooled, device=device, generator=generator),
            "time_ids": torch.tensor([[size, size, 0, 0, size, size]] * 2, dtype=torch.float32, device=device),
        }
    return (x, timestep), kwargs


# --- the measurements --------------------------------------------------------------------------


def measure_family(key: str, *, report: Report, work: Path, smoke: bool, peak: float, cache_dir: Path, try_channels_last: bool,
                   load_variants: tuple[str, ...]) -> None:
    from renderworker.engine import acceleration
    from renderworker.engine.checkpoint import load_checkpoint
    from renderworker.engine.executor import render_graph
    from renderworker.engine.lora import UNET, patcher_for
    from renderworker.engine.precision import (
        CPU_FP32,
        CUDA_COMFY,
        apply_deterministic_settings,
        attention_kernels,
        get_profile,
    )
    from renderworker.engine.resources import Resources
    from renderworker.jobs import VerificationJob
    from renderworker.models import LoadedComponentCache, sha256_file_cached
    from renderworker.objects import LocalObjects
    from renderworker.verify import RenderContext, run_verification

    spec = FAMILIES[key]
    size, steps = (SMOKE["size"], SMOKE["steps"]) if smoke else (spec["size"], spec["steps"])
    profile = get_profile(name=CPU_FP32 if smoke else CUDA_COMFY)
    device = profile.device
    p = f"{key}"
    started = time.perf_counter()
    files = write_models(key=key, work=work, smoke=smoke, device=device)
    path: Path = files["path"]
    report.add(f"{p} checkpoint file", round(path.stat().st_size / GIB, 3), unit="GiB",
               note=f"generated and written in {time.perf_counter() - started:.1f} s")

    # Cold load vs the disk: both read the file after evicting it from the page cache.
    rate = disk_read_rate(path)
    report.add(f"{p} disk read rate", round(rate / GIB, 3), unit="GiB/s")
    hashing = time.perf_counter()
    sha = sha256_file_cached(path)
    report.add(f"{p} sha256 of the file (once per file, before a first load)", round(time.perf_counter() - hashing, 2), unit="s")
    resources = Resources(model_dirs=[work / "models"], cache=LoadedComponentCache(max_entries=2))
    roots = resources.all_config_roots()
    floor_load = path.stat().st_size / rate
    # "engine": load_checkpoint as the worker calls it (with RENDER_COMPILE=1 it skips the random
    # initial weights itself); "skip-init" forces acceleration.skip_weight_init around it.
    variants = [("cold load (engine)", None), ("cold load with acceleration.skip_weight_init", acceleration.skip_weight_init)]
    variants = [variant for variant in variants if (variant[1] is None) == ("as-is" in load_variants) or (variant[1] is not None) == ("skip-init" in load_variants)]
    for label, wrapper in variants:
        evict_from_page_cache(path)
        sync(device)
        loading = time.perf_counter()
        if wrapper is None:
            loaded = load_checkpoint(path=path, profile=profile, config_roots=roots, identity=sha)
        else:
            with wrapper():
                loaded = load_checkpoint(path=path, profile=profile, config_roots=roots, identity=sha)
        sync(device)
        seconds = time.perf_counter() - loading
        report.add(f"{p} {label} ÷ (file size ÷ disk rate)", round(seconds / floor_load, 2), target=LOAD_TARGET,
                   note=f"{seconds:.2f} s vs {floor_load:.2f} s")
        if label != variants[-1][0]:
            del loaded  # the second load is the one the rest of the run uses
            if device.type == "cuda":
                torch.cuda.empty_cache()
    checkpoint = loaded
    resources.cache.get_or_load(key=(sha, profile.name), load=lambda: checkpoint)

    # UNet step at batch 2, eager and compiled, over its FLOP floor.
    apply_deterministic_settings()
    args, kwargs = unet_inputs(checkpoint=checkpoint, size=size)
    with torch.inference_mode(), attention_kernels(profile=profile):
        flops = count_flops(lambda: checkpoint.unet(*args, **kwargs))
        floor = flops / peak
        report.add(f"{p} UNet FLOPs per step (batch 2, {size}²)", round(flops / 1e12, 3), unit="TFLOP",
                   note=f"floor {floor * 1e3:.2f} ms")
        eager = median_seconds(lambda: checkpoint.unet(*args, **kwargs), device=device)
        report.add(f"{p} UNet step eager ÷ floor", round(eager / floor, 2), note=f"{eager * 1e3:.2f} ms")
        reference = checkpoint.unet(*args, **kwargs)[0].float()
        compiled = acceleration.accelerated_unet(checkpoint=checkpoint)
        compiling = time.perf_counter()
        for _ in range(3):  # compile + warm-up + CUDA-graph recording under reduce-overhead
            out = compiled(*args, **kwargs)[0].float()
        sync(device)
        unet_compile = time.perf_counter() - compiling
        report.add(f"{p} UNet compile (first 3 calls)", round(unet_compile, 1), unit="s",
                   note=f"mode {getattr(compiled, 'mode', 'eager')}, cache {cache_dir}")
        error = float((out - reference).norm() / reference.norm())
        report.add(f"{p} UNet compiled vs eager, relative L2", round(error, 5))
        fast = median_seconds(lambda: compiled(*args, **kwargs), device=device)
        report.add(f"{p} UNet step compiled ÷ floor", round(fast / floor, 2), target=spec["step_target"], note=f"{fast * 1e3:.2f} ms")

        # VAE decode (batch 1, as VAEDecode runs it).
        vae = checkpoint.vae
        latents = torch.randn(1, 4, size // 8, size // 8, device=device, generator=torch.Generator(device=device).manual_seed(9)).to(profile.vae_dtype)
        vae_flops = count_flops(lambda: vae.decode(latents, return_dict=False))
        vae_floor = vae_flops / peak
        eager_vae = median_seconds(lambda: vae.decode(latents, return_dict=False), device=device, repeat=7)
        report.add(f"{p} VAE decode eager ÷ floor", round(eager_vae / vae_floor, 2),
                   note=f"{eager_vae * 1e3:.1f} ms, {vae_flops / 1e12:.2f} TFLOP")
        decoder = acceleration.vae_decoder(module=vae)
        compiling = time.perf_counter()
        decoder(latents)
        decoder(latents)
        sync(device)
        vae_compile = time.perf_counter() - compiling
        fast_vae = median_seconds(lambda: decoder(latents), device=device, repeat=7)
        report.add(f"{p} VAE decode compiled ÷ floor", round(fast_vae / vae_floor, 2), target=VAE_TARGET,
                   note=f"{fast_vae * 1e3:.1f} ms; compile {vae_compile:.1f} s")
        report.add(f"{p} compile time, UNet + VAE (cold cache)", round(unet_compile + vae_compile, 1), unit="s")
        del out, reference

    # A verification: declared render + controls, rendered through the worker's own entry point.
    names = {"checkpoint": files["checkpoint"], "lora": files["lora"]}
    declared = graph(**names, size=size, steps=steps)
    objects = LocalObjects(work / "objects")
    first = render_graph(graph=copy.deepcopy(declared), resources=resources, profile=profile)  # warms text/LoRA paths
    buffer = io.BytesIO()
    from PIL import Image

    Image.fromarray(first.images[0].pixels).save(buffer, "PNG")
    objects.put("showcase.png", buffer.getvalue())
    render_started = time.perf_counter()
    warm = render_graph(graph=copy.deepcopy(declared), resources=resources, profile=profile)
    one_render = time.perf_counter() - render_started
    text_seconds = sum(t.seconds for t in warm.timings if t.class_type == "CLIPTextEncode")
    pure = steps * fast + fast_vae + text_seconds
    report.add(f"{p} one warm render (wall)", round(one_render, 3), unit="s",
               note=f"pure compute {pure:.3f} s = {steps}×{fast * 1e3:.2f} ms UNet + {fast_vae * 1e3:.1f} ms VAE + {text_seconds * 1e3:.1f} ms text")
    same = bool((warm.images[0].pixels == first.images[0].pixels).all())
    report.add(f"{p} warm render repeats the first exactly", same)
    job = VerificationJob(run_id=f"bench-{key}", graph=declared, resources=[], showcase_key="showcase.png",
                          output_prefix=f"out/{key}", controls=True, profile=profile.name)
    context = RenderContext(resources=resources, profile=profile)
    run_verification(job=job, context=context, objects=objects, report=lambda event: None)  # compiles any new shapes
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    verify_started = time.perf_counter()
    result = run_verification(job=job, context=context, objects=objects, report=lambda event: None)
    wall = time.perf_counter() - verify_started
    from renderworker.controls import control_variants

    renders = 1 + len(control_variants(declared))
    report.add(f"{p} warm verification verdict", result.status, note=result.reason[:160])
    report.add(f"{p} warm verification wall ÷ Σ pure compute", round(wall / (renders * pure), 3), target=VERIFY_OVERHEAD_TARGET,
               note=f"{wall:.2f} s for {renders} renders, stages {result.timings}")
    if device.type == "cuda":
        allocated = torch.cuda.max_memory_allocated(device) / GIB
        reserved = torch.cuda.max_memory_reserved(device) / GIB
        report.add(f"{p} peak GPU memory of the verification (reserved)", round(reserved, 2), unit="GiB", target=spec["memory_gib"],
                   note=f"allocated peak {allocated:.2f} GiB")

    # LoRA switch on the cached checkpoint: in-place, no recompilation, the new weights are used.
    lora = resources.lora(name=files["lora"], checkpoint=checkpoint)
    targets = [UNET, *checkpoint.text_encoders]
    sets = [[(lora, 0.8)], [(lora, 1.0)], []]
    from torch._dynamo.utils import counters

    with torch.inference_mode(), attention_kernels(profile=profile):
        graphs_before = counters["stats"]["unique_graphs"]
        switch_times = []
        for index in range(9):
            sync(device)
            switching = time.perf_counter()
            for target in targets:
                patcher_for(checkpoint=checkpoint, target=target).ensure(loras=sets[index % 3])
            sync(device)
            switch_times.append(time.perf_counter() - switching)
            if index % 3 == 2:
                compiled(*args, **kwargs)
        switch = statistics.median(switch_times)
        report.add(f"{p} LoRA switch ÷ one render", round(switch / one_render, 4), target=LORA_SWITCH_TARGET,
                   note=f"{switch * 1e3:.1f} ms for {len(lora.patches)} patches")
        patcher_for(checkpoint=checkpoint, target=UNET).ensure(loras=sets[1])
        after = compiled(*args, **kwargs)[0].float()
        eager_after = checkpoint.unet(*args, **kwargs)[0].float()
        patcher_for(checkpoint=checkpoint, target=UNET).ensure(loras=[])
        without = compiled(*args, **kwargs)[0].float()
        graphs_after = counters["stats"]["unique_graphs"]
        report.add(f"{p} compiled UNet after a LoRA switch vs eager, relative L2",
                   round(float((after - eager_after).norm() / eager_after.norm()), 5),
                   note=f"LoRA on vs off differ by {float((after - without).norm() / without.norm()):.4f}")
        report.add(f"{p} new dynamo graphs during LoRA switches (0 = no recompilation)", int(graphs_after - graphs_before))

    # Warm restart: a second process on the same compile cache, from start to compiled outputs.
    command = [sys.executable, "-u", str(Path(__file__).resolve()), "--restart-child", key, "--work", str(work),
               "--cache-dir", str(cache_dir), "--checkpoint", str(path)] + (["--smoke"] if smoke else [])
    restarting = time.perf_counter()
    child = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RENDER_COMPILE": "1"})
    restart = time.perf_counter() - restarting
    lines = [line for line in child.stdout.splitlines() if line.startswith("RESTART ")]
    if child.returncode != 0 or not lines:
        report.add(f"{p} warm restart (new process → compiled UNet + VAE outputs)", float("nan"), unit="s", target=RESTART_TARGET_S,
                   note=f"child failed rc={child.returncode}: {child.stderr[-600:]}")
    else:
        report.add(f"{p} warm restart (new process → compiled UNet + VAE outputs)", round(restart, 1), unit="s",
                   target=RESTART_TARGET_S, note=lines[-1][len("RESTART "):])
    if try_channels_last:
        # Variant: NHWC UNet weights (RENDER_COMPILE_CHANNELS_LAST=1); the changed strides recompile.
        # Compiled graphs assume the strides they were traced with (CUDA graphs do not re-check
        # them), so start over: in the worker, RENDER_COMPILE_CHANNELS_LAST converts before compiling.
        torch._dynamo.reset()
        checkpoint.unet.to(memory_format=torch.channels_last)
        compiled = acceleration.CompiledUNet(module=checkpoint.unet, mode=getattr(compiled, "mode", "reduce-overhead"))
        with torch.inference_mode(), attention_kernels(profile=profile):
            compiling = time.perf_counter()
            for _ in range(3):
                out = compiled(*args, **kwargs)[0].float()
            sync(device)
            seconds = time.perf_counter() - compiling
            reference = checkpoint.unet(*args, **kwargs)[0].float()
            error = float((out - reference).norm() / reference.norm())
            nhwc = median_seconds(lambda: compiled(*args, **kwargs), device=device)
        report.add(f"{p} variant: UNet step compiled, channels_last ÷ floor", round(nhwc / floor, 2),
                   note=f"{nhwc * 1e3:.2f} ms; compile {seconds:.1f} s; vs eager rel. L2 {error:.5f}")


def restart_child(key: str, *, work: Path, checkpoint_path: Path, smoke: bool) -> None:
    """A fresh worker: import, load the checkpoint (page cache warm), run the compiled UNet and VAE."""
    from renderworker.engine import acceleration
    from renderworker.engine.checkpoint import load_checkpoint
    from renderworker.engine.precision import (
        CPU_FP32,
        CUDA_COMFY,
        apply_deterministic_settings,
        attention_kernels,
        get_profile,
    )
    from renderworker.engine.resources import Resources

    imported = time.perf_counter()
    profile = get_profile(name=CPU_FP32 if smoke else CUDA_COMFY)
    size = SMOKE["size"] if smoke else FAMILIES[key]["size"]
    checkpoint = load_checkpoint(path=checkpoint_path, profile=profile, config_roots=Resources(model_dirs=[work / "models"]).all_config_roots())
    sync(profile.device)
    loaded = time.perf_counter()
    apply_deterministic_settings()
    args, kwargs = unet_inputs(checkpoint=checkpoint, size=size)
    with torch.inference_mode(), attention_kernels(profile=profile):
        compiled = acceleration.accelerated_unet(checkpoint=checkpoint)
        for _ in range(3):
            compiled(*args, **kwargs)[0].float()
        latents = torch.randn(1, 4, size // 8, size // 8, device=profile.device).to(profile.vae_dtype)
        decoder = acceleration.vae_decoder(module=checkpoint.vae)
        decoder(latents)
        decoder(latents)
    sync(profile.device)
    done = time.perf_counter()
    print(f"RESTART imports {imported - START:.1f} s, "
          f"load {loaded - imported:.1f} s, compiled UNet+VAE warm {done - loaded:.1f} s", flush=True)


START = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--families", nargs="+", default=["sd15", "sdxl"], choices=sorted(FAMILIES))
    parser.add_argument("--smoke", action="store_true", help="CPU, tiny models, tiny sizes: checks the script runs")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cache-dir", type=Path, default=None, help="compile cache (default: a fresh one under the work dir)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--load-variants", nargs="+", default=["as-is", "skip-init"], choices=["as-is", "skip-init"],
                        help="which cold loads to time (the last one is kept for the rest of the run)")
    parser.add_argument("--try-channels-last", action="store_true", help="also time the compiled UNet with NHWC weights")
    parser.add_argument("--checkpoint", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--restart-child", choices=sorted(FAMILIES), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    from renderworker.engine import acceleration

    if arguments.restart_child:
        acceleration.configure_compile_cache(directory=arguments.cache_dir)
        restart_child(arguments.restart_child, work=arguments.work, checkpoint_path=arguments.checkpoint, smoke=arguments.smoke)
        return 0
    if not arguments.smoke and not torch.cuda.is_available():
        print("error: no CUDA GPU visible; run with --smoke on a CPU", file=sys.stderr)
        return 2
    out = arguments.out or Path(os.environ.get("OUT") or ROOT / "var" / "bench")
    out.mkdir(parents=True, exist_ok=True)
    report = Report(path=out / "gpu_speed.json")
    device = torch.device("cpu" if arguments.smoke else "cuda")
    if device.type == "cuda":
        report.add("device", torch.cuda.get_device_name(device), note=f"torch {torch.__version__}, CUDA {torch.version.cuda}")
    peak = matmul_peak(device=device, smoke=arguments.smoke)
    report.add("matmul peak (bf16 8192³; fp32 512³ in smoke)", round(peak / 1e12, 1), unit="TFLOP/s")
    with tempfile.TemporaryDirectory(prefix="gpu-speed-") as temporary:
        for key in arguments.families:
            work = (arguments.work or Path(temporary)) / key
            work.mkdir(parents=True, exist_ok=True)
            cache_dir = arguments.cache_dir or Path(temporary) / "compile-cache"
            acceleration.configure_compile_cache(directory=cache_dir)
            try:
                measure_family(key, report=report, work=work, smoke=arguments.smoke, peak=peak, cache_dir=cache_dir,
                               try_channels_last=arguments.try_channels_last, load_variants=tuple(arguments.load_variants))
            except Exception as error:  # report and go on: one family failing must not hide the other
                import traceback

                traceback.print_exc()
                report.add(f"{key} aborted", f"{type(error).__name__}: {error}"[:400])
                report.failed.append(f"{key} aborted")
            shutil.rmtree(work / "models", ignore_errors=True)
            # Release this family's graphs and CUDA-graph pools before the next one is measured.
            import gc

            torch._dynamo.reset()
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()
    print("\nSUMMARY")
    for row in report.rows:
        if "pass" in row:
            print(f"  {'PASS' if row['pass'] else 'FAIL'}  {row['name']}: {row['value']} (target ≤ {row['target']:g})")
    print(f"{len(report.failed)} target(s) failed" if report.failed else "all targets pass", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
