"""Reads for commerce: what a buyer owns, one order, a download's entitlement."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings

from blueprints.models import BlueprintVersion, VersionState
from marketplace.commerce.models import Entitlement, Order, ProductKind
from marketplace.core.errors import NotFound, PermissionDenied

LIBRARY_LIMIT = 500


def uses_s3() -> bool:
    """Whether private files live on S3 (downloads then use presigned URLs)."""
    default = cast(dict[str, Any], settings.STORAGES["default"])
    return "s3" in str(default["BACKEND"]).lower()


def buyer_owns(
    *, buyer: Any, recipe_id: int | None = None, blueprint_id: int | None = None
) -> bool:
    """Whether ``buyer`` holds an active entitlement to the Recipe or Blueprint."""
    if not getattr(buyer, "is_authenticated", False):
        return False
    entitlements = Entitlement.objects.active().filter(buyer_id=buyer.pk)
    product: dict[str, Any] = (
        {"recipe_id": recipe_id} if recipe_id is not None else {"blueprint_id": blueprint_id}
    )
    return entitlements.filter(**product).exists()


def library_for_buyer(*, buyer: Any) -> list[Entitlement]:
    """Everything ``buyer`` owns now, newest first, each with ``latest_version`` set for
    Blueprints (later versions come free). Three queries whatever the size."""
    entitlements = list(
        Entitlement.objects.active()
        .filter(buyer_id=buyer.pk)
        .select_related("post", "recipe", "blueprint", "order")
        .order_by("-created_at", "-id")[:LIBRARY_LIMIT]
    )
    blueprint_ids = [e.blueprint_id for e in entitlements if e.blueprint_id is not None]
    latest: dict[int, BlueprintVersion] = {}
    for version in (
        BlueprintVersion.objects.filter(blueprint_id__in=blueprint_ids, state=VersionState.LISTED)
        .order_by("blueprint_id", "-number")
        .only("id", "number", "blueprint_id", "listed_at")
    ):
        latest.setdefault(version.blueprint_id, version)
    for entitlement in entitlements:
        entitlement.latest_version = latest.get(entitlement.blueprint_id or 0)  # type: ignore[attr-defined]
    return entitlements


def latest_version_for(*, entitlement: Entitlement) -> BlueprintVersion | None:
    """The Blueprint version a download serves: the newest listed one, else the one bought
    (a creator who unlists must not take it from buyers). None for a Recipe."""
    if entitlement.kind != ProductKind.BLUEPRINT or entitlement.blueprint_id is None:
        return None
    version = (
        BlueprintVersion.objects.select_related("blueprint__post")
        .filter(blueprint_id=entitlement.blueprint_id, state=VersionState.LISTED)
        .order_by("-number")
        .first()
    )
    if version is not None:
        return version
    bought = entitlement.order.items.filter(blueprint_id=entitlement.blueprint_id).first()
    return bought.blueprint_version if bought else None


def entitlement_for_download(*, buyer: Any, entitlement_id: int) -> Entitlement:
    """The buyer's own entitlement; ``NotFound`` for anyone else's (so ids reveal nothing) and
    ``PermissionDenied`` when it was refunded or is frozen by a dispute."""
    entitlement = (
        Entitlement.objects.select_related("post", "recipe", "order")
        .filter(pk=entitlement_id, buyer_id=getattr(buyer, "pk", None))
        .first()
    )
    if entitlement is None:
        raise NotFound("No such item in your library.")
    if entitlement.revoked_at is not None:
        raise PermissionDenied("This purchase was refunded; it can no longer be downloaded.")
    if entitlement.frozen_at is not None:
        raise PermissionDenied("This purchase is under dispute; downloads are paused.")
    return entitlement


def order_get_for_buyer(*, buyer: Any, order_id: int) -> Order:
    order = (
        Order.objects.prefetch_related("items")
        .filter(pk=order_id, buyer_id=getattr(buyer, "pk", None))
        .first()
    )
    if order is None:
        raise NotFound("No such order.")
    return order
