"""Writes for Blueprints: upload a version, resolve its resources, move it through its states."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from blueprints.models import (
    Blueprint,
    BlueprintResource,
    BlueprintVersion,
    BlueprintVersionEvent,
    ModelKind,
    ModelVersion,
    VersionState,
)
from marketplace.accounts.models import User
from marketplace.core.errors import DomainError, PermissionDenied
from marketplace.core.markdown import render_markdown
from marketplace.gallery.models import Post
from renderworker.workflow import Analysis, WorkflowError, analyze, read_upload

MAX_PRICE_MINOR = 1_000_000
ACCEPTED_CURRENCIES = ("usd", "eur", "gbp")
# Resource kinds the catalog tracks; others (e.g. clip for SD1 checkpoints) are not files to buy.
CATALOG_KINDS = set(ModelKind.values)


class BlueprintError(DomainError):
    """Blueprint input or a transition that Kiln refuses."""


def analyse_upload(*, data: bytes, filename: str) -> Analysis:
    """Read and analyse an upload without saving anything (the dry run behind /analyze/)."""
    try:
        return analyze(read_upload(data, filename=filename))
    except WorkflowError as error:
        first = error.problems[0] if error.problems else None
        raise BlueprintError(
            first.message if first else str(error),
            field="file",
            code=first.code if first else "invalid_workflow",
        ) from error


def _validate_price(price_minor: int, currency: str) -> str:
    currency = currency.lower()
    if currency not in ACCEPTED_CURRENCIES:
        raise BlueprintError(
            f"Currency {currency!r} is not accepted; accepted: {', '.join(ACCEPTED_CURRENCIES)}.", field="currency", code="invalid_currency"
        )
    if isinstance(price_minor, bool) or not isinstance(price_minor, int) or not 0 <= price_minor <= MAX_PRICE_MINOR:
        raise BlueprintError(
            f"price={price_minor!r} is out of range; give minor units (cents) from 0 to {MAX_PRICE_MINOR}.",
            field="price",
            code="invalid_price",
        )
    return currency


def resolve_resource(*, kind: str, name: str, hints: dict[str, str] | None = None) -> tuple[ModelVersion | None, str]:
    """Find the catalog file a graph's resource names: by a hash hint, else by file name."""
    hints = hints or {}
    if hints.get("sha256"):
        found = ModelVersion.objects.filter(sha256=hints["sha256"].lower()).first()
        if found:
            return found, "sha256"
    basename = name.replace("\\", "/").rsplit("/", 1)[-1]
    by_name = list(ModelVersion.objects.filter(filename__iexact=basename, asset__kind=kind)[:2])
    if len(by_name) == 1:
        return by_name[0], "filename"
    return None, ""


