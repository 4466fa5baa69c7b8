"""The model catalog: add model files, look them up by any of their identities."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from blueprints.model_files import ModelFileError, scan_model_file
from blueprints.models import ModelAsset, ModelKind, ModelVersion
from marketplace.accounts.models import User
from marketplace.core.errors import DomainError

AIR_PATTERN = re.compile(
    r"^urn:air:(?P<ecosystem>[a-z0-9_.-]+):(?P<type>[a-z0-9_.-]+):(?P<source>[a-z0-9_.-]+):"
    r"(?P<id>[A-Za-z0-9_.-]+)(?:@(?P<version>[A-Za-z0-9_.-]+))?$"
)
HEX = re.compile(r"^[0-9a-f]+$")


def normalise_air(air: str) -> str:
    air = air.strip()
    if air and not AIR_PATTERN.match(air):
        raise DomainError(
            f"{air[:80]!r} is not an AIR; expected urn:air:{{ecosystem}}:{{type}}:{{source}}:{{id}}[@{{version}}], "
            "e.g. urn:air:sdxl:checkpoint:civitai:827184@2514310.",
            field="air",
            code="invalid_air",
        )
    return air


def _hex(value: str, *, field: str, length: int) -> str:
    value = value.strip().lower()
    if len(value) != length or not HEX.match(value):
        raise DomainError(f"{field} must be {length} hexadecimal characters; got {value[:80]!r}.", field=field, code="invalid_hash")
    return value


def model_version_lookup(*, sha256: str = "", autov2: str = "", air: str = "", name: str = "") -> list[ModelVersion]:
    """Find catalog versions by exactly one identity (SHA-256, AutoV2, AIR or file/asset name)."""
    given = [key for key, value in (("sha256", sha256), ("autov2", autov2), ("air", air), ("name", name)) if value]
    if len(given) != 1:
        raise DomainError(
            "Give exactly one of sha256, autov2, air or name.", field=given[1] if len(given) > 1 else "sha256", code="one_identity"
        )
    queryset = ModelVersion.objects.select_related("asset")
    if sha256:
        return list(queryset.filter(sha256=_hex(sha256, field="sha256", length=64)))
    if autov2:
        return list(queryset.filter(autov2=_hex(autov2, field="autov2", length=10))[:20])
    if air:
        return list(queryset.filter(air=normalise_air(air))[:20])
    name = name.strip()[:255]
    by_file = queryset.filter(filename__iexact=name)
    if by_file.exists():
        return list(by_file[:20])
    return list(queryset.filter(asset__name__icontains=name).order_by("asset__name")[:20])


def model_version_add(
    *,
    user: User,
    upload: UploadedFile,
    name: str,
    kind: str,
    base_model: str = "",
    label: str = "",
    source_url: str = "",
    air: str = "",
    commercial_use: bool = False,
    credit_required: bool = True,
    derivatives_allowed: bool = False,
    licence_name: str = "",
) -> tuple[ModelVersion, bool]:
    """Add an uploaded safetensors file to the catalog; returns (version, created).

    The file is hashed and checked in one streaming pass before anything is stored; the same
    file uploaded twice resolves to the existing version.
    """
    if kind not in ModelKind.values:
        raise DomainError(f"Unknown kind {kind!r}; accepted: {', '.join(ModelKind.values)}.", field="kind", code="invalid_choice")
    if not name.strip():
        raise DomainError("A model name is required.", field="name", code="required")
    air = normalise_air(air)
    info = scan_model_file(_chunks(upload), filename=upload.name or "")
    existing = ModelVersion.objects.filter(sha256=info.sha256).first()
    if existing is not None:
        return existing, False
    upload.seek(0)
    try:
        with transaction.atomic():
            asset = ModelAsset.objects.create(name=name.strip()[:200], kind=kind, base_model=base_model[:24], created_by=user)
            version = ModelVersion(
                asset=asset,
                label=label[:120],
                filename=(upload.name or f"{info.sha256}.safetensors")[:255],
                sha256=info.sha256,
                autov1=info.autov1,
                autov2=info.autov2,
                autov3=info.autov3,
                size_bytes=info.size_bytes,
                source_url=source_url[:500],
                air=air,
                commercial_use=commercial_use,
                credit_required=credit_required,
                derivatives_allowed=derivatives_allowed,
                licence_name=licence_name[:120],
                safetensors_metadata=info.metadata,
                tensor_count=info.tensor_count,
                uploaded_by=user,
            )
            # Content-addressed key: the render worker resolves files by SHA-256.
            version.file.save(f"{info.sha256}.safetensors", upload, save=False)
            version.save()
    except IntegrityError:
        # Someone uploaded the same file at the same moment: theirs wins, nothing to redo.
        return ModelVersion.objects.get(sha256=info.sha256), False
    return version, True


def _chunks(upload: UploadedFile) -> Iterable[bytes]:
    upload.seek(0)
    yield from upload.chunks(chunk_size=8 * 1024 * 1024)


__all__ = ["ModelFileError", "model_version_add", "model_version_lookup", "normalise_air"]
