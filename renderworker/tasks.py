"""The GPU queue's Celery app: ``celery -A renderworker.tasks worker -Q gpu -c 1``.

One task, ``renderworker.verify``. It receives a plain-JSON job, runs it, and sends the result
back by task *name* to the web side's ``default`` queue; it never touches the database.

Reliability (INFRA_NOTES, "Celery with Redis"): acks_late + reject_on_worker_lost, so a worker
killed mid-run gives the job to another; an attempt counter in the progress store stops a job
that always crashes its worker from looping forever; soft < hard time limit < visibility
timeout, so Redis never re-delivers a run that is still going; prefetch 1, so an idle GPU never
waits behind a job another worker is holding. SIGTERM cancels the render between steps and
hands the job back to the queue without counting an attempt.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from celery import Celery
from celery.exceptions import Reject, SoftTimeLimitExceeded
from celery.signals import worker_shutting_down

from renderworker import BEHAVIOUR_VERSION
from renderworker.broker import GPU_QUEUE, RESULT_QUEUE, RESULT_TASK, STARTED_TASK, VERIFY_TASK, base_celery_settings
from renderworker.jobs import JobFormatError, VerificationJob, VerificationResult, Verdict
from renderworker.progress import progress_store
from renderworker.settings import WorkerSettings

log = logging.getLogger(__name__)
settings = WorkerSettings.from_env()
app = Celery("renderworker")
app.conf.update(
    base_celery_settings(
        broker_url=settings.redis_url or "filesystem://",
        broker_folder=settings.var_dir / "broker",
        visibility_timeout=settings.visibility_timeout,
    )
)
app.conf.update(task_default_queue=GPU_QUEUE, worker_concurrency=1)

_shutting_down = threading.Event()


@worker_shutting_down.connect
def _on_shutdown(**_: Any) -> None:
    _shutting_down.set()


def _objects() -> Any:
    from renderworker.objects import LocalObjects, S3Objects

    if settings.s3_bucket:
        return S3Objects(bucket=settings.s3_bucket, prefix=settings.s3_prefix, client=_s3_client())
    return LocalObjects(settings.objects_dir)


def _s3_client() -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        aws_access_key_id=os.environ.get("S3_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("S3_SECRET_ACCESS_KEY"),
        region_name=os.environ.get("S3_REGION", "us-east-1"),
    )


def _context(job: VerificationJob) -> Any:
    from renderworker.engine.precision import default_profile_name, get_profile
    from renderworker.engine.resources import Resources
    from renderworker.verify import RenderContext

    objects = _objects()
    job_folder = _stage_models(job, models_dir=settings.models_dir)
    inputs = {name: objects.get(key) for name, key in job.input_images.items()}
    resources = Resources(
        model_dirs=[job_folder],
        config_roots=[settings.models_dir / "model_configs"],
        input_images=inputs,
        # Names resolve only inside the job's folder, and each file's hash is checked on load.
        hashes={resource.name: resource.sha256 for resource in job.resources},
    )
    return RenderContext(resources=resources, profile=get_profile(name=job.profile or default_profile_name())), objects


def _stage_models(job: VerificationJob, *, models_dir: Path) -> Path:
    """Lay the job's model files out under the names its graph uses; return that folder.

    Files live once per hash in ``<models_dir>/by-sha256/<sha256>.safetensors`` (the engine
    loads only ``.safetensors`` names): local objects are linked, never copied; S3 objects are
    downloaded once, streamed to disk. ``<models_dir>/jobs/<run id>/<name>`` links to them, so
    the engine finds exactly the files the job names and nothing else on the host.
    """
    by_hash = models_dir / "by-sha256"
    by_hash.mkdir(parents=True, exist_ok=True)
    job_folder = models_dir / "jobs" / "".join(ch for ch in job.run_id if ch.isalnum() or ch in "-_")
    for resource in job.resources:
        stored = by_hash / f"{resource.sha256}.safetensors"
        if not stored.exists():
            if settings.s3_bucket:
                partial = stored.with_suffix(f".{os.getpid()}.part")
                _s3_client().download_file(settings.s3_bucket, settings.s3_prefix + resource.key, str(partial))
                partial.replace(stored)
            else:
                source = settings.objects_dir / resource.key
                if not source.is_file():
                    raise FileNotFoundError(f"model file {resource.key} for {resource.name!r} is not in object storage")
                stored.symlink_to(source.resolve())
        relative = Path(resource.name.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"resource name {resource.name!r} must be a relative file name")
        link = job_folder / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(stored.resolve())
    job_folder.mkdir(parents=True, exist_ok=True)
    return job_folder


def _send(task: str, *args: Any) -> None:
    app.send_task(task, args=args, queue=RESULT_QUEUE)


@app.task(
    name=VERIFY_TASK,
    queue=GPU_QUEUE,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.soft_time_limit,
    time_limit=settings.time_limit,
)
def verify(self: Any, job_payload: dict[str, Any]) -> None:
    """Run one verification job and send its result to the web side."""
    try:
        job = VerificationJob.from_json(job_payload)
    except JobFormatError as error:
        run_id = str(job_payload.get("run_id", "?")) if isinstance(job_payload, dict) else "?"
        _send(RESULT_TASK, VerificationResult(run_id=run_id, status=Verdict.ERROR, reason=str(error), behaviour_version=BEHAVIOUR_VERSION).to_json())
        return
    progress = progress_store(redis_url=settings.redis_url, var_dir=settings.var_dir)
    attempt = progress.next_attempt(job.run_id)
    if attempt > job.max_attempts:
        reason = f"gave up after {job.max_attempts} attempts: the worker stopped or crashed during every one"
        _send(RESULT_TASK, VerificationResult(run_id=job.run_id, status=Verdict.ERROR, reason=reason, behaviour_version=BEHAVIOUR_VERSION, attempt=attempt).to_json())
        return
    _send(STARTED_TASK, job.run_id, attempt)
    stop_heartbeat = threading.Event()
    last: dict[str, Any] = {"stage": "starting", "attempt": attempt}

    def report(payload: dict[str, Any]) -> None:
        last.clear()
        last.update({**payload, "attempt": attempt})
        progress.publish(job.run_id, dict(last))

    def heartbeat() -> None:
        # Model loading can be silent for a while; the reaper must not mistake that for death.
        while not stop_heartbeat.wait(10):
            progress.publish(job.run_id, dict(last))

    threading.Thread(target=heartbeat, daemon=True).start()
    try:
        from renderworker.engine.sampling_api import RenderCancelled
        from renderworker.verify import run_verification

        report({"stage": "preparing"})
        try:
            context, objects = _context(job)
        except Exception as error:  # a bad resource or store: recorded, not retried forever
            _send(RESULT_TASK, VerificationResult(run_id=job.run_id, status=Verdict.ERROR, reason=f"{type(error).__name__}: {error}", behaviour_version=BEHAVIOUR_VERSION, attempt=attempt).to_json())
            return
        try:
            result = run_verification(job=job, context=context, objects=objects, report=report, should_cancel=_shutting_down.is_set, attempt=attempt)
        except RenderCancelled as cancelled:
            progress.release_attempt(job.run_id)
            report({"stage": "released: worker shutting down"})
            raise Reject("worker shutting down", requeue=True) from cancelled
        except SoftTimeLimitExceeded:
            result = VerificationResult(
                run_id=job.run_id,
                status=Verdict.ERROR,
                reason=f"the run exceeded its time limit of {settings.soft_time_limit} s",
                behaviour_version=BEHAVIOUR_VERSION,
                attempt=attempt,
            )
        report({"stage": "finished", "status": result.status})
        _send(RESULT_TASK, result.to_json())
    finally:
        stop_heartbeat.set()
