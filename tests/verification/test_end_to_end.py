"""Verification end to end: the web side queues a run, a real render worker process (Redis,
.venv-render, no Django) reproduces the showcase with the engine, the web side records the
verdict. Tiny 64×64 models, 4 steps: each run takes seconds."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from blueprints import verification
from blueprints.models import BlueprintVersionEvent, RunStatus, VerificationRun, VersionState
from tests.verification.conftest import RENDER_PYTHON, GpuWorker, _clear_redis, drain_results, real_broker, tiny_graph

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _finished(run_id: int) -> bool:
    return VerificationRun.objects.get(pk=run_id).is_finished


def _verify(submit_blueprint: Any, gpu_worker: GpuWorker, *, showcase: bytes, graph: dict[str, Any] | None = None) -> tuple[Any, Any]:
    _clear_redis()
    gpu_worker.ensure_running()
    version = submit_blueprint(showcase=showcase, graph=graph)
    run = version.runs.get()
    drain_results(until=lambda: _finished(run.pk))
    run.refresh_from_db()
    version.refresh_from_db()
    return run, version


def test_a_genuine_blueprint_is_verified_with_its_record(submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes], settings: Any) -> None:
    run, version = _verify(submit_blueprint, gpu_worker, showcase=showcases["genuine"])

    assert (run.status, version.state) == (RunStatus.VERIFIED, VersionState.VERIFIED), run.reason
    assert run.decision["declared"]["perceptual"] == 0.0
    assert run.decision["declared"]["psnr"] is None  # identical: infinite PSNR
    assert {c["name"] for c in run.decision["controls"]} == {
        "seed+1", "lora:10:strength+0.2", "lora:10:strength-0.2", "lora:10:removed", "cfg+1", "cfg-1"
    }
    assert run.attempts == 1
    assert run.environment["device"] == "cpu"
    assert run.environment["behaviour_version"] == run.behaviour_version
    assert {"declared render", "controls", "compare", "total"} <= set(run.timings)
    assert run.peak_memory_bytes > 0
    private = settings.STORAGES["default"]["OPTIONS"]["location"]
    for role, key in run.images.items():
        assert key.startswith(f"verification/{run.pk}/"), role
        assert (__import__("pathlib").Path(private) / key).is_file(), key
    assert set(run.images) == {"declared", "diff"} | {f"control:{c['name']}" for c in run.decision["controls"]}


@pytest.mark.parametrize(
    "showcase",
    ["seed_changed", "lora_weight_changed", "lora_removed", "cfg_changed", "steps_changed"],
)
def test_a_tampered_blueprint_is_rejected(showcase: str, submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes]) -> None:
    run, version = _verify(submit_blueprint, gpu_worker, showcase=showcases[showcase])

    assert (run.status, version.state) == (RunStatus.REJECTED, VersionState.REJECTED)
    assert run.decision["accepted"] is False
    assert run.decision["declared"]["perceptual"] > run.decision["thresholds"]["ceiling"]
    assert run.reason.startswith("The reproduction differs from the showcase")


def test_a_control_that_matches_the_showcase_is_named_in_the_rejection(submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes]) -> None:
    run, _ = _verify(submit_blueprint, gpu_worker, showcase=showcases["lora_removed"])

    assert run.decision["closest_control"] == "lora:10:removed"
    assert "LoRA tiny-sd1-lora-kohya.safetensors removed" in run.reason


def test_a_node_the_engine_cannot_run_ends_unsupported(submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes]) -> None:
    run, version = _verify(submit_blueprint, gpu_worker, showcase=showcases["genuine"], graph=tiny_graph(area=True))

    assert (run.status, version.state) == (RunStatus.UNSUPPORTED, VersionState.UNSUPPORTED)
    assert [node["class_type"] for node in run.unsupported_nodes] == ["ConditioningSetArea"]
    assert run.images == {}


def _wait_for_stage(run_id: int, prefix: str) -> None:
    deadline = time.monotonic() + 120
    while not str((verification.progress().read(str(run_id)) or {}).get("stage", "")).startswith(prefix):
        assert time.monotonic() < deadline, f"run {run_id} never reached {prefix!r}"
        time.sleep(0.02)


def test_a_worker_killed_mid_run_leads_to_a_retry_and_exactly_one_verdict(submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes]) -> None:
    _clear_redis()
    gpu_worker.ensure_running()
    version = submit_blueprint(showcase=showcases["genuine"])
    run = version.runs.get()
    _wait_for_stage(run.pk, "control")
    gpu_worker.kill()
    gpu_worker.start()  # another worker: it takes the unacknowledged run back from Redis

    drain_results(until=lambda: _finished(run.pk))
    run.refresh_from_db()
    version.refresh_from_db()

    assert (run.status, version.state, run.attempts) == (RunStatus.VERIFIED, VersionState.VERIFIED, 2)
    finals = BlueprintVersionEvent.objects.filter(version=version, to_state__in=[VersionState.VERIFIED, VersionState.REJECTED, VersionState.ERROR])
    assert finals.count() == 1


def test_a_run_whose_worker_vanished_is_requeued_then_failed_by_the_reaper(submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes]) -> None:
    _clear_redis()
    gpu_worker.ensure_running()
    version = submit_blueprint(showcase=showcases["genuine"])
    run = version.runs.get()
    _wait_for_stage(run.pk, "declared render")
    gpu_worker.kill()
    drain_results(until=lambda: VerificationRun.objects.get(pk=run.pk).status == RunStatus.RUNNING)
    later = time.time() + verification.STALE_AFTER_SECONDS + 1

    with real_broker():
        assert verification.reap_stale_runs(now=later) == {"requeued": 1, "failed": 0}
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.QUEUED

    # The requeued job finds no worker either; once the cap is spent the reaper gives up.
    VerificationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, attempts=run.max_attempts)
    assert verification.reap_stale_runs(now=later) == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    version.refresh_from_db()
    assert (run.status, version.state) == (RunStatus.ERROR, VersionState.ERROR)
    assert "no heartbeat" in run.reason
    _clear_redis()


def test_the_worker_process_never_imports_django(submit_blueprint: Any, gpu_worker: GpuWorker, showcases: dict[str, bytes]) -> None:
    run, _ = _verify(submit_blueprint, gpu_worker, showcase=showcases["genuine"])
    assert run.status == RunStatus.VERIFIED
    gpu_worker.stop()  # at exit the worker writes its sys.modules (worker_probe/sitecustomize.py)

    modules = (gpu_worker.root / f"modules-{gpu_worker.started}.txt").read_text().split()
    assert "renderworker.verify" in modules and "renderworker.engine.executor" in modules
    assert [name for name in modules if name == "django" or name.startswith("django.")] == []
    # And it could not even if it tried: the render interpreter has no Django.
    probe = subprocess.run([str(RENDER_PYTHON), "-c", "import django"], capture_output=True)
    assert probe.returncode == 1 and b"No module named 'django'" in probe.stderr
