"""Web side of verification without a worker: the job payload, recording verdicts exactly
once, the transition rules, the reaper and re-verification."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.utils import timezone

from blueprints import services, verification
from blueprints.models import RUN_TRANSITIONS, BlueprintVersionEvent, RunStatus, VerificationRun, VersionState
from renderworker import BEHAVIOUR_VERSION
from renderworker.jobs import VerificationJob
from tests.blueprints.blueprint_helpers import add_model
from tests.verification.conftest import tiny_graph

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _file_fields_use_the_test_storage(monkeypatch: Any, _isolated_files_and_cache: None) -> None:
    from django.core.files.storage import storages

    from blueprints.models import BlueprintVersion, ModelVersion
    from marketplace.gallery.models import PostImage

    for model, name in ((BlueprintVersion, "source_file"), (ModelVersion, "file"), (PostImage, "original")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storages["default"])


@pytest.fixture
def submitted(owner: Any, make_post: Any) -> Any:
    checkpoint = add_model(owner, filename="tiny-sd1.safetensors", kind="checkpoint", seed=1)
    lora = add_model(owner, filename="tiny-sd1-lora-kohya.safetensors", kind="lora", seed=2)
    post = make_post(owner)
    version = services.blueprint_version_create(post=post, user=owner, data=json.dumps(tiny_graph()).encode(), filename="w.json")
    version = services.blueprint_version_submit(version=version, user=owner)
    version.catalog = {"checkpoint": checkpoint, "lora": lora}
    return version


def _result(run: VerificationRun, status: str = "verified", **extra: Any) -> dict[str, Any]:
    return {"run_id": str(run.pk), "status": status, "reason": "because", "behaviour_version": BEHAVIOUR_VERSION, "attempt": 1, **extra}


def test_submit_queues_one_run_whose_job_names_every_file_in_private_storage(submitted: Any) -> None:
    run = submitted.runs.get()
    job = VerificationJob.from_json(run.job)
    post = submitted.blueprint.post

    assert (run.status, run.trigger, run.attempts, submitted.state) == (RunStatus.QUEUED, "submit", 0, VersionState.SUBMITTED)
    assert job.run_id == str(run.pk) and job.graph == submitted.graph_api
    assert {(r.name, r.kind, r.sha256, r.key) for r in job.resources} == {
        (m.filename, m.asset.kind, m.sha256, m.file.name) for m in submitted.catalog.values()
    }
    assert all(r.key.startswith("models/") for r in job.resources)
    assert job.showcase_key == post.image.original.name
    assert job.output_prefix == f"verification/{run.pk}"
    assert job.input_images == {}


def test_a_graph_that_loads_an_image_is_refused_at_submit(owner: Any, make_post: Any) -> None:
    add_model(owner, filename="tiny-sd1.safetensors", kind="checkpoint", seed=1)
    graph = tiny_graph(lora_strength=None)
    graph["20"] = {"class_type": "LoadImage", "inputs": {"image": "face.png"}}
    graph["21"] = {"class_type": "PreviewImage", "inputs": {"images": ["20", 0]}}
    version = services.blueprint_version_create(post=make_post(owner), user=owner, data=json.dumps(graph).encode(), filename="w.json")

    with pytest.raises(services.BlueprintError) as raised:
        services.blueprint_version_submit(version=version, user=owner)
    assert [b["code"] for b in raised.value.details["blockers"]] == ["input_image_missing"]
    assert "'face.png'" in raised.value.details["blockers"][0]["message"]


def test_a_verdict_is_recorded_once_and_moves_the_version(submitted: Any) -> None:
    run = submitted.runs.get()
    verification.record_started(run_id=run.pk, attempt=1)
    verification.record_result(payload=_result(run, images={"declared": f"verification/{run.pk}/declared.png"}))
    verification.record_result(payload=_result(run, status="rejected"))  # a late duplicate
    run.refresh_from_db()
    submitted.refresh_from_db()

    assert (run.status, run.attempts, submitted.state) == (RunStatus.VERIFIED, 1, VersionState.VERIFIED)
    assert run.images == {"declared": f"verification/{run.pk}/declared.png"}
    states = list(BlueprintVersionEvent.objects.filter(version=submitted).values_list("to_state", flat=True))
    assert states == ["draft", "submitted", "verifying", "verified"]


def test_a_result_without_started_still_passes_through_verifying(submitted: Any) -> None:
    run = submitted.runs.get()
    verification.record_result(payload=_result(run, status="unsupported", unsupported_nodes=[{"node_id": "11", "class_type": "X", "reason": "r"}]))
    submitted.refresh_from_db()
    assert submitted.state == VersionState.UNSUPPORTED
    assert VerificationRun.objects.get(pk=run.pk).unsupported_nodes == [{"node_id": "11", "class_type": "X", "reason": "r"}]


def test_a_started_message_after_the_verdict_changes_nothing(submitted: Any) -> None:
    run = submitted.runs.get()
    verification.record_result(payload=_result(run, status="error"))
    verification.record_started(run_id=run.pk, attempt=2)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.ERROR, 1)


def test_a_result_with_no_run_or_an_unknown_status_is_dropped(submitted: Any) -> None:
    assert verification.record_result(payload={"run_id": "x", "status": "verified"}) is None
    assert verification.record_result(payload={"run_id": str(submitted.runs.get().pk), "status": "maybe"}) is None
    assert submitted.runs.get().status == RunStatus.QUEUED


def test_finished_runs_never_move_again() -> None:
    for status in (RunStatus.VERIFIED, RunStatus.REJECTED, RunStatus.UNSUPPORTED, RunStatus.ERROR):
        assert RUN_TRANSITIONS[status] == frozenset()
    assert RunStatus.QUEUED in RUN_TRANSITIONS[RunStatus.RUNNING]


def test_only_a_verified_version_can_be_published(submitted: Any, owner: Any) -> None:
    with pytest.raises(services.BlueprintError, match="Only a verified version can be published; this one is submitted."):
        services.blueprint_version_publish(version=submitted, user=owner)


def _silent(run: VerificationRun, *, attempts: int) -> None:
    VerificationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, attempts=attempts, started_at=timezone.now())


def test_the_reaper_requeues_a_silent_run_within_its_attempts(submitted: Any, django_capture_on_commit_callbacks: Any) -> None:
    run = submitted.runs.get()
    _silent(run, attempts=1)
    with django_capture_on_commit_callbacks() as sent:
        counts = verification.reap_stale_runs(now=time.time() + verification.STALE_AFTER_SECONDS + 1)
    assert counts == {"requeued": 1, "failed": 0}
    assert len(sent) == 1  # the job goes back on the GPU queue after commit
    assert VerificationRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


def test_the_reaper_fails_a_silent_run_at_its_cap_and_the_version_errs(submitted: Any) -> None:
    run = submitted.runs.get()
    _silent(run, attempts=run.max_attempts)
    assert verification.reap_stale_runs(now=time.time() + verification.STALE_AFTER_SECONDS + 1) == {"requeued": 0, "failed": 1}
    submitted.refresh_from_db()
    assert submitted.state == VersionState.ERROR


def test_the_reaper_spares_a_run_that_heartbeats(submitted: Any) -> None:
    run = submitted.runs.get()
    _silent(run, attempts=1)
    verification.progress().publish(str(run.pk), {"stage": "declared render"})
    assert verification.reap_stale_runs(now=time.time() + 1) == {"requeued": 0, "failed": 0}


def test_progress_shows_the_queue_position_then_the_worker_stage(submitted: Any, owner: Any, make_post: Any) -> None:
    run = submitted.runs.get()
    assert verification.run_progress(run)["queue_position"] == 1
    verification.record_started(run_id=run.pk, attempt=1)
    verification.progress().publish(str(run.pk), {"stage": "declared render", "node": "3", "step": 2, "steps": 4, "attempt": 1})
    run.refresh_from_db()
    snapshot = verification.run_progress(run)
    assert (snapshot["queue_position"], snapshot["stage"], snapshot["node"], snapshot["step"], snapshot["steps"]) == (None, "declared render", "3", 2, 4)


def test_reverification_queues_listed_versions_verified_under_another_behaviour(submitted: Any) -> None:
    run = submitted.runs.get()
    verification.record_result(payload=_result(run))
    submitted.refresh_from_db()
    services.version_transition(version=submitted, to_state=VersionState.LISTED)
    assert verification.reverify_outdated() == 0
    VerificationRun.objects.filter(pk=run.pk).update(behaviour_version="comfy-old")

    assert verification.reverify_outdated() == 1
    assert submitted.runs.filter(trigger="reverify", status=RunStatus.QUEUED).count() == 1
    assert verification.reverify_outdated() == 0  # the queued re-run is not finished yet


def test_the_owner_api_answer_carries_the_runs_with_live_progress(submitted: Any, owner: Any, client: Any) -> None:
    client.force_login(owner)
    data = client.get(f"/api/v1/blueprint-versions/{submitted.pk}/").json()
    run = submitted.runs.get()
    assert [(r["id"], r["status"], r["progress"]["queue_position"]) for r in data["verification_runs"]] == [(run.pk, "queued", 1)]
    page = client.get(f"/blueprint-versions/{submitted.pk}/")
    assert b'id="verification-progress"' in page.content and b"Position 1 in the queue." in page.content


def _verified_with_images(version: Any) -> VerificationRun:
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from tests.conftest import png_bytes

    run = version.runs.get()
    key = f"verification/{run.pk}/declared.png"
    storages["default"].save(key, ContentFile(png_bytes(color=(1, 2, 3))))
    decision = {"accepted": True, "reason": "Reproduced", "declared": {"psnr": None, "ssim": 1.0, "perceptual": 0.0},
                "controls": [], "closest_control": None, "margin": None, "thresholds": {"ceiling": 0.005, "ratio": 0.5}}
    verification.record_result(payload=_result(run, images={"declared": key}, decision=decision, environment={"device": "cpu", "torch": "2.13.0+cpu"}))
    return run


def test_the_report_is_private_until_verified_then_public_without_metadata(submitted: Any, owner: Any, client: Any) -> None:
    url = f"/blueprint-versions/{submitted.pk}/verification/"
    assert client.get(url).status_code == 404  # a stranger, before the verdict
    run = _verified_with_images(submitted)

    page = client.get(url)
    assert page.status_code == 200
    assert b"because" in page.content and b"2.13.0+cpu" in page.content and b"SSIM" in page.content
    image = client.get(f"/verification-runs/{run.pk}/images/showcase")
    assert image["Content-Type"] == "image/png" and b"tEXt" not in image.content and b"iTXt" not in image.content
    assert client.get(f"/verification-runs/{run.pk}/images/declared").status_code == 200
    assert client.get(f"/verification-runs/{run.pk}/images/nothing").status_code == 404


def test_the_post_badge_links_to_the_record_once_listed(submitted: Any, owner: Any, client: Any) -> None:
    _verified_with_images(submitted)
    submitted.refresh_from_db()
    services.blueprint_version_publish(version=submitted, user=owner)
    page = client.get(f"/posts/{submitted.blueprint.post_id}/")
    assert f'href="/blueprint-versions/{submitted.pk}/verification/"'.encode() in page.content
