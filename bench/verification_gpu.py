"""GPU part of the verification calibration (docs/verification.md, "Thresholds").

    python -u bench/verification_gpu.py [--families sd15 sdxl] [--cpu-families sd15] [--out DIR]

Per family (full-size SD1.5 at 512², 20 steps; SDXL at 1024², 30 steps; generated weights
written by bench/gpu_speed.py's ``write_models``, nothing downloaded) it renders one genuine
graph on cuda-comfy twice (same-profile noise), once on cpu-fp32 for the families in
``--cpu-families`` (cross-profile noise: a showcase made on other hardware), and every
perturbation of bench/verification_calibration.py on cuda-comfy, then prints GMSD/PSNR/SSIM
to the genuine cuda-comfy render and the margins of renderworker.compare's thresholds.
Results go to ``<out>/verification_gpu.json`` (``--out``, else ``$OUT``, else ``var/bench``).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from renderworker import compare  # noqa: E402

FAMILIES = {"sd15": (512, 20), "sdxl": (1024, 30)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", nargs="+", default=["sd15", "sdxl"])
    parser.add_argument("--cpu-families", nargs="*", default=["sd15"])
    parser.add_argument("--out")
    arguments = parser.parse_args()

    from gpu_speed import graph as bench_graph
    from gpu_speed import write_models
    from verification_calibration import perturbations

    from renderworker.engine.executor import render_graph
    from renderworker.engine.precision import get_profile
    from renderworker.engine.resources import Resources

    out = Path(arguments.out or os.environ.get("OUT") or "var/bench")
    out.mkdir(parents=True, exist_ok=True)
    device = torch.device("cuda")
    results: dict[str, Any] = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "thresholds": {
        "ceiling": compare.DEFAULT_CEILING, "min_separation": compare.DEFAULT_MIN_SEPARATION, "ratio": compare.DEFAULT_RATIO}}
    for family in arguments.families:
        size, steps = FAMILIES[family]
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            files = write_models(key=family, work=Path(scratch), smoke=False, device=device)
            resources = Resources(model_dirs=[Path(scratch) / "models"])
            genuine = bench_graph(checkpoint=files["checkpoint"], lora=files["lora"], size=size, steps=steps)

            def render(graph: dict[str, Any], profile: str) -> Any:
                return render_graph(graph=copy.deepcopy(graph), resources=resources, profile=get_profile(name=profile)).images[0].pixels

            reference = render(genuine, "cuda-comfy")
            rows: list[tuple[str, compare.Metrics, str]] = [("same graph, cuda-comfy again", compare.measure(reference, render(genuine, "cuda-comfy")), "noise")]
            print(f"{family}: models written and first render in {time.perf_counter() - started:.1f} s", flush=True)
            for name, changed, covered in perturbations(genuine):
                rows.append((name, compare.measure(reference, render(changed, "cuda-comfy")), "control" if covered else "ceiling"))
            if family in arguments.cpu_families:
                cpu_started = time.perf_counter()
                rows.append(("same graph on cpu-fp32", compare.measure(reference, render(genuine, "cpu-fp32")), "noise"))
                print(f"{family}: cpu-fp32 render {time.perf_counter() - cpu_started:.1f} s", flush=True)
        print(f"\n{family} @ {size}², {steps} steps, reference cuda-comfy on {results['gpu']}")
        print(f"{'variant':<30} {'GMSD':>8} {'PSNR dB':>8} {'SSIM':>7}  caught by")
        table = []
        for name, metrics, kind in rows:
            values = metrics.as_dict()
            psnr = "inf" if values["psnr"] is None else f"{values['psnr']:.2f}"
            print(f"{name:<30} {metrics.perceptual:>8.4f} {psnr:>8} {metrics.ssim:>7.4f}  {kind}", flush=True)
            table.append({"variant": name, "kind": kind, **values})
        noise = max(m.perceptual for _, m, k in rows if k == "noise")
        controls = min(m.perceptual for _, m, k in rows if k == "control")
        uncovered = min(m.perceptual for _, m, k in rows if k == "ceiling")
        print(f"noise {noise:.4f}; smallest control {controls:.4f}; smallest uncovered {uncovered:.4f}")
        results[family] = {"size": size, "steps": steps, "rows": table, "noise": noise, "smallest_control": controls, "smallest_uncovered": uncovered}
        (out / "verification_gpu.json").write_text(json.dumps(results, indent=1))
        torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
