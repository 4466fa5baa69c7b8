"""Calibrate the verification thresholds (docs/verification.md, "Thresholds").

Renders one genuine graph and each perturbation of it (seed + 1, each LoRA weight ± 0.1 and
± 0.2, the LoRA removed, cfg ± 1, steps ± 1) with the render engine, then prints the
perceptual distance (GMSD) of each perturbation to the genuine render, PSNR and SSIM, and the
margins of the chosen thresholds:

* ``min_separation`` must sit above the reproduction noise (the same graph on another
  profile or machine) and below every perturbation a control must catch;
* ``ceiling`` must sit above the reproduction noise and below perturbations that no control
  covers (steps ± 1);
* ``ratio`` is a relative test and has no calibration target beyond the two above.

    .venv-render/bin/python bench/verification_calibration.py [--size 64] [--steps 4]
        [--models DIR] [--profiles cpu-fp32,cuda-comfy]

With a GPU, ``--profiles cpu-fp32,cuda-comfy`` adds the cross-profile row (same graph on
both), which is the reproduction noise a real showcase brings. Without one only cpu-fp32 runs.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from renderworker import compare  # noqa: E402
from renderworker.controls import control_variants  # noqa: E402


def genuine_graph(*, size: int, steps: int, checkpoint: str, lora: str) -> dict[str, Any]:
    """A txt2img graph with one LoRA, as a creator would upload it (API format)."""
    return {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": checkpoint}},
        "10": {
            "class_type": "LoraLoader",
            "inputs": {"lora_name": lora, "strength_model": 0.8, "strength_clip": 0.8, "model": ["4", 0], "clip": ["4", 1]},
        },
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": size, "height": size, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red cat on a blue chair, sunset", "clip": ["10", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["10", 1]}},
        "3": {
            "class_type": "KSampler",
            "inputs": {
                "seed": 42, "steps": steps, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
                "model": ["10", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0],
            },
        },
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "calibration"}},
    }


def perturbations(graph: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(name, graph, covered by a control) for every tampering the study measures."""
    found: list[tuple[str, dict[str, Any], bool]] = [(c.name, c.graph, True) for c in control_variants(graph)]
    for delta in (0.1, -0.1):
        changed = copy.deepcopy(graph)
        for key in ("strength_model", "strength_clip"):
            changed["10"]["inputs"][key] = round(changed["10"]["inputs"][key] + delta, 6)
        found.append((f"lora:10:strength{delta:+.1f}", changed, False))
    for delta in (1, -1):
        changed = copy.deepcopy(graph)
        changed["3"]["inputs"]["steps"] += delta
        found.append((f"steps{delta:+d}", changed, False))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--models", help="folder of model files (default: tiny models generated in a temp dir)")
    parser.add_argument("--checkpoint", default="tiny-sd1.safetensors")
    parser.add_argument("--lora", default="tiny-sd1-lora-kohya.safetensors")
    parser.add_argument("--profiles", default="cpu-fp32", help="comma-separated; the first is the reference")
    arguments = parser.parse_args()

    import torch

    from renderworker.engine.executor import render_graph
    from renderworker.engine.precision import get_profile
    from renderworker.engine.resources import Resources

    torch.set_num_threads(max(1, min(8, torch.get_num_threads())))
    with tempfile.TemporaryDirectory() as scratch:
        models = Path(arguments.models) if arguments.models else Path(scratch)
        if not arguments.models:
            from renderworker.tiny_models import write_tiny_models

            write_tiny_models(directory=models)
        resources = Resources(model_dirs=[models])
        graph = genuine_graph(size=arguments.size, steps=arguments.steps, checkpoint=arguments.checkpoint, lora=arguments.lora)

        def render(graph: dict[str, Any], profile: str) -> Any:
            return render_graph(graph=copy.deepcopy(graph), resources=resources, profile=get_profile(name=profile)).images[0].pixels

        profiles = [name.strip() for name in arguments.profiles.split(",") if name.strip()]
        started = time.perf_counter()
        reference = render(graph, profiles[0])
        rows: list[tuple[str, compare.Metrics, str]] = []
        rows.append(("same graph, same profile", compare.measure(reference, render(graph, profiles[0])), "noise"))
        for other in profiles[1:]:
            rows.append((f"same graph on {other}", compare.measure(reference, render(graph, other)), "noise"))
        for name, changed, covered in perturbations(graph):
            rows.append((name, compare.measure(reference, render(changed, profiles[0])), "control" if covered else "ceiling"))
        seconds = time.perf_counter() - started

    print(f"graph: {arguments.checkpoint} + {arguments.lora} @ {arguments.size}², {arguments.steps} steps; reference {profiles[0]}")
    print(f"{'variant':<28} {'GMSD':>8} {'PSNR dB':>8} {'SSIM':>7}  caught by")
    for name, metrics, kind in rows:
        values = metrics.as_dict()
        psnr = "inf" if values["psnr"] is None else f"{values['psnr']:.2f}"
        print(f"{name:<28} {metrics.perceptual:>8.4f} {psnr:>8} {metrics.ssim:>7.4f}  {kind}")
    noise = max(m.perceptual for _, m, kind in rows if kind == "noise")
    controls = min(m.perceptual for _, m, kind in rows if kind == "control")
    uncovered = min(m.perceptual for _, m, kind in rows if kind == "ceiling")
    print()
    print(f"reproduction noise (max)          {noise:.4f}")
    print(f"smallest control perturbation     {controls:.4f}")
    print(f"smallest uncovered perturbation   {uncovered:.4f}")
    print(
        f"min_separation {compare.DEFAULT_MIN_SEPARATION}: margin above noise {compare.DEFAULT_MIN_SEPARATION - noise:+.4f}, "
        f"below smallest control {controls - compare.DEFAULT_MIN_SEPARATION:+.4f}"
    )
    print(
        f"ceiling {compare.DEFAULT_CEILING}: margin above noise {compare.DEFAULT_CEILING - noise:+.4f}, "
        f"below smallest uncovered {uncovered - compare.DEFAULT_CEILING:+.4f}"
    )
    print(f"ratio {compare.DEFAULT_RATIO}; {len(rows)} renders compared in {seconds:.1f} s")
    ok = noise < compare.DEFAULT_MIN_SEPARATION <= controls and noise < compare.DEFAULT_CEILING < uncovered
    print("thresholds separate noise from every perturbation" if ok else "THRESHOLDS DO NOT SEPARATE: recalibrate")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
