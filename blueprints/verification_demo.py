"""Demo Blueprints that go through real verification (issue 6), for ``manage.py seed_demo``.

On the tiny generated models (``scripts/demo`` writes them to RENDER_MODELS_DIR): the checkpoint
and a LoRA enter the catalog, showcases are rendered by the engine in a ``.venv-render``
subprocess (the web venv has no torch), and posts with Blueprints are submitted, so the demo's
render worker verifies them for real: two genuine (→ verified), one whose showcase comes from
another seed (→ rejected), one using a core node the engine does not implement (→ unsupported).
Idempotent: a post that exists (by creator and title) is left alone.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.accounts.models import User
from marketplace.gallery.models import Post

ROOT = Path(__file__).resolve().parent.parent
RENDER_PYTHON = ROOT / ".venv-render" / "bin" / "python"
CHECKPOINT = "tiny-sd1.safetensors"
LORA = "tiny-sd1-lora-kohya.safetensors"


def demo_graph(*, seed: int, lora_strength: float = 0.8, area: bool = False) -> dict[str, Any]:
    """txt2img on the tiny SD1 model with one LoRA, 64², 6 steps (API format)."""
    positive: list[Any] = ["6", 0]
    graph: dict[str, Any] = {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": CHECKPOINT}},
        "10": {"class_type": "LoraLoader", "inputs": {"lora_name": LORA, "strength_model": lora_strength, "strength_clip": lora_strength, "model": ["4", 0], "clip": ["4", 1]}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse at dusk, warm light", "clip": ["10", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["10", 1]}},
    }
    if area:
        graph["11"] = {"class_type": "ConditioningSetArea", "inputs": {"conditioning": ["6", 0], "width": 64, "height": 64, "x": 0, "y": 0, "strength": 1.0}}
        positive = ["11", 0]
    graph["3"] = {"class_type": "KSampler", "inputs": {"seed": seed, "steps": 6, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0, "model": ["10", 0], "positive": positive, "negative": ["7", 0], "latent_image": ["5", 0]}}
    graph["8"] = {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}
    graph["9"] = {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "kiln-demo"}}
    return graph


@dataclass(frozen=True)
class DemoBlueprint:
    title: str
    description: str
    declared: dict[str, Any]  # the graph uploaded as the Blueprint
    showcase: dict[str, Any]  # the graph the showcase image was really rendered with
    expected: str


DEMO_BLUEPRINTS = [
    DemoBlueprint("Tiny lighthouse (verified)", "A Blueprint verified on the demo's CPU render worker.", demo_graph(seed=11), demo_graph(seed=11), "verified"),
    DemoBlueprint("Tiny lighthouse, seed 23 (verified)", "Another genuine Blueprint.", demo_graph(seed=23), demo_graph(seed=23), "verified"),
    DemoBlueprint("Tiny lighthouse (tampered)", "Its showcase was rendered with another seed than the Blueprint declares.", demo_graph(seed=11), demo_graph(seed=12), "rejected"),
    DemoBlueprint("Tiny lighthouse with area conditioning (unsupported)", "Uses ConditioningSetArea, which Kiln's worker does not run yet.", demo_graph(seed=11, area=True), demo_graph(seed=11), "unsupported"),
]


def _render_showcase(graph: dict[str, Any], *, models: Path) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        workflow = Path(scratch) / "workflow.json"
        workflow.write_text(json.dumps(graph))
        out = Path(scratch) / "out"
        command = [str(RENDER_PYTHON), "-m", "renderworker", "render", str(workflow), "--models", str(models), "--out", str(out), "--profile", "cpu-fp32"]
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=600)
        return next(iter(sorted(out.glob("*.png")))).read_bytes()


def _ensure_catalog(owner: User, *, models: Path) -> None:
    from blueprints import catalog

    for filename, kind in ((CHECKPOINT, "checkpoint"), (LORA, "lora")):
        upload = SimpleUploadedFile(filename, (models / filename).read_bytes())
        catalog.model_version_add(
            user=owner, upload=upload, name=f"Kiln tiny {kind}", kind=kind, base_model="sd15",
            commercial_use=True, credit_required=False, derivatives_allowed=True, licence_name="Generated demo weights",
        )  # the same file again resolves to the existing version


def seed_verification_demo(*, owner: User, log: Callable[[str], None]) -> int:
    """Create and submit the demo Blueprints that do not exist yet; returns how many."""
    from blueprints import services
    from marketplace.gallery import services as gallery_services
    from marketplace.gallery.management.demo_seeding import _images_processed_inline

    models = Path(settings.RENDER_MODELS_DIR)
    if not RENDER_PYTHON.exists() or not (models / CHECKPOINT).is_file():
        return 0  # no tiny models here (scripts/demo writes them first): nothing to verify with
    _ensure_catalog(owner, models=models)
    created = 0
    for spec in DEMO_BLUEPRINTS:
        if Post.objects.filter(creator=owner, title=spec.title).exists():
            continue
        showcase = _render_showcase(spec.showcase, models=models)
        with _images_processed_inline(True):
            post = gallery_services.post_create(
                creator=owner, title=spec.title, description=spec.description, tool="comfyui",
                tags="blueprint, verification", image_bytes=showcase, image_name="showcase.png",
            )
        version = services.blueprint_version_create(
            post=post, user=owner, data=json.dumps(spec.declared).encode(), filename="workflow.json",
            notes="A demo Blueprint on Kiln's tiny generated model.",
        )
        services.blueprint_version_submit(version=version, user=owner)
        log(f"submitted '{spec.title}' for verification (expected: {spec.expected})")
        created += 1
    return created
