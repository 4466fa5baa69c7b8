"""Run one verification job: render the declared graph and its controls, compare, decide.

One entry point, :func:`run_verification`, called by the Celery task (renderworker/tasks.py)
and by benchmarks. Everything it needs is in the job; it reads inputs from and writes images
to object storage and reports progress to the progress store.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from renderworker import BEHAVIOUR_VERSION, compare
from renderworker.controls import control_variants
from renderworker.jobs import VerificationJob, VerificationResult, Verdict
from renderworker.objects import ObjectStore, ObjectStoreError

ProgressCallback = Callable[[dict[str, Any]], None]


@dataclass
class RenderContext:
    """What the engine needs besides the graph; built once per job by the task."""

    resources: Any  # renderworker.engine.resources.Resources
    profile: Any  # renderworker.engine.precision.PrecisionProfile


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _render(graph: dict[str, Any], *, context: RenderContext, stage: str, report: ProgressCallback, should_cancel: Callable[[], bool] | None) -> tuple[list[np.ndarray], Any]:
    from renderworker.engine.executor import render_graph

    def on_progress(event: Any) -> None:
        report({"stage": stage, "node": event.node_id, "class_type": event.class_type, "step": event.step, "steps": event.total})

    result = render_graph(graph=graph, resources=context.resources, profile=context.profile, on_progress=on_progress, should_cancel=should_cancel)
    if not result.images:
        raise ValueError("the graph produced no image (it needs a SaveImage or PreviewImage node)")
    return [image.pixels for image in result.images], result


def run_verification(
    *,
    job: VerificationJob,
    context: RenderContext,
    objects: ObjectStore,
    report: ProgressCallback,
    should_cancel: Callable[[], bool] | None = None,
    attempt: int = 1,
) -> VerificationResult:
    """Render, compare and decide. Engine failures that say the graph cannot run end as
    ``unsupported``; missing inputs end as ``error``; the caller handles cancellation."""
    from renderworker.engine.errors import EngineError, GraphInvalidError, UnsupportedModelError, UnsupportedNodesError

    timings: dict[str, float] = {}
    result = VerificationResult(run_id=job.run_id, status=Verdict.ERROR, reason="", behaviour_version=BEHAVIOUR_VERSION, attempt=attempt)
    started = time.perf_counter()
    try:
        report({"stage": "loading inputs"})
        showcase_bytes = objects.get(job.showcase_key)
        showcase, _ = compare.decode_rgb(showcase_bytes)
        timings["inputs"] = time.perf_counter() - started

        stage_start = time.perf_counter()
        declared_images, declared_run = _render(job.graph, context=context, stage="declared render", report=report, should_cancel=should_cancel)
        timings["declared render"] = time.perf_counter() - stage_start
        result.environment = {**declared_run.environment, "behaviour_version": BEHAVIOUR_VERSION}
        peak = max((t.peak_memory_bytes for t in declared_run.timings), default=0)
        load_seconds = sum(t.seconds for t in declared_run.timings if "Loader" in t.class_type)
        timings["model load (within declared)"] = load_seconds

        # With a batch, the showcase may be any image of it: compare against the closest.
        candidates = [compare.encode_like(image, showcase_bytes=showcase_bytes) for image in declared_images]
        distances = [compare.measure(*compare.normalise_pair(showcase, image)).perceptual for image in candidates]
        index = int(np.argmin(distances))
        declared = candidates[index]

        controls: list[tuple[str, str, np.ndarray]] = []
        control_pixels: dict[str, np.ndarray] = {}
        stage_start = time.perf_counter()
        variants = control_variants(job.graph) if job.controls else []
        for number, control in enumerate(variants, start=1):
            images, run = _render(control.graph, context=context, stage=f"control {number}/{len(variants)}: {control.description}", report=report, should_cancel=should_cancel)
            peak = max([peak, *(t.peak_memory_bytes for t in run.timings)])
            pixels = compare.encode_like(images[min(index, len(images) - 1)], showcase_bytes=showcase_bytes)
            controls.append((control.name, control.description, pixels))
            control_pixels[control.name] = pixels
        timings["controls"] = time.perf_counter() - stage_start

        stage_start = time.perf_counter()
        report({"stage": "comparing"})
        decision = compare.decide(showcase=showcase, declared=declared, controls=controls, **job.thresholds)
        result.decision = decision.as_dict()
        result.status = Verdict.VERIFIED if decision.accepted else Verdict.REJECTED
        result.reason = decision.reason
        timings["compare"] = time.perf_counter() - stage_start

        stage_start = time.perf_counter()
        report({"stage": "saving images"})
        _, aligned = compare.normalise_pair(showcase, declared)
        outputs = {"declared": _png(declared), "diff": compare.difference_heatmap(showcase, aligned)}
        for name, pixels in control_pixels.items():
            outputs[f"control:{name}"] = _png(pixels)
        for role, data in outputs.items():
            key = f"{job.output_prefix.rstrip('/')}/{role.replace(':', '-').replace('+', 'plus').replace('.', '_')}.png"
            objects.put(key, data, content_type="image/png")
            result.images[role] = key
        timings["save"] = time.perf_counter() - stage_start
        result.peak_memory_bytes = int(peak)
    except UnsupportedNodesError as error:
        result.status = Verdict.UNSUPPORTED
        result.unsupported_nodes = [{"node_id": n, "class_type": c, "reason": r} for n, c, r in error.problems]
        result.reason = str(error)
    except UnsupportedModelError as error:
        result.status = Verdict.UNSUPPORTED
        result.reason = str(error)
    except GraphInvalidError as error:
        result.status = Verdict.ERROR
        result.reason = f"the graph is invalid: {error}"
    except (EngineError, ObjectStoreError, ValueError, OSError) as error:
        result.status = Verdict.ERROR
        result.reason = f"{type(error).__name__}: {error}"
    timings["total"] = time.perf_counter() - started
    result.timings = {stage: round(seconds, 4) for stage, seconds in timings.items()}
    return result
