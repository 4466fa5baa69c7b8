"""The Blueprint wizard for creators: upload, review what Kiln extracted, link models, submit.

Thin: forms turn widgets into arguments, the services (the API's code path) check and write,
and errors are shown next to the field or the resource they concern. Every page here is the
creator's own; a listed version's public view lives on the post page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from blueprints import catalog, presenters, selectors, services
from blueprints.forms import BlueprintUploadForm, ModelUploadForm, ResourceLinkForm, attach_error
from blueprints.models import BlueprintVersion, ModelKind
from blueprints.services import BlueprintError
from marketplace.core.errors import DomainError, NotFound
from marketplace.gallery import selectors as gallery_selectors
from marketplace.gallery.models import Post
from renderworker.workflow import MAX_UPLOAD_BYTES


def _own_post(request: HttpRequest, post_id: int) -> Post:
    try:
        post = gallery_selectors.post_get(post_id=post_id, viewer=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    if post.creator_id != request.user.pk:
        raise PermissionDenied("Only the creator of this post can add its Blueprint.")
    return post


def _own_version(request: HttpRequest, version_id: int) -> BlueprintVersion:
    """The version for its creator; others get a 404 (drafts are private)."""
    try:
        version = selectors.version_get_for_viewer(version_id=version_id, viewer=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    if not selectors.viewer_owns(version=version, viewer=request.user):
        raise Http404("No such Blueprint version.")
    return version


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def blueprint_new(request: HttpRequest, post_id: int) -> HttpResponse:
    """Upload a workflow (a new version) with notes and a price."""
    post = _own_post(request, post_id)
    form = BlueprintUploadForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
                raise BlueprintError(
                    f"The file is {upload.size:,} bytes; "
                    f"at most {MAX_UPLOAD_BYTES:,} are accepted.",
                    field="file",
                    code="file_too_large",
                )
            version = services.blueprint_version_create(
                post=post,
                user=request.user,  # type: ignore[arg-type]
                data=upload.read(),
                filename=upload.name or "",
                notes=form.cleaned_data["notes"],
                price_minor=form.cleaned_data["price_minor"],
                currency=form.cleaned_data["currency"],
            )
        except DomainError as error:
            attach_error(form, error)
            details = getattr(error, "details", None)
            problems = details.get("problems", [])[1:] if isinstance(details, dict) else []
        else:
            messages.success(
                request,
                f"Version {version.number} uploaded. Check what Kiln found, then submit it.",
            )
            return redirect("blueprints:version", version.pk)
    status = 400 if request.method == "POST" else 200
    existing = selectors.versions_for_owner(post_id=post.pk)
    context = {"post": post, "form": form, "problems": problems, "existing": existing}
    return render(request, "blueprints/upload.html", context, status=status)


def _version_context(
    request: HttpRequest,
    version: BlueprintVersion,
    *,
    link_forms: dict[int, ResourceLinkForm] | None = None,
    action_error: DomainError | None = None,
) -> dict[str, Any]:
    data = presenters.version_private(version)
    link_forms = link_forms or {}
    page = reverse("blueprints:version", args=[version.pk])
    for resource in data["resources"]:
        resource["link_form"] = link_forms.get(resource["id"]) or ResourceLinkForm(
            prefix=f"r{resource['id']}"
        )
        resource["upload_url"] = (
            reverse("blueprints:model-upload")
            + "?"
            + _query(kind=resource["kind"], filename=resource["name"], next=page)
        )
    return {
        "version": data,
        "post": version.blueprint.post,
        "action_error": action_error,
        "action_details": getattr(action_error, "details", None) or {},
    }


def _query(**values: str) -> str:
    return urlencode(values)


@never_cache
@login_required
def version_page(request: HttpRequest, version_id: int) -> HttpResponse:
    """Everything Kiln extracted from a version, its resources, licence, blockers and log."""
    version = _own_version(request, version_id)
    return render(request, "blueprints/version.html", _version_context(request, version))


@login_required
@require_POST
def resource_link(request: HttpRequest, version_id: int, resource_id: int) -> HttpResponse:
    """Link one resource to a catalog file by SHA-256, AutoV2 or AIR."""
    version = _own_version(request, version_id)
    form = ResourceLinkForm(request.POST, prefix=f"r{resource_id}")
    if form.is_valid():
        try:
            services.resource_link(
                version=version,
                user=request.user,
                resource_id=resource_id,
                **form.cleaned_data["identity"],  # type: ignore[arg-type]
            )
        except DomainError as error:
            form.add_error("identity", error.message)
        else:
            messages.success(request, "Resource linked.")
            return redirect("blueprints:version", version.pk)
    version = _own_version(request, version_id)
    context = _version_context(request, version, link_forms={resource_id: form})
    return render(request, "blueprints/version.html", context, status=400)


def _state_action(request: HttpRequest, version_id: int, *, action: str) -> HttpResponse:
    version = _own_version(request, version_id)
    try:
        if action == "submit":
            services.blueprint_version_submit(version=version, user=request.user)  # type: ignore[arg-type]
            messages.success(request, "Submitted for verification.")
        else:
            services.blueprint_version_publish(version=version, user=request.user)  # type: ignore[arg-type]
            messages.success(request, "Published: the Blueprint is on sale on the post page.")
    except DomainError as error:
        version = _own_version(request, version_id)
        context = _version_context(request, version, action_error=error)
        return render(request, "blueprints/version.html", context, status=400)
    return redirect("blueprints:version", version.pk)


@login_required
@require_POST
def version_submit(request: HttpRequest, version_id: int) -> HttpResponse:
    """Submit a draft for verification (the page lists what blocks it)."""
    return _state_action(request, version_id, action="submit")


@login_required
@require_POST
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """List a verified version on the post."""
    return _state_action(request, version_id, action="publish")


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def model_upload(request: HttpRequest) -> HttpResponse:
    """Add a .safetensors file to the catalog (hashed while streaming); back to ``next``."""
    initial: dict[str, Any] = {}
    kind = request.GET.get("kind", "")
    if kind in ModelKind.values:
        initial["kind"] = kind
    filename = request.GET.get("filename", "")
    if filename:
        initial["name"] = filename.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0][:200]
    form = ModelUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            model, created = catalog.model_version_add(
                user=request.user, **form.service_arguments()
            )  # type: ignore[arg-type]
        except DomainError as error:
            attach_error(form, error)
        else:
            verb = "added to" if created else "already in"
            messages.success(request, f"{model.filename} ({model.autov2}) is {verb} the catalog.")
            return redirect(_safe_next(request) or reverse("blueprints:model-upload"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": _safe_next(request) or "", "filename": filename}
    return render(request, "blueprints/model_upload.html", context, status=status)
