"""What a buyer downloads (SPEC §4): the Blueprint zip, and the Recipe export.

Every copy carries a per-buyer fingerprint: an HMAC of (order, buyer, product) under the
site's secret, written into the workflow's ``extra.kiln`` block (ComfyUI keeps ``extra`` on
save, so a leaked workflow names its buyer to Kiln and to nobody else).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from blueprints.models import BlueprintVersion, RunStatus, VerificationRun
from marketplace.commerce.models import Entitlement
from marketplace.recipes.presenters import recipe_full
from renderworker.workflow import MODEL_DIRECTORIES, fill_models_list


def buyer_fingerprint(*, entitlement: Entitlement) -> str:
    """A stable, unforgeable tag for one buyer's copy of one product."""
    product = f"{entitlement.kind}:{entitlement.recipe_id or entitlement.blueprint_id}"
    value = f"order={entitlement.order_id};buyer={entitlement.buyer_id};{product}"
    return salted_hmac("kiln.commerce.fingerprint", value, algorithm="sha256").hexdigest()[:32]


def _kiln_block(*, entitlement: Entitlement, version: BlueprintVersion | None) -> dict[str, Any]:
    return {
        "order": entitlement.order_id,
        "fingerprint": buyer_fingerprint(entitlement=entitlement),
        "post": settings.SITE_URL + reverse("gallery:post", args=[entitlement.post_id]),
        **({"blueprint_version": version.number} if version is not None else {}),
    }


def verification_record(*, version: BlueprintVersion) -> dict[str, Any] | None:
    """The newest finished verification run of ``version`` as plain data, or None when the
    version has none (upload paths that predate verification)."""
    run = (
        VerificationRun.objects.filter(version=version, status=RunStatus.VERIFIED)
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        return None
    return {
        "status": run.status,
        "behaviour_version": run.behaviour_version,
        "decision": run.decision,
        "environment": run.environment,
        "timings": run.timings,
        "peak_memory_bytes": run.peak_memory_bytes,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _models(version: BlueprintVersion) -> list[dict[str, Any]]:
    models = []
    for resource in version.resources.select_related("model_version__asset").order_by("id"):
        model = resource.model_version
        directory = MODEL_DIRECTORIES.get(resource.kind)
        if model is None or directory is None:
            continue
        entry = {"name": resource.name, "hash": model.sha256, "directory": directory}
        if model.source_url:
            entry["url"] = model.source_url
        models.append(entry)
    return models


def _readme(*, version: BlueprintVersion, fingerprint: str, verified: bool) -> str:
    post = version.blueprint.post
    lines = [
        f"# {post.title} — Blueprint v{version.number}",
        "",
        f"By @{post.creator_handle} on Kiln. "
        + (
            "Verified: Kiln re-rendered this workflow and matched the showcase image."
            if verified
            else "No verification record."
        ),
        "",
        "Drag `workflow.json` into ComfyUI; `workflow_api.json` is the executable graph.",
        "",
        "## Resources",
        "",
        "| kind | name | version | SHA-256 | AIR | licence | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for resource in version.resources.select_related("model_version__asset").order_by("id"):
        model = resource.model_version
        if model is None:
            lines.append(
                f"| {resource.kind} | {resource.name} | "
                f"| {resource.declared_sha256 or 'unknown'} | | | |"
            )
            continue
        licence = model.licence_dict()
        licence_text = model.licence_name or ", ".join(
            f"{key}={value}" for key, value in licence.items()
        )
        lines.append(
            f"| {resource.kind} | {resource.name} | {model.label} | {model.sha256} "
            f"| {model.air or ''} | "
            f"{licence_text} | {model.source_url or ''} |"
        )
    lines += [
        "",
        "## Files",
        "",
        "- workflow.json, workflow_api.json, settings.json, NOTES.md,",
        "  verification.json, environment.lock.json",
        "",
        f"Licensed copy {fingerprint}. Do not redistribute.",
        "",
    ]
    return "\n".join(lines)


def _settings(version: BlueprintVersion) -> dict[str, Any]:
    analysis = version.analysis or {}
    return {
        key: analysis.get(key)
        for key in ("seeds", "samplers", "prompts", "resources", "base_model_family", "image_size")
    }


def blueprint_zip(*, entitlement: Entitlement, version: BlueprintVersion) -> bytes:
    """The zip of ``version`` for the owner of ``entitlement`` (see the module docstring)."""
    kiln = _kiln_block(entitlement=entitlement, version=version)
    record = verification_record(version=version)
    files: dict[str, str] = {}
    if version.workflow_ui:
        workflow = fill_models_list(version.workflow_ui, _models(version))
        workflow.setdefault("extra", {})
        workflow["extra"]["kiln"] = kiln
        files["workflow.json"] = json.dumps(workflow, indent=2)
    files["workflow_api.json"] = json.dumps(version.graph_api, indent=2)
    files["README.md"] = _readme(
        version=version, fingerprint=kiln["fingerprint"], verified=record is not None
    )
    files["settings.json"] = json.dumps(_settings(version), indent=2)
    files["NOTES.md"] = version.notes or "(No notes from the creator.)\n"
    files["verification.json"] = json.dumps(record, indent=2)
    files["environment.lock.json"] = json.dumps(
        {
            "verified": record is not None,
            "behaviour_version": (record or {}).get("behaviour_version"),
            "environment": (record or {}).get("environment", {}),
        },
        indent=2,
    )
    files["kiln.json"] = json.dumps(kiln, indent=2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def recipe_export(*, entitlement: Entitlement) -> bytes:
    """The Recipe as JSON (prompt, settings, notes) with the buyer's fingerprint."""
    assert entitlement.recipe is not None
    body = recipe_full(entitlement.recipe)
    body["kiln"] = _kiln_block(entitlement=entitlement, version=None)
    return json.dumps(body, indent=2, default=str).encode()


def download_filename(*, entitlement: Entitlement, version: BlueprintVersion | None) -> str:
    stem = slugify(entitlement.post.title)[:60] or f"post-{entitlement.post_id}"
    if version is not None:
        return f"{stem}-blueprint-v{version.number}.zip"
    return f"{stem}-recipe.json"
