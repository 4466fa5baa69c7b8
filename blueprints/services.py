"""Writes for Blueprints: upload a version, resolve its resources, move it through its states.

Every state change goes through :func:`version_transition` (transition map + event row); every
write that changes what a post sells ends with the gallery's facet refresh, inside the same
transaction, so gallery filters and cards follow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from blueprints.catalog import model_version_for_identity
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
from marketplace.core.errors import DomainError, NotFound, PermissionDenied
from marketplace.core.markdown import render_markdown
from marketplace.gallery.models import Post
from marketplace.gallery.services import post_product_facets_refresh
from marketplace.recipes.pricing import ACCEPTED_CURRENCIES, MAX_PRICE_MINOR
from marketplace.storage import private_storage
from renderworker.workflow import (
    MAX_UPLOAD_BYTES,
    Analysis,
    WorkflowError,
    WorkflowSource,
    analyze,
    read_upload,
)

MAX_NOTES_CHARACTERS = 20_000
# Every kind the analysis reports is a file the worker must fetch, text encoders included
# (Flux/SD3 graphs load them separately), so every kind is resolved against the catalog.
CATALOG_KINDS = frozenset(ModelKind.values)
# How many problems an error's `details` carries (the analysis has them all).
MAX_REPORTED_PROBLEMS = 50


class BlueprintError(DomainError):
    """Blueprint input or a transition that Kiln refuses; ``details`` goes into the API error."""

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "invalid", details: Any = None
    ) -> None:
        super().__init__(message, field=field, code=code)
        self.details = details


# --- Reading uploads -----------------------------------------------------------------------------


def read_and_analyse(*, data: bytes, filename: str) -> tuple[WorkflowSource, Analysis]:
    """Read an upload once and analyse it; unreadable input raises :class:`BlueprintError`.

    Graph problems (cycles, dangling links, unknown nodes, bad values) do not raise here: they
    are in ``Analysis.problems``; :func:`require_clean_graph` turns them into an error.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise BlueprintError(
            f"The file is {len(data):,} bytes; at most {MAX_UPLOAD_BYTES:,} are accepted.",
            field="file",
            code="file_too_large",
        )
    try:
        source = read_upload(data, filename=filename)
        return source, analyze(source)
    except WorkflowError as error:
        problems = [problem.as_dict() for problem in error.problems[:MAX_REPORTED_PROBLEMS]]
        first = error.problems[0]
        raise BlueprintError(
            first.message, field="file", code=first.code, details={"problems": problems}
        ) from None


def analyse_upload(*, data: bytes, filename: str) -> Analysis:
    """Read and analyse an upload without saving anything (the dry run behind /analyze/)."""
    return read_and_analyse(data=data, filename=filename)[1]


def require_clean_graph(analysis: Analysis, *, extra_details: dict[str, Any] | None = None) -> None:
    """Refuse a graph with validation problems: the first problem is the error, all are listed.

    ``extra_details`` go into the error's details (the dry run adds its report: the uploader's
    own file, whose extracted content the creator still wants to see).
    """
    if not analysis.problems:
        return
    first = analysis.problems[0]
    where = ""
    if first.node_id:
        named = f" ({first.class_type})" if first.class_type else ""
        where = f"node {first.node_id}{named}: "
    count = len(analysis.problems)
    details: dict[str, Any] = {
        "problems": [problem.as_dict() for problem in analysis.problems[:MAX_REPORTED_PROBLEMS]],
    }
    details.update(extra_details or {})
    raise BlueprintError(
        f"The workflow cannot run: {where}{first.message}"
        + (f" ({count - 1} more problem{'s' if count > 2 else ''} listed.)" if count > 1 else ""),
        field="file",
        code=first.code,
        details=details,
    )


# --- Prices --------------------------------------------------------------------------------------


