"""Fast tests of the verification contract: controls, metrics and the decision, job JSON."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from renderworker import compare
from renderworker.controls import control_variants
from renderworker.jobs import JOB_SCHEMA_VERSION, JobFormatError, JobResource, VerificationJob

GRAPH = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}},
    "10": {"class_type": "LoraLoader", "inputs": {"lora_name": "l.safetensors", "strength_model": 0.8, "strength_clip": 0.6, "model": ["4", 0], "clip": ["4", 1]}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "cat", "clip": ["10", 1]}},
    "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 4, "cfg": 1.5, "model": ["10", 0], "positive": ["6", 0]}},
}


def test_controls_are_seed_lora_and_cfg_variants_in_a_stable_order() -> None:
    controls = {c.name: c.graph for c in control_variants(GRAPH)}

    assert list(controls) == ["seed+1", "lora:10:strength+0.2", "lora:10:strength-0.2", "lora:10:removed", "cfg+1"]
    assert controls["seed+1"]["3"]["inputs"]["seed"] == 6
    assert (controls["lora:10:strength+0.2"]["10"]["inputs"]["strength_model"], controls["lora:10:strength+0.2"]["10"]["inputs"]["strength_clip"]) == (1.0, 0.8)
    assert controls["cfg+1"]["3"]["inputs"]["cfg"] == 2.5
    assert GRAPH["3"]["inputs"]["seed"] == 5  # the declared graph is never changed


def test_cfg_minus_one_is_left_out_below_cfg_one() -> None:
    assert "cfg-1" not in {c.name for c in control_variants(GRAPH)}


def test_removing_a_lora_relinks_its_consumers_to_what_it_wrapped() -> None:
    removed = {c.name: c.graph for c in control_variants(GRAPH)}["lora:10:removed"]

    assert "10" not in removed
    assert removed["3"]["inputs"]["model"] == ["4", 0]
    assert removed["6"]["inputs"]["clip"] == ["4", 1]


def test_the_seed_wraps_at_the_largest_seed() -> None:
    graph = {"3": {"class_type": "KSampler", "inputs": {"seed": 2**64 - 1, "cfg": 7.0}}}
    assert {c.name: c.graph for c in control_variants(graph)}["seed+1"]["3"]["inputs"]["seed"] == 0


def _noise(seed: int, shape: tuple[int, int, int] = (32, 32, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_identical_images_have_infinite_psnr_unit_ssim_and_zero_distance() -> None:
    image = _noise(1)
    metrics = compare.measure(image, image)
    assert (metrics.psnr, metrics.ssim, metrics.perceptual) == (float("inf"), 1.0, 0.0)
    assert metrics.as_dict()["psnr"] is None


def test_a_different_image_is_far() -> None:
    metrics = compare.measure(_noise(1), _noise(2))
    assert metrics.perceptual > 0.1 and metrics.psnr < 15 and metrics.ssim < 0.2


def test_decide_accepts_an_exact_reproduction_clearly_closest() -> None:
    declared = _noise(1)
    decision = compare.decide(showcase=declared.copy(), declared=declared, controls=[("seed+1", "every seed + 1", _noise(2))])
    assert decision.accepted and decision.margin == 0.0 and decision.closest_control == "seed+1"


def test_decide_rejects_above_the_ceiling_and_names_the_closer_control() -> None:
    control = _noise(2)
    decision = compare.decide(showcase=control.copy(), declared=_noise(1), controls=[("seed+1", "every seed + 1", control)])
    assert not decision.accepted
    assert "above the ceiling" in decision.reason and "'every seed + 1' is closer" in decision.reason


def test_decide_rejects_when_a_control_is_nearly_as_close_as_the_declared_render() -> None:
    declared = np.full((32, 32, 3), 128, dtype=np.uint8)
    showcase = declared.copy()
    showcase[::4, ::4] = 131  # small, under the ceiling
    control = declared.copy()
    control[::4, ::4] = 134
    decision = compare.decide(showcase=showcase, declared=declared, controls=[("cfg+1", "cfg +1", control)], ceiling=1.0, min_separation=0.0)
    assert not decision.accepted and "not clearly closest" in decision.reason
    assert decision.margin is not None and decision.margin >= decision.thresholds["ratio"]


def test_a_control_that_changes_nothing_cannot_discriminate() -> None:
    declared = _noise(1)
    decision = compare.decide(showcase=declared.copy(), declared=declared, controls=[("cfg+1", "cfg +1", declared.copy())])
    assert decision.accepted
    assert [c.informative for c in decision.controls] == [False]
    assert "Controls that changed nothing visible: cfg+1." in decision.reason


def test_a_jpeg_showcase_is_compared_with_the_render_encoded_the_same_way() -> None:
    render = _noise(3, (64, 64, 3))
    buffer = io.BytesIO()
    Image.fromarray(render).save(buffer, "JPEG", quality=70)
    showcase, fmt = compare.decode_rgb(buffer.getvalue())
    assert fmt == "JPEG"
    assert compare.measure(showcase, compare.encode_like(render, showcase_bytes=buffer.getvalue())).perceptual == 0.0


def test_a_smaller_showcase_is_compared_at_its_own_size() -> None:
    showcase, render = compare.normalise_pair(_noise(1, (16, 16, 3)), _noise(1, (32, 32, 3)))
    assert showcase.shape == render.shape == (16, 16, 3)


def test_the_heat_map_is_a_png_of_the_same_size() -> None:
    with Image.open(io.BytesIO(compare.difference_heatmap(_noise(1), _noise(2)))) as heat:
        assert (heat.format, heat.size) == ("PNG", (32, 32))


def test_a_job_round_trips_through_json() -> None:
    job = VerificationJob(
        run_id="7", graph=GRAPH, resources=[JobResource(name="a.safetensors", kind="checkpoint", sha256="0" * 64, key="models/x.safetensors")],
        showcase_key="originals/a.png", output_prefix="verification/7", thresholds={"ceiling": 0.01},
    )
    assert VerificationJob.from_json(json.loads(json.dumps(job.to_json()))) == job


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "a verification job is a JSON object"),
        ({"schema_version": 99}, "job schema_version 99 is not supported (this worker reads 1)"),
        ({"schema_version": JOB_SCHEMA_VERSION, "run_id": "1"}, "malformed verification job"),
    ],
)
def test_a_payload_that_is_not_a_job_is_refused_with_the_reason(payload: object, message: str) -> None:
    with pytest.raises(JobFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        VerificationJob.from_json(payload)
