"""Pages of a verification: the report (showcase and reproduction side by side, difference
heat map, controls, metrics, environment, timings) and the images it shows.

Public when the version is verified or listed, always for its creator; a 404 otherwise.
Images live in private storage (no URLs): they are served here after the same check, and
re-encoded on the way out so no file ever carries metadata (a ComfyUI showcase PNG holds its
whole workflow). Never shows the graph, prompts, seeds or weights.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from PIL import Image

from blueprints.models import BlueprintVersion, RunStatus, VerificationRun, VersionState
from blueprints.verification import run_progress
from marketplace.storage import private_storage

PUBLIC_STATES = (VersionState.VERIFIED, VersionState.LISTED)
ENVIRONMENT_FIELDS = (
    ("behaviour_version", "ComfyUI behaviour emulated"),
    ("profile", "Precision profile"),
    ("torch", "torch"),
    ("diffusers", "diffusers"),
    ("device", "Device"),
    ("gpu", "GPU"),
    ("unet_dtype", "UNet dtype"),
    ("vae_dtype", "VAE dtype"),
    ("text_dtype", "Text encoder dtype"),
    ("attention_backend", "Attention backend"),
)


def _visible_version(request: HttpRequest, version_id: int) -> tuple[BlueprintVersion, bool]:
    version = get_object_or_404(BlueprintVersion.objects.select_related("blueprint__post"), pk=version_id)
    is_owner = request.user.is_authenticated and version.blueprint.post.creator_id == request.user.pk
    if not is_owner and version.state not in PUBLIC_STATES:
        raise Http404("No such verification record.")
    return version, is_owner


def _report_run(version: BlueprintVersion, *, is_owner: bool) -> VerificationRun | None:
    runs = version.runs.order_by("-created_at", "-id")
    if is_owner:
        return runs.first()
    # Strangers see the run that verified what is on sale.
    return runs.filter(status=RunStatus.VERIFIED).first()


def _image_url(run: VerificationRun, role: str) -> str:
    return reverse("blueprints:verification-image", args=[run.pk, role])


def _controls(run: VerificationRun) -> list[dict[str, Any]]:
    closest = run.decision.get("closest_control")
    controls = []
    for control in run.decision.get("controls", []):
        role = f"control:{control['name']}"
        controls.append(
            {
                **control,
                "closest": control["name"] == closest,
                "image_url": _image_url(run, role) if role in run.images else None,
            }
        )
    return controls


@never_cache
def verification_report(request: HttpRequest, version_id: int) -> HttpResponse:
    """The verification record of a version."""
    version, is_owner = _visible_version(request, version_id)
    run = _report_run(version, is_owner=is_owner)
    context: dict[str, Any] = {"version": version, "post": version.blueprint.post, "run": run, "is_owner": is_owner}
    if run is not None:
        context.update(
            {
                "images": {
                    "showcase": _image_url(run, "showcase"),
                    "declared": _image_url(run, "declared") if "declared" in run.images else None,
                    "diff": _image_url(run, "diff") if "diff" in run.images else None,
                },
                "declared": run.decision.get("declared"),
                "thresholds": run.decision.get("thresholds", {}),
                "margin": run.decision.get("margin"),
                "controls": _controls(run),
                "environment": [(label, run.environment[key]) for key, label in ENVIRONMENT_FIELDS if key in run.environment],
                "timings": sorted(run.timings.items(), key=lambda item: item[0] == "total"),
                "peak_memory_mib": round(run.peak_memory_bytes / 2**20, 1),
                "progress": None if run.is_finished else run_progress(run),
                "api_url": f"/api/v1/blueprint-versions/{version.pk}/",
            }
        )
    return render(request, "blueprints/verification_report.html", context)


def verification_image(request: HttpRequest, run_id: int, role: str) -> HttpResponse:
    """One image of a run (or the showcase it was compared with), as a metadata-free PNG."""
    run = get_object_or_404(VerificationRun.objects.select_related("version__blueprint__post__image"), pk=run_id)
    version, is_owner = _visible_version(request, run.version_id)
    if not is_owner and run.status != RunStatus.VERIFIED:
        raise Http404("No such image.")
    if role == "showcase":
        opened = version.blueprint.post.image.original.open("rb")
    elif role in run.images:
        opened = private_storage().open(run.images[role], "rb")
    else:
        raise Http404("No such image.")
    with opened, Image.open(opened) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "PNG")  # pixels only: no text chunks, no EXIF
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300" if is_owner else "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