def validate_price(*, price_minor: Any, currency: str) -> str:
    """Check a price in minor units and its currency; returns the currency in lower case."""
    currency = (currency or "").strip().lower()
    if currency not in ACCEPTED_CURRENCIES:
        raise BlueprintError(
            f"Currency {currency[:10]!r} is not accepted; accepted: "
            f"{', '.join(ACCEPTED_CURRENCIES)}.",
            field="currency",
            code="invalid_currency",
        )
    if (
        isinstance(price_minor, bool)
        or not isinstance(price_minor, int)
        or not 0 <= price_minor <= MAX_PRICE_MINOR
    ):
        raise BlueprintError(
            f"price={str(price_minor)[:20]!r} is out of range; give whole minor units (cents) "
            f"from 0 to {MAX_PRICE_MINOR}.",
            field="price",
            code="invalid_price",
        )
    return currency


def paid_listing_blocker(*, user: User, price_minor: int) -> str | None:
    """Why ``user`` may not list at ``price_minor`` yet, or None.

    SPEC §5: a creator who has not finished Stripe Connect onboarding can list only free
    items. Asked at publish time (listing is what sells); a draft may carry its price before.
    """
    # Imported here: commerce imports the blueprints models.
    from marketplace.commerce.services.connect import paid_price_blocker

    return paid_price_blocker(user=user, price_minor=price_minor)