def _models_list_hints(ui: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """ComfyUI UI workflows may carry ``models[]`` with a SHA-256 per file name."""
    hints: dict[str, dict[str, str]] = {}
    for entry in (ui or {}).get("models", []) if isinstance(ui, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and str(entry.get("hash_type", "")).upper() == "SHA256":
            hints[entry["name"]] = {"sha256": str(entry.get("hash", ""))}
    return hints


@transaction.atomic
def blueprint_version_create(
    *,
    post: Post,
    user: User,
    data: bytes,
    filename: str,
    notes: str = "",
    price_minor: int = 0,
    currency: str = "usd",
) -> BlueprintVersion:
    """Upload a new version of a post's Blueprint (creating the Blueprint on first upload).

    Declared settings are what the graph says; nothing the creator types overrides them.
    """
    if post.creator_id != user.pk:
        raise PermissionDenied("Only the post's creator can upload its Blueprint.")
    currency = _validate_price(price_minor, currency)
    if len(notes) > 20_000:
        raise BlueprintError(f"The notes have {len(notes)} characters; at most 20000.", field="notes")
    analysis = analyse_upload(data=data, filename=filename)
    source = read_upload(data, filename=filename)
    if analysis.api is None:
        raise BlueprintError("The upload holds no ComfyUI graph to run.", field="file", code="no_graph")
    blueprint, _ = Blueprint.objects.select_for_update().get_or_create(
        post=post, defaults={"price_minor": price_minor, "currency": currency}
    )
    Blueprint.objects.filter(pk=blueprint.pk).update(price_minor=price_minor, currency=currency)
    number = (blueprint.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    digest = hashlib.sha256(data).hexdigest()
    extension = {"ui": "json", "api": "json"}.get(analysis.source_format, (analysis.image_format or "json").lower())
    version = BlueprintVersion(
        blueprint=blueprint,
        number=number,
        source_format=analysis.source_format,
        source_sha256=digest,
        workflow_ui=source.ui,
        graph_api=analysis.api,
        analysis=analysis.as_dict(),
        public_summary=analysis.public_summary(),
        notes=notes,
        notes_html=render_markdown(notes),
    )
    version.source_file.save(f"{digest[:24]}.{extension}", ContentFile(data), save=False)
    version.save()
    _record_resources(version=version, analysis=analysis, hints=_models_list_hints(source.ui))
    BlueprintVersionEvent.objects.create(version=version, from_state="", to_state=VersionState.DRAFT, actor=user, note="uploaded")
    Post.objects.filter(pk=post.pk).update(has_blueprint=True, base_model=analysis.base_model_family if analysis.base_model_family != "unknown" else F("base_model"))
    return version


def _record_resources(*, version: BlueprintVersion, analysis: Analysis, hints: dict[str, dict[str, str]]) -> None:
    grouped: dict[tuple[str, str], list[str]] = {}
    for resource in analysis.resources:
        if resource.kind not in CATALOG_KINDS:
            continue
        grouped.setdefault((resource.kind, resource.name), []).append(resource.node_id or "")
    for (kind, name), node_ids in grouped.items():
        found, how = resolve_resource(kind=kind, name=name, hints=hints.get(name))
        BlueprintResource.objects.create(
            version=version, kind=kind, name=name[:255], node_ids=node_ids, model_version=found, resolved_by=how
        )


def resource_link(*, version: BlueprintVersion, user: User, resource_id: int, model_version: ModelVersion) -> BlueprintResource:
    """Point an unresolved (or wrongly resolved) resource at a catalog file, in draft only."""
    _require_owner(version, user)
    if version.state != VersionState.DRAFT:
        raise BlueprintError(f"Resources can be linked only in draft; this version is {version.state}.", field="state", code="not_draft")
    resource = version.resources.filter(pk=resource_id).first()
    if resource is None:
        raise BlueprintError(f"No resource {resource_id} in this version.", field="resource", code="not_found")
    if model_version.asset.kind != resource.kind:
        raise BlueprintError(
            f"The catalog file is a {model_version.asset.kind}; this resource needs a {resource.kind}.", field="sha256", code="kind_mismatch"
        )
    resource.model_version = model_version
    resource.resolved_by = "link"
    resource.save(update_fields=["model_version", "resolved_by"])
    return resource


def licence_summary(version: BlueprintVersion) -> dict[str, Any]:
    """What the resources' licences allow, and the reasons selling is blocked if it is."""
    resources = list(version.resources.select_related("model_version__asset"))
    blockers: list[str] = []
    credits: list[str] = []
    derivatives = True
    for resource in resources:
        model = resource.model_version
        if model is None:
            continue
        if not model.commercial_use:
            blockers.append(f"{resource.kind} {resource.name!r} forbids commercial use")
        if model.credit_required:
            credits.append(str(model))
        derivatives = derivatives and model.derivatives_allowed
    return {
        "commercial_use": not blockers,
        "selling_blocked_by": blockers,
        "credit_required_for": credits,
        "derivatives_allowed": derivatives,
    }


def submit_blockers(version: BlueprintVersion) -> list[dict[str, str]]:
    """Why this version cannot be submitted yet (empty when it can)."""
    reasons: list[dict[str, str]] = []
    for resource in version.resources.all():
        if resource.model_version_id is None:
            reasons.append({"code": "unresolved_resource", "message": f"{resource.kind} {resource.name!r} is not in the catalog: upload or link it."})
    for node in version.analysis.get("unsupported", []):
        reasons.append({"code": "unsupported_node", "message": f"Node {node.get('node_id')} ({node.get('class_type')}): {node.get('reason')}"})
    for problem in version.analysis.get("problems", []):
        reasons.append({"code": problem.get("code", "problem"), "message": problem.get("message", "")})
    if version.blueprint.price_minor > 0:
        for blocker in licence_summary(version)["selling_blocked_by"]:
            reasons.append({"code": "licence_forbids_sale", "message": f"{blocker}; set the price to 0 or use another model."})
    return reasons


def version_transition(*, version: BlueprintVersion, to_state: str, actor: User | None = None, note: str = "") -> BlueprintVersion:
    """The one way a version changes state: checks the map, updates conditionally, logs an event."""
    if not version.can_transition(to_state):
        raise BlueprintError(
            f"A {version.state} version cannot become {to_state}.", field="state", code="invalid_transition"
        )
    now = timezone.now()
    stamps: dict[str, Any] = {}
    if to_state == VersionState.SUBMITTED:
        stamps["submitted_at"] = now
    elif to_state == VersionState.VERIFIED:
        stamps["verified_at"] = now
    elif to_state == VersionState.LISTED:
        stamps["listed_at"] = now
    # Conditional update: a concurrent transition from the same state changes zero rows.
    changed = BlueprintVersion.objects.filter(pk=version.pk, state=version.state).update(state=to_state, **stamps)
    if changed != 1:
        raise BlueprintError("The version changed meanwhile; reload and try again.", field="state", code="conflict")
    BlueprintVersionEvent.objects.create(version=version, from_state=version.state, to_state=to_state, actor=actor, note=note[:2000])
    version.refresh_from_db()
    return version


def _require_owner(version: BlueprintVersion, user: User) -> None:
    if version.blueprint.post.creator_id != user.pk:
        raise PermissionDenied("Only the Blueprint's creator can do this.")


@transaction.atomic
def blueprint_version_submit(*, version: BlueprintVersion, user: User) -> BlueprintVersion:
    """Submit a draft for verification once every resource resolves and nothing is unsupported."""
    _require_owner(version, user)
    blockers = submit_blockers(version)
    if blockers:
        raise BlueprintError(
            "This version cannot be submitted yet: " + "; ".join(b["message"] for b in blockers[:5]),
            field="resources",
            code=blockers[0]["code"],
        )
    return version_transition(version=version, to_state=VersionState.SUBMITTED, actor=user)
