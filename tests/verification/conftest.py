"""End-to-end verification fixtures: tiny models, showcases rendered by the engine, a real GPU
worker process (``celery -A renderworker.tasks worker -Q gpu``, .venv-render, no Django) on Redis,
and an in-test consumer of the ``default`` queue that records what the worker reports.

The worker shares one private-storage folder with the tests (its RENDER_OBJECTS_DIR), so the
tests here point Django's private storage at that folder instead of a per-test one.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RENDER_PYTHON = ROOT / ".venv-render" / "bin" / "python"
RENDER_CELERY = ROOT / ".venv-render" / "bin" / "celery"
# Shorter than production so a killed worker's run comes back in seconds, not an hour; the
# solo pool enforces no time limits, the ordering check still holds.
VISIBILITY_TIMEOUT = 6
WAIT_SECONDS = 240  # a safety bound only: runs on the tiny model finish in seconds


def tiny_graph(
    *,
    seed: int = 1,
    steps: int = 4,
    cfg: float = 7.0,
    lora_strength: float | None = 0.8,
    size: int = 64,
    area: bool = False,
) -> dict[str, Any]:
    """A txt2img graph on the tiny SD1 model with one LoRA (API format)."""
    model, clip = ["4", 0], ["4", 1]
    graph: dict[str, Any] = {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "tiny-sd1.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": size, "height": size, "batch_size": 1}},
    }
    if lora_strength is not None:
        graph["10"] = {
            "class_type": "LoraLoader",
            "inputs": {
                "lora_name": "tiny-sd1-lora-kohya.safetensors",
                "strength_model": lora_strength,
                "strength_clip": lora_strength,
                "model": ["4", 0],
                "clip": ["4", 1],
            },
        }
        model, clip = ["10", 0], ["10", 1]
    graph["6"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "a red cat on a blue chair", "clip": clip}}
    graph["7"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": clip}}
    positive = ["6", 0]
    if area:
        # A core node the analysis accepts and the engine does not implement.
        graph["11"] = {
            "class_type": "ConditioningSetArea",
            "inputs": {"conditioning": ["6", 0], "width": 64, "height": 64, "x": 0, "y": 0, "strength": 1.0},
        }
        positive = ["11", 0]
    graph["3"] = {
        "class_type": "KSampler",
        "inputs": {
            "seed": seed, "steps": steps, "cfg": cfg, "sampler_name": "euler", "scheduler": "normal",
            "denoise": 1.0, "model": model, "positive": positive, "negative": ["7", 0], "latent_image": ["5", 0],
        },
    }
    graph["8"] = {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}
    graph["9"] = {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "kiln"}}
    return graph


# What each showcase was really rendered with; the declared graph is always tiny_graph().
SHOWCASE_GRAPHS: dict[str, dict[str, Any]] = {
    "genuine": tiny_graph(),
    "seed_changed": tiny_graph(seed=2),
    "lora_weight_changed": tiny_graph(lora_strength=0.65),
    "lora_removed": tiny_graph(lora_strength=None),
    "cfg_changed": tiny_graph(cfg=8.0),
    "steps_changed": tiny_graph(steps=5),
    "slow": tiny_graph(steps=30),
}


@pytest.fixture(scope="session")
def verification_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not RENDER_CELERY.exists():
        pytest.skip(".venv-render is not installed (scripts/install)")
    if not os.environ.get("REDIS_URL"):
        pytest.skip("end-to-end verification needs REDIS_URL (the GPU queue runs on Redis)")
    return tmp_path_factory.mktemp("verification")


@pytest.fixture(scope="session")
def tiny_models(verification_root: Path) -> Path:
    folder = verification_root / "models"
    subprocess.run([str(RENDER_PYTHON), "-m", "renderworker", "make-tiny-models", str(folder)], cwd=ROOT, check=True, capture_output=True)
    return folder


@pytest.fixture(scope="session")
def showcases(verification_root: Path, tiny_models: Path) -> dict[str, bytes]:
    """name → PNG bytes, rendered by the engine in one .venv-render process."""
    graphs = verification_root / "showcase-graphs.json"
    graphs.write_text(json.dumps(SHOWCASE_GRAPHS))
    out = verification_root / "showcases"
    subprocess.run(
        [str(RENDER_PYTHON), str(ROOT / "tests" / "verification" / "render_graphs.py"), str(graphs), "--models", str(tiny_models), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return {name: (out / f"{name}.png").read_bytes() for name in SHOWCASE_GRAPHS}


def _clear_redis() -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    stale = [b"gpu", b"default", b"unacked", b"unacked_index", *client.scan_iter("kiln:verification:*")]
    client.delete(*stale)


class GpuWorker:
    """The render worker as production runs it, as a child process (one at a time)."""

    def __init__(self, *, root: Path, models: Path) -> None:
        self.root, self.models = root, models
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0
        self.logs: list[Path] = []

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.root)),
            # worker_probe/sitecustomize.py writes sys.modules to KILN_MODULES_FILE at exit.
            "PYTHONPATH": f"{ROOT / 'tests' / 'verification' / 'worker_probe'}:{ROOT}",
            "KILN_MODULES_FILE": str(self.root / f"modules-{self.started}.txt"),
            "REDIS_URL": os.environ["REDIS_URL"],
            "KILN_VAR_DIR": str(self.root / "var"),
            "RENDER_OBJECTS_DIR": str(self.root / "private"),
            "RENDER_MODELS_DIR": str(self.models),
            "RENDER_SOFT_TIME_LIMIT": str(VISIBILITY_TIMEOUT - 2),
            "RENDER_TIME_LIMIT": str(VISIBILITY_TIMEOUT - 1),
            "RENDER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "BROKER_RESTORE_INTERVAL": "1",
            "OMP_NUM_THREADS": "2",
        }

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "one worker at a time"
        self.started += 1
        log = self.root / f"worker-{self.started}.log"
        self.logs.append(log)
        command = [
            str(RENDER_CELERY), "-A", "renderworker.tasks", "worker", "-Q", "gpu", "-c", "1", "-P", "solo",
            "--without-gossip", "--without-mingle", "-n", f"gpu{self.started}@%h", "--loglevel", "INFO",
        ]
        with log.open("wb") as handle:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=handle, stderr=subprocess.STDOUT)

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def gpu_worker(verification_root: Path, tiny_models: Path) -> Iterator[GpuWorker]:
    _clear_redis()
    worker = GpuWorker(root=verification_root, models=tiny_models)
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _shared_private_storage(
    _isolated_files_and_cache: None, settings: Any, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Private storage = the worker's RENDER_OBJECTS_DIR (end-to-end tests only)."""
    if "gpu_worker" not in request.fixturenames:
        return
    from django.core.files.storage import FileSystemStorage

    from blueprints.models import BlueprintVersion, ModelVersion
    from marketplace.gallery.models import PostImage

    location = str(request.getfixturevalue("verification_root") / "private")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location, "base_url": None}},
    }
    # FileFields evaluate their storage callable once, at import: swapping STORAGES does not
    # reach them, so their storage is pointed at the shared folder too.
    shared = FileSystemStorage(location=location, base_url=None)
    for model, name in ((PostImage, "original"), (ModelVersion, "file"), (BlueprintVersion, "source_file")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", shared)


@contextlib.contextmanager
def real_broker() -> Iterator[None]:
    """Send to Redis: send_task ignores eager mode (and warns, which the suite makes an error)."""
    from marketplace.celery import app

    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def drain_results(*, until: Callable[[], bool], timeout: float = WAIT_SECONDS) -> int:
    """Consume the ``default`` queue in this process, calling the web side's tasks, until
    ``until()`` holds. Returns how many worker messages were handled."""
    from kombu.simple import SimpleQueue

    from blueprints import verification_tasks
    from marketplace.celery import app
    from renderworker.broker import RESULT_QUEUE, RESULT_TASK, STARTED_TASK

    handlers = {STARTED_TASK: verification_tasks.verification_started, RESULT_TASK: verification_tasks.record_verification_result}
    handled = 0
    deadline = time.monotonic() + timeout
    with app.connection_for_read() as connection:
        queue = SimpleQueue(connection, RESULT_QUEUE)
        try:
            while not until():
                if time.monotonic() > deadline:
                    raise AssertionError(f"no verdict within {timeout} s")
                try:
                    message = queue.get(block=True, timeout=0.5)
                except queue.Empty:
                    continue
                args = message.payload[0]
                handlers[message.headers["task"]](*args)
                message.ack()
                handled += 1
        finally:
            queue.close()
    return handled


@pytest.fixture
def catalog_models(owner: Any, tiny_models: Path) -> dict[str, Any]:
    """The tiny checkpoint and LoRA in Kiln's catalog (stored in private storage)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from blueprints import catalog

    added = {}
    for filename, kind in (("tiny-sd1.safetensors", "checkpoint"), ("tiny-sd1-lora-kohya.safetensors", "lora")):
        upload = SimpleUploadedFile(filename, (tiny_models / filename).read_bytes())
        added[filename], _ = catalog.model_version_add(
            user=owner, upload=upload, name=filename.split(".")[0], kind=kind, base_model="sd15", commercial_use=True
        )
    return added


@pytest.fixture
def submit_blueprint(owner: Any, make_post: Any, catalog_models: dict[str, Any]) -> Callable[..., Any]:
    """Create a post whose image is ``showcase``, upload ``graph`` as its Blueprint, submit it."""
    from blueprints import services

    def submit(*, showcase: bytes, graph: dict[str, Any] | None = None) -> Any:
        post = make_post(owner, image_bytes=showcase, image_name="showcase.png", title="Tiny cat")
        version = services.blueprint_version_create(
            post=post, user=owner, data=json.dumps(copy.deepcopy(graph or tiny_graph())).encode(), filename="workflow.json"
        )
        with real_broker():
            return services.blueprint_version_submit(version=version, user=owner)

    return submit