# --- Upload --------------------------------------------------------------------------------------


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
    """Upload a new draft version of a post's Blueprint (creating the Blueprint on first upload).

    Declared settings are what the graph says; nothing the creator types overrides them. Bad
    input raises before anything is written (rows or files).
    """
    if post.creator_id != user.pk:
        raise PermissionDenied("Only the post's creator can upload its Blueprint.")
    currency = validate_price(price_minor=price_minor, currency=currency)
    if len(notes) > MAX_NOTES_CHARACTERS:
        raise BlueprintError(
            f"The notes have {len(notes):,} characters; at most {MAX_NOTES_CHARACTERS:,}.",
            field="notes",
            code="too_long",
        )
    if "\x00" in notes:
        # PostgreSQL refuses NUL in text; caught here it is a field error, not a 500.
        raise BlueprintError(
            "The notes contain a NUL character; write them as plain text or Markdown.",
            field="notes",
            code="invalid",
        )
    source, analysis = read_and_analyse(data=data, filename=filename)
    if analysis.api is None:
        raise BlueprintError(
            "The upload holds Automatic1111 settings, not a ComfyUI graph; Kiln verifies "
            "ComfyUI workflows only. Upload the workflow JSON or a ComfyUI PNG/WebP, or sell "
            "these settings as a Recipe.",
            field="file",
            code="no_graph",
        )
    require_clean_graph(analysis)
    digest = hashlib.sha256(data).hexdigest()
    # Stored before the transaction (object storage is a network call); content-addressed, so
    # a failed transaction leaves at most an orphan that the same upload would reuse.
    source_key = _store_source(data, digest=digest, extension=_source_extension(analysis))
    hints = models_list_hints(source.ui)
    with transaction.atomic():
        # Lock the post: two concurrent uploads must not both create the Blueprint or take the
        # same version number.
        locked = Post.objects.select_for_update().get(pk=post.pk)
        blueprint, created = Blueprint.objects.get_or_create(
            post=locked, defaults={"price_minor": price_minor, "currency": currency}
        )
        if not created and not blueprint.versions.filter(state=VersionState.LISTED).exists():
            # Nothing is on sale yet, so the Blueprint's price follows the newest draft.
            Blueprint.objects.filter(pk=blueprint.pk).update(
                price_minor=price_minor, currency=currency
            )
        number = (blueprint.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = BlueprintVersion(
            blueprint=blueprint,
            number=number,
            source_format=analysis.source_format,
            source_sha256=digest,
            workflow_ui=source.ui,
            graph_api=analysis.api,
            # The graph is stored once, in graph_api.
            analysis={key: value for key, value in analysis.as_dict().items() if key != "api"},
            public_summary=analysis.public_summary(),
            notes=notes,
            notes_html=render_markdown(notes),
            price_minor=price_minor,
            currency=currency,
        )
        version.source_file.name = source_key
        version.save()
        _record_resources(version=version, analysis=analysis, hints=hints)
        BlueprintVersionEvent.objects.create(
            version=version, from_state="", to_state=VersionState.DRAFT, actor=user, note="uploaded"
        )
    return version


def _source_extension(analysis: Analysis) -> str:
    if analysis.image_format:
        return {"JPEG": "jpg"}.get(analysis.image_format.upper(), analysis.image_format.lower())
    return "json"


def _store_source(data: bytes, *, digest: str, extension: str) -> str:
    storage = private_storage()
    key = f"blueprints/{digest[:2]}/{digest}.{extension}"
    if storage.exists(key):
        return key
    return str(storage.save(key, ContentFile(data)))


def models_list_hints(ui: dict[str, Any] | None) -> dict[str, str]:
    """File name → SHA-256 from a UI workflow's ``models[]`` (ComfyUI's own download list).

    Keys are both the name as written and its base name, since graphs may use sub-folders.
    """
    hints: dict[str, str] = {}
    if not isinstance(ui, dict):
        return hints
    # The workflow's own list, and (newer frontends) each loader node's properties.models.
    top_level, nodes = ui.get("models"), ui.get("nodes")
    entries = list(top_level) if isinstance(top_level, list) else []
    for node in nodes if isinstance(nodes, list) else []:
        properties = node.get("properties") if isinstance(node, dict) else None
        node_models = properties.get("models") if isinstance(properties, dict) else None
        if isinstance(node_models, list):
            entries.extend(node_models[:50])
    for entry in entries[:2000]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        digest = str(entry.get("hash", "")).strip().lower()
        if str(entry.get("hash_type", "")).upper() != "SHA256" or len(digest) != 64:
            continue
        if any(char not in "0123456789abcdef" for char in digest):
            continue
        hints.setdefault(entry["name"], digest)
        hints.setdefault(_basename(entry["name"]), digest)
    return hints


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def resolve_resource(
    *, kind: str, name: str, declared_sha256: str = ""
) -> tuple[ModelVersion | None, str]:
    """Find the catalog file a graph's resource names: by declared SHA-256, else by file name.

    A file name resolves only when exactly one catalog file of that kind has it (embeddings are
    written without extension in prompts, so ``name.safetensors`` matches too).
    """
    if declared_sha256:
        found = ModelVersion.objects.filter(sha256=declared_sha256).first()
        if found is not None:
            return found, "sha256"
    basename = _basename(name)
    candidates = [basename]
    if kind == ModelKind.EMBEDDING and "." not in basename:
        candidates.append(f"{basename}.safetensors")
    same_name = Q()
    for candidate in candidates:
        same_name |= Q(filename__iexact=candidate)
    by_name = list(ModelVersion.objects.filter(same_name, asset__kind=kind)[:2])
    if len(by_name) == 1:
        return by_name[0], "filename"
    return None, ""


@dataclass
class ResolvedResource:
    """One file the graph needs (grouped over nodes) and the catalog file it resolved to."""

    kind: str
    name: str
    node_ids: list[str]
    declared_sha256: str
    model_version: ModelVersion | None
    resolved_by: str


@dataclass
class UploadReport:
    """What the dry run shows: the analysis and each resource's catalog resolution."""

    source: WorkflowSource
    analysis: Analysis
    resources: list[ResolvedResource]


def resolve_all(*, analysis: Analysis, hints: dict[str, str]) -> list[ResolvedResource]:
    """Group the analysis' resources by (kind, name) and resolve each against the catalog."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for resource in analysis.resources:
        if resource.kind not in CATALOG_KINDS:
            continue
        grouped.setdefault((resource.kind, resource.name[:255]), []).append(resource.node_id or "")
    resolved = []
    for (kind, name), node_ids in grouped.items():
        declared = hints.get(name) or hints.get(_basename(name)) or ""
        found, how = resolve_resource(kind=kind, name=name, declared_sha256=declared)
        resolved.append(
            ResolvedResource(
                kind=kind,
                name=name,
                node_ids=sorted({node_id for node_id in node_ids if node_id}),
                declared_sha256=declared,
                model_version=found,
                resolved_by=how,
            )
        )
    return resolved


def blueprint_analyse(*, data: bytes, filename: str) -> UploadReport:
    """The dry run: read, analyse and resolve against the catalog; saves nothing.

    Unreadable input raises; graph problems are in ``report.analysis.problems`` (the API turns
    them into a 400 that still carries the report, for the uploader's own file).
    """
    source, analysis = read_and_analyse(data=data, filename=filename)
    return UploadReport(
        source=source,
        analysis=analysis,
        resources=resolve_all(analysis=analysis, hints=models_list_hints(source.ui)),
    )


def _record_resources(
    *, version: BlueprintVersion, analysis: Analysis, hints: dict[str, str]
) -> None:
    BlueprintResource.objects.bulk_create(
        BlueprintResource(
            version=version,
            kind=item.kind,
            name=item.name,
            node_ids=item.node_ids,
            declared_sha256=item.declared_sha256,
            model_version=item.model_version,
            resolved_by=item.resolved_by,
        )
        for item in resolve_all(analysis=analysis, hints=hints)
    )


def resources_resolve_waiting(*, model_version: ModelVersion) -> int:
    """Resolve draft resources waiting for a newly added catalog file; returns how many.

    A resource waits for it when it declared its SHA-256, or names its file (same kind) and no
    other catalog file has that name.
    """
    waiting = BlueprintResource.objects.filter(
        model_version__isnull=True, version__state=VersionState.DRAFT
    )
    by_hash = waiting.filter(declared_sha256=model_version.sha256).update(
        model_version=model_version, resolved_by="sha256"
    )
    # Only resources whose name can be this file (as written, in a sub-folder, or an
    # embedding's stem): the scan stays small however many drafts wait for other files.
    filename = model_version.filename
    could_be_this_file = (
        Q(name__iexact=filename)
        | Q(name__iendswith=f"/{filename}")
        | Q(name__iendswith=f"\\{filename}")
    )
    if model_version.asset.kind == ModelKind.EMBEDDING and filename.lower().endswith(
        ".safetensors"
    ):
        could_be_this_file |= Q(name__iexact=filename[: -len(".safetensors")])
    candidates = waiting.filter(
        could_be_this_file, kind=model_version.asset.kind, declared_sha256=""
    )
    by_name = 0
    for resource in candidates[:1000]:
        found, how = resolve_resource(kind=resource.kind, name=resource.name)
        if found is not None and found.pk == model_version.pk:
            by_name += BlueprintResource.objects.filter(
                pk=resource.pk, model_version__isnull=True
            ).update(model_version=found, resolved_by=how)
    return by_hash + by_name


# --- Linking, licences, blockers -----------------------------------------------------------------


def resource_link(
    *,
    version: BlueprintVersion,
    user: User,
    resource_id: int,
    sha256: str = "",
    autov2: str = "",
    air: str = "",
) -> BlueprintResource:
    """Point a resource at a catalog file (by SHA-256, AutoV2 or AIR), in draft only."""
    _require_owner(version, user)
    given = [
        name
        for name, value in (("sha256", sha256), ("autov2", autov2), ("air", air))
        if value.strip()
    ]
    if len(given) != 1:
        raise BlueprintError(
            "Give exactly one of sha256, autov2 or air"
            + (f"; got {', '.join(given)}." if given else "."),
            field=given[1] if len(given) > 1 else "sha256",
            code="one_identity",
        )
    with transaction.atomic():
        locked = BlueprintVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.DRAFT:
            raise BlueprintError(
                f"Resources can be linked only in draft; this version is {locked.state}.",
                field="state",
                code="not_draft",
            )
        resource = locked.resources.filter(pk=resource_id).first()
        if resource is None:
            # A missing object is a 404 (the API's rule), not a 400 with code not_found.
            raise NotFound(f"No resource {resource_id} in this version.", field="resource")
        model_version = model_version_for_identity(sha256=sha256, autov2=autov2, air=air)
        if model_version.asset.kind != resource.kind:
            raise BlueprintError(
                f"The catalog file {model_version.filename!r} is a {model_version.asset.kind}; "
                f"this resource needs a {resource.kind}.",
                field=given[0],
                code="kind_mismatch",
            )
        resource.model_version = model_version
        resource.resolved_by = "link"
        resource.save(update_fields=["model_version", "resolved_by"])
    return resource


def _resources(version: BlueprintVersion) -> list[BlueprintResource]:
    # .all() uses a prefetch when the selector made one (resources__model_version__asset).
    return list(version.resources.all())


def licence_summary(version: BlueprintVersion) -> dict[str, Any]:
    """What the resolved resources' licences allow, and why selling is blocked if it is.

    Unresolved resources are counted, not guessed: their licence is unknown until linked.
    """
    blockers: list[str] = []
    credits: list[str] = []
    derivatives = True
    unresolved = 0
    for resource in _resources(version):
        model = resource.model_version
        if model is None:
            unresolved += 1
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
        "unresolved_count": unresolved,
        "complete": unresolved == 0,
    }


def submit_blockers(version: BlueprintVersion) -> list[dict[str, str]]:
    """Why this version cannot be submitted yet (empty when it can)."""
    reasons: list[dict[str, str]] = []
    if version.state not in (VersionState.DRAFT, VersionState.ERROR):
        reasons.append(
            {
                "code": "invalid_transition",
                "message": f"A {version.state} version cannot be submitted.",
            }
        )
    for resource in _resources(version):
        if resource.model_version_id is None:
            reasons.append(
                {
                    "code": "unresolved_resource",
                    "message": (
                        f"{resource.kind} {resource.name!r} is not in the catalog: "
                        "upload or link it."
                    ),
                }
            )
    for node in version.analysis.get("unsupported", []):
        reasons.append(
            {
                "code": "unsupported_node",
                "message": (
                    f"Node {node.get('node_id')} ({node.get('class_type')}): {node.get('reason')}"
                ),
            }
        )
    # Verification (issue 6): the worker gets input images from the version, and versions
    # carry none yet, so a graph that loads an image cannot be reproduced.
    for node_id, node in sorted((version.graph_api or {}).items()):
        if isinstance(node, dict) and node.get("class_type") in ("LoadImage", "LoadImageMask"):
            image = (node.get("inputs") or {}).get("image")
            reasons.append(
                {
                    "code": "input_image_missing",
                    "message": (
                        f"Node {node_id} ({node.get('class_type')}) loads the image {image!r}, "
                        "which verification cannot get: Kiln does not store input images yet."
                    ),
                }
            )
    for problem in version.analysis.get("problems", []):
        reasons.append(
            {"code": problem.get("code", "problem"), "message": problem.get("message", "")}
        )
    if version.price_minor > 0:
        for blocker in licence_summary(version)["selling_blocked_by"]:
            reasons.append(
                {
                    "code": "licence_forbids_sale",
                    "message": f"{blocker}; set the price to 0 or use another model.",
                }
            )
    return reasons


# --- Transitions ---------------------------------------------------------------------------------


def _lock_post_of(version: BlueprintVersion) -> int:
    post_id: int = (
        Blueprint.objects.filter(pk=version.blueprint_id).values_list("post_id", flat=True).get()
    )
    # list(): evaluate the locking query (a bare queryset would never run).
    list(Post.objects.select_for_update().filter(pk=post_id).values_list("pk", flat=True))
    return post_id


def _lock(version: BlueprintVersion) -> BlueprintVersion:
    """Lock the version's post, then the version (always in this order: no deadlocks), and
    return the version as stored now. Call inside a transaction."""
    _lock_post_of(version)
    return (
        BlueprintVersion.objects.select_for_update()
        .select_related("blueprint__post")
        .get(pk=version.pk)
    )


@transaction.atomic
def version_transition(
    *, version: BlueprintVersion, to_state: str, actor: User | None = None, note: str = ""
) -> BlueprintVersion:
    """The one way a version changes state: checks the map, updates conditionally, logs an event,
    and refreshes the post's product facets (what is listed, verified, its lowest price).

    The post row is locked first so a concurrent Recipe write cannot refresh facets from a
    stale view of the Blueprint (or the other way round).
    """
    post_id = _lock_post_of(version)
    if not version.can_transition(to_state):
        raise BlueprintError(
            f"A {version.state} version cannot become {to_state}.",
            field="state",
            code="invalid_transition",
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
    changed = BlueprintVersion.objects.filter(pk=version.pk, state=version.state).update(
        state=to_state, **stamps
    )
    if changed != 1:
        raise BlueprintError(
            "The version changed meanwhile; reload and try again.", field="state", code="conflict"
        )
    BlueprintVersionEvent.objects.create(
        version=version, from_state=version.state, to_state=to_state, actor=actor, note=note[:2000]
    )
    version.refresh_from_db()
    post_product_facets_refresh(post_id=post_id)
    return version


def _require_owner(version: BlueprintVersion, user: User) -> None:
    if version.blueprint.post.creator_id != user.pk:
        raise PermissionDenied("Only the Blueprint's creator can do this.")


@transaction.atomic
def blueprint_version_submit(*, version: BlueprintVersion, user: User) -> BlueprintVersion:
    """Submit a draft for verification once every resource resolves and nothing is unsupported.

    A verification run is queued on the GPU queue once the transaction commits
    (blueprints/verification.py).
    """
    _require_owner(version, user)
    locked = _lock(version)
    blockers = submit_blockers(locked)
    if blockers:
        raise BlueprintError(
            f"This version cannot be submitted yet ({len(blockers)} blocker"
            f"{'s' if len(blockers) > 1 else ''}): "
            + "; ".join(b["message"] for b in blockers[:3]),
            field="resources" if blockers[0]["code"] == "unresolved_resource" else "state",
            code="not_submittable",
            details={"blockers": blockers},
        )
    submitted = version_transition(version=locked, to_state=VersionState.SUBMITTED, actor=user)
    # Verification hook (issue 6): the run is queued on the GPU queue after this commits.
    from blueprints.verification import verification_enqueue

    verification_enqueue(version=submitted, trigger="submit")
    return submitted


def blueprint_version_publish(*, version: BlueprintVersion, user: User) -> BlueprintVersion:
    """List a verified version: it becomes what the post sells, at the version's price."""
    _require_owner(version, user)
    with transaction.atomic():
        locked = _lock(version)
        if locked.state != VersionState.VERIFIED:
            raise BlueprintError(
                f"Only a verified version can be published; this one is {locked.state}.",
                field="state",
                code="not_verified",
            )
        if locked.price_minor > 0:
            selling_blocked_by = licence_summary(locked)["selling_blocked_by"]
            if selling_blocked_by:
                raise BlueprintError(
                    "A resource's licence forbids selling: " + "; ".join(selling_blocked_by),
                    field="price",
                    code="licence_forbids_sale",
                )
        reason = paid_listing_blocker(user=user, price_minor=locked.price_minor)
        if reason:
            raise BlueprintError(reason, field="price", code="payouts_not_ready")
        # The price first: the transition's facet refresh reads it.
        Blueprint.objects.filter(pk=locked.blueprint_id).update(
            price_minor=locked.price_minor, currency=locked.currency
        )
        locked = version_transition(
            version=locked, to_state=VersionState.LISTED, actor=user, note="published"
        )
    return locked
