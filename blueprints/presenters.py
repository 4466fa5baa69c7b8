"""Plain-dict views of Blueprints, shared by the API and the HTML pages.

Two views of a version, decided here and nowhere else:

- :func:`version_private` — for its creator: extracted settings (prompts, seeds, LoRA weights),
  notes, resolution, licence, blockers, events.
- :func:`version_public` — for everyone once listed: resource names, kinds, catalog versions,
  hashes and licences, node count, base model and sampler family. It is built only from
  ``BlueprintVersion.public_summary`` and catalog rows, never from the workflow, the analysis,
  the notes or the graph, so the paywall does not depend on remembering to drop a key.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from blueprints import selectors, services
from blueprints.models import BlueprintResource, BlueprintVersion, ModelVersion, VersionState
from marketplace.gallery.models import Post
from marketplace.recipes.presenters import price_dict

STATE_HELP = {
    VersionState.DRAFT: (
        "Only you can see it. Resolve every resource, then submit it for verification."
    ),
    VersionState.SUBMITTED: "Waiting for a GPU worker to re-render it.",
    VersionState.VERIFYING: "A GPU worker is re-rendering it.",
    VersionState.VERIFIED: "Kiln re-rendered it and it matches your image: publish it to sell it.",
    VersionState.REJECTED: "The re-render did not match your image.",
    VersionState.UNSUPPORTED: "The worker cannot run this workflow.",
    VersionState.ERROR: "The verification failed for a technical reason; you can submit it again.",
    VersionState.LISTED: "On sale on the post page.",
}


def model_version_dict(model: ModelVersion) -> dict[str, Any]:
    """A catalog file: what it is, its identities and its licence (public catalog data)."""
    return {
        "id": model.pk,
        "name": model.asset.name,
        "kind": model.asset.kind,
        "base_model": model.asset.base_model or None,
        "label": model.label,
        "filename": model.filename,
        "sha256": model.sha256,
        "autov1": model.autov1,
        "autov2": model.autov2,
        "autov3": model.autov3 or None,
        "size_bytes": model.size_bytes,
        "source_url": model.source_url or None,
        "air": model.air or None,
        "licence": model.licence_dict(),
        "created_at": model.created_at.isoformat(),
    }


def _public_resource(resource: BlueprintResource) -> dict[str, Any]:
    model = resource.model_version
    return {
        "kind": resource.kind,
        "name": resource.name,
        "model": None
        if model is None
        else {
            "name": model.asset.name,
            "version": model.label or None,
            "sha256": model.sha256,
            "autov2": model.autov2,
            "air": model.air or None,
            "source_url": model.source_url or None,
            "licence": model.licence_dict(),
        },
    }


def version_public(version: BlueprintVersion) -> dict[str, Any]:
    """What anyone may see of a listed version (never the workflow, prompts, seeds or weights)."""
    summary = version.public_summary or {}
    return {
        "id": version.pk,
        "number": version.number,
        "state": version.state,
        "full": False,
        "post_id": version.blueprint.post_id,
        "price": price_dict(amount_minor=version.price_minor, currency=version.currency),
        "verification": _verification_badge(version),
        "node_count": summary.get("node_count", 0),
        "base_model_family": summary.get("base_model_family", "unknown"),
        "sampler_family": summary.get("sampler_family", "none"),
        "resources": [_public_resource(resource) for resource in version.resources.all()],
        "listed_at": version.listed_at.isoformat() if version.listed_at else None,
    }


def _verification_badge(version: BlueprintVersion) -> dict[str, Any]:
    # The full record (metrics, images, environment) is on the report page it links to.
    verified = version.verified_at is not None and version.state in (
        VersionState.VERIFIED,
        VersionState.LISTED,
    )
    return {
        "verified": verified,
        "verified_at": version.verified_at.isoformat() if version.verified_at else None,
        "report_url": _report_url(version.pk) if verified else None,
    }


def _report_url(version_id: int) -> str:
    from blueprints.verification import report_url  # verification imports services

    return report_url(version_id)


def _verification_runs(version: BlueprintVersion) -> list[dict[str, Any]]:
    from blueprints.verification import runs_for_owner

    return runs_for_owner(version)


def blueprint_public_for_post(post: Post) -> dict[str, Any] | None:
    """The ``blueprint`` key of a post: price and the newest listed version, or None.

    Costs nothing (no query) for posts without a Blueprint in the pipeline.
    """
    if not post.has_blueprint:
        return None
    latest = selectors.latest_listed_version(post_id=post.pk)
    # The product id a buyer passes to POST /api/v1/checkout/ ({"type": "blueprint", "id": ...}).
    blueprint_id = selectors.blueprint_id_for_post(post_id=post.pk) if latest is None else latest.blueprint_id
    if latest is None:
        return {
            "id": blueprint_id,
            "listed": False,
            "price": None,
            "latest_version": None,
            "verified": False,
            "version": None,
        }
    public = version_public(latest)
    return {
        "id": blueprint_id,
        "listed": True,
        "price": public["price"],
        "latest_version": latest.number,
        "verified": public["verification"]["verified"],
        "version": public,
    }


def _private_resource(resource: BlueprintResource, uses: list[dict[str, Any]]) -> dict[str, Any]:
    model = resource.model_version
    return {
        "id": resource.pk,
        "kind": resource.kind,
        "name": resource.name,
        "node_ids": resource.node_ids,
        "declared_sha256": resource.declared_sha256 or None,
        "resolved": model is not None,
        "resolved_by": resource.resolved_by or None,
        "model": None if model is None else model_version_dict(model),
        # Per node: LoRA strengths and where it is loaded (the creator's own settings).
        "uses": uses,
        "link_url": reverse("api:blueprint-resource-link", args=[resource.version_id, resource.pk]),
    }


def _uses_by_resource(analysis: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    uses: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in analysis.get("resources", []):
        key = (str(entry.get("kind")), str(entry.get("name"))[:255])
        uses.setdefault(key, []).append(
            {
                "node_id": entry.get("node_id"),
                "class_type": entry.get("class_type"),
                "input_name": entry.get("input_name"),
                "strength_model": entry.get("strength_model"),
                "strength_clip": entry.get("strength_clip"),
            }
        )
    return uses


def event_dict(event: Any) -> dict[str, Any]:
    return {
        "from_state": event.from_state or None,
        "to_state": event.to_state,
        "actor": event.actor.username if event.actor else None,
        "note": event.note,
        "at": event.created_at.isoformat(),
    }


def version_private(version: BlueprintVersion) -> dict[str, Any]:
    """Everything about a version, for its creator (use with a ``versions_with_details`` row)."""
    analysis = version.analysis or {}
    uses = _uses_by_resource(analysis)
    blockers = services.submit_blockers(version)
    return {
        "id": version.pk,
        "number": version.number,
        "state": version.state,
        "state_label": VersionState(version.state).label,
        "state_help": STATE_HELP.get(VersionState(version.state), ""),
        "full": True,
        "post_id": version.blueprint.post_id,
        "price": price_dict(amount_minor=version.price_minor, currency=version.currency),
        "notes": version.notes,
        "notes_html": version.notes_html,
        "source": {
            "format": version.source_format,
            "sha256": version.source_sha256,
            "image_format": analysis.get("image_format"),
            "image_size": analysis.get("image_size"),
        },
        "settings": {
            "node_count": analysis.get("node_count", 0),
            "class_types": analysis.get("class_types", []),
            "base_model_family": analysis.get("base_model_family", "unknown"),
            "family_evidence": analysis.get("family_evidence", []),
            "sampler_family": analysis.get("sampler_family", "none"),
            "samplers": analysis.get("samplers", []),
            "seeds": analysis.get("seeds", []),
            "prompts": analysis.get("prompts", []),
        },
        "unsupported": analysis.get("unsupported", []),
        "problems": analysis.get("problems", []),
        "resources": [
            _private_resource(resource, uses.get((resource.kind, resource.name), []))
            for resource in version.resources.all()
        ],
        "licence": services.licence_summary(version),
        "submit_blockers": blockers,
        "can_submit": not blockers,
        "can_publish": version.state == VersionState.VERIFIED,
        "events": [event_dict(event) for event in version.events.all()],
        # Verification runs with live progress (blueprints/verification.py).
        "verification_runs": _verification_runs(version),
        "verification": _verification_badge(version),
        "created_at": version.created_at.isoformat(),
        "submitted_at": version.submitted_at.isoformat() if version.submitted_at else None,
        "verified_at": version.verified_at.isoformat() if version.verified_at else None,
        "listed_at": version.listed_at.isoformat() if version.listed_at else None,
    }


NOT_FOUND_MESSAGE = "not found — upload or link it"


def analysis_report(report: services.UploadReport) -> dict[str, Any]:
    """The dry run for the uploader: everything extracted from their own file, each resource
    with its catalog match or "not found — upload or link it" (no raw graph: they have it)."""
    analysis = report.analysis
    data = analysis.as_dict()
    uses = _uses_by_resource(data)
    resources = []
    for item in report.resources:
        model = item.model_version
        resources.append(
            {
                "kind": item.kind,
                "name": item.name,
                "node_ids": item.node_ids,
                "uses": uses.get((item.kind, item.name), []),
                "declared_sha256": item.declared_sha256 or None,
                "found": model is not None,
                "resolved_by": item.resolved_by or None,
                "model": None if model is None else model_version_dict(model),
                "message": f"found in the catalog by {item.resolved_by}"
                if model
                else NOT_FOUND_MESSAGE,
            }
        )
    return {
        "source": {
            "format": analysis.source_format,
            "image_format": analysis.image_format,
            "image_size": list(analysis.image_size) if analysis.image_size else None,
        },
        "node_count": analysis.node_count,
        "class_types": data["class_types"],
        "base_model_family": analysis.base_model_family,
        "family_evidence": data["family_evidence"],
        "sampler_family": analysis.sampler_family,
        "resources": resources,
        "seeds": data["seeds"],
        "samplers": data["samplers"],
        "prompts": data["prompts"],
        "unsupported": data["unsupported"],
        "problems": data["problems"],
        "runnable": analysis.is_runnable,
        "can_be_blueprint": analysis.api is not None,
    }


def version_for_viewer(version: BlueprintVersion, *, viewer: Any) -> dict[str, Any]:
    """The private view for the owner, the public view for anyone else."""
    if selectors.viewer_owns(version=version, viewer=viewer):
        return version_private(version)
    return version_public(version)
