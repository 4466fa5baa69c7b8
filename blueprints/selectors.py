"""Reads for Blueprints: a version for a viewer, what a post lists, the post facets.

Who may see what is decided here: a version's owner sees every version; anyone else sees a
version only once it is listed (and its post is public), and then only through the public
presenter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from blueprints.models import (
    Blueprint,
    BlueprintResource,
    BlueprintVersion,
    BlueprintVersionEvent,
    VersionState,
)
from marketplace.core.errors import NotFound
from marketplace.gallery.models import PostStatus

# States in which a Blueprint is publicly "on its way" or on sale (drafts and failures stay
# private to the creator).
PUBLIC_PIPELINE_STATES = frozenset(
    {VersionState.SUBMITTED, VersionState.VERIFYING, VersionState.VERIFIED, VersionState.LISTED}
)


def versions_with_details() -> QuerySet[BlueprintVersion]:
    """Versions with their post, resources (and catalog files) and events: fixed query count."""
    return BlueprintVersion.objects.select_related("blueprint__post").prefetch_related(
        Prefetch(
            "resources",
            queryset=BlueprintResource.objects.select_related("model_version__asset").order_by(
                "id"
            ),
        ),
        Prefetch(
            "events",
            queryset=BlueprintVersionEvent.objects.select_related("actor").order_by(
                "created_at", "id"
            ),
        ),
    )


def viewer_owns(*, version: BlueprintVersion, viewer: Any) -> bool:
    """Whether ``viewer`` created the version's post."""
    return (
        getattr(viewer, "pk", None) is not None and version.blueprint.post.creator_id == viewer.pk
    )


def version_get_for_viewer(*, version_id: int, viewer: Any) -> BlueprintVersion:
    """The version if ``viewer`` may see it: its owner always, anyone once it is listed.

    Everything else is a 404, so ids of drafts reveal nothing.
    """
    version = versions_with_details().filter(pk=version_id).first()
    if version is None:
        raise NotFound("No such Blueprint version.")
    if viewer_owns(version=version, viewer=viewer):
        return version
    if (
        version.state == VersionState.LISTED
        and version.blueprint.post.status == PostStatus.PUBLISHED
    ):
        return version
    raise NotFound("No such Blueprint version.")


def latest_listed_version(*, post_id: int) -> BlueprintVersion | None:
    """The newest listed version of a post's Blueprint (what a visitor sees), or None."""
    return (
        versions_with_details()
        .filter(blueprint__post_id=post_id, state=VersionState.LISTED)
        .order_by("-number")
        .first()
    )


def versions_for_owner(*, post_id: int) -> list[BlueprintVersion]:
    """Every version of a post's Blueprint, newest first (the owner's panel); one query."""
    return list(
        BlueprintVersion.objects.filter(blueprint__post_id=post_id)
        .only("id", "number", "state", "created_at", "price_minor", "currency", "blueprint_id")
        .order_by("-number")[:50]
    )


@dataclass(frozen=True)
class BlueprintFacets:
    """What the gallery's post facets need to know about a post's Blueprint."""

    has_blueprint: bool = False
    has_verified_blueprint: bool = False
    offers: list[tuple[int, str]] = field(default_factory=list)
    base_model: str = ""


def blueprint_facets(*, post_id: int) -> BlueprintFacets:
    """Facets for ``gallery.services.post_product_facets_refresh``: two queries.

    ``has_blueprint``: a version is submitted, verifying, verified or listed; ``verified``: one
    is listed (only verified versions can be); the offer is the Blueprint's price while a
    version is listed; the base model is the newest listed version's family when known.
    """
    states = set(
        BlueprintVersion.objects.filter(blueprint__post_id=post_id)
        .values_list("state", flat=True)
        .distinct()
    )
    if not states & PUBLIC_PIPELINE_STATES:
        return BlueprintFacets()
    listed = (
        BlueprintVersion.objects.filter(blueprint__post_id=post_id, state=VersionState.LISTED)
        .order_by("-number")
        .values("public_summary", "blueprint__price_minor", "blueprint__currency")
        .first()
    )
    if listed is None:
        return BlueprintFacets(has_blueprint=True)
    family = str((listed["public_summary"] or {}).get("base_model_family") or "")
    return BlueprintFacets(
        has_blueprint=True,
        has_verified_blueprint=True,
        offers=[(listed["blueprint__price_minor"], listed["blueprint__currency"])],
        base_model="" if family == "unknown" else family[:24],
    )


def blueprint_id_for_post(*, post_id: int) -> int | None:
    """The id of a post's Blueprint (the product bought at checkout), or None."""
    return Blueprint.objects.filter(post_id=post_id).values_list("id", flat=True).first()
