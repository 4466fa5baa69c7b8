"""The model catalog: add model files, look them up by any of their identities."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from blueprints.model_files import ModelFileError, scan_model_file
from blueprints.models import BaseModelFamily, ModelAsset, ModelKind, ModelVersion
from marketplace.accounts.models import User
from marketplace.core.errors import DomainError
from marketplace.storage import private_storage

AIR_PATTERN = re.compile(
    r"^urn:air:(?P<ecosystem>[a-z0-9_.-]+):(?P<type>[a-z0-9_.-]+):(?P<source>[a-z0-9_.-]+):"
    r"(?P<id>[A-Za-z0-9_.-]+)(?:@(?P<version>[A-Za-z0-9_.-]+))?$"
)
HEX = re.compile(r"^[0-9a-f]+$")


def normalise_air(air: str) -> str:
    air = air.strip()
    if air and not AIR_PATTERN.match(air):
        raise DomainError(
            f"{air[:80]!r} is not an AIR; expected "
            "urn:air:{ecosystem}:{type}:{source}:{id}[@{version}], "
            "e.g. urn:air:sdxl:checkpoint:civitai:827184@2514310.",
            field="air",
            code="invalid_air",
        )
    return air


def _hex(value: str, *, field: str, length: int) -> str:
    value = value.strip().lower()
    if len(value) != length or not HEX.match(value):
        raise DomainError(
            f"{field} must be {length} hexadecimal characters; got {value[:80]!r}.",
            field=field,
            code="invalid_hash",
        )
    return value


def normalise_source_url(url: str) -> str:
    """An http(s) URL or empty; anything else is refused (it is shown to buyers as a link)."""
    url = url.strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            f"source_url {url[:80]!r} is not an http(s) URL; give the page the file comes from, "
            "e.g. https://huggingface.co/org/model.",
            field="source_url",
            code="invalid_url",
        ) from None
    if len(url) > 500:
        raise DomainError(
            f"source_url has {len(url)} characters; at most 500.",
            field="source_url",
            code="too_long",
        )
    return url


def identity_from_text(text: str) -> dict[str, str]:
    """Tell which identity a pasted string is: 64 hex → sha256, 10 hex → autov2, urn:air → air.

    The web form takes one box; the API names the identity explicitly.
    """
    value = text.strip()
    lowered = value.lower()
    if len(lowered) == 64 and HEX.match(lowered):
        return {"sha256": lowered}
    if len(lowered) == 10 and HEX.match(lowered):
        return {"autov2": lowered}
    if lowered.startswith("urn:air:"):
        return {"air": value}
    raise DomainError(
        f"{value[:80]!r} is not a model identity; accepted: a SHA-256 (64 hex characters), an "
        "AutoV2 hash (10 hex characters) or an AIR (urn:air:...).",
        field="identity",
        code="invalid_identity",
    )


def model_version_for_identity(
    *, sha256: str = "", autov2: str = "", air: str = ""
) -> ModelVersion:
    """The one catalog file with this SHA-256, AutoV2 or AIR; errors name what was not found.

    AutoV2 is 40 bits of SHA-256 and AIRs are assigned by others, so either may match several
    files: then the caller must give the SHA-256.
    """
    if not (sha256 or autov2 or air):
        raise DomainError("Give one of sha256, autov2 or air.", field="sha256", code="required")
    field = "sha256" if sha256 else "autov2" if autov2 else "air"
    matches = model_version_lookup(sha256=sha256, autov2=autov2, air=air)
    if not matches:
        value = sha256 or autov2 or air
        raise DomainError(
            f"No model file with {field} {value.strip()[:80]!r} is in Kiln's catalog; upload the "
            "file first (POST /api/v1/models/ or the model upload page).",
            field=field,
            code="model_not_found",
        )
    if len(matches) > 1:
        raise DomainError(
            f"{len(matches)} catalog files share this {field}; give the file's SHA-256 instead.",
            field=field,
            code="ambiguous_identity",
        )
    return matches[0]


def model_version_lookup(
    *, sha256: str = "", autov2: str = "", air: str = "", name: str = ""
) -> list[ModelVersion]:
    """Find catalog versions by exactly one identity (SHA-256, AutoV2, AIR or file/asset name)."""
    given = [
        key
        for key, value in (("sha256", sha256), ("autov2", autov2), ("air", air), ("name", name))
        if value
    ]
    if len(given) != 1:
        raise DomainError(
            "Give exactly one of sha256, autov2, air or name.",
            field=given[1] if len(given) > 1 else "sha256",
            code="one_identity",
        )
    queryset = ModelVersion.objects.select_related("asset")
    if sha256:
        return list(queryset.filter(sha256=_hex(sha256, field="sha256", length=64)))
    if autov2:
        return list(queryset.filter(autov2=_hex(autov2, field="autov2", length=10))[:20])
    if air:
        return list(queryset.filter(air=normalise_air(air))[:20])
    name = name.strip()[:255]
    if "\x00" in name:
        # PostgreSQL refuses NUL in text: without this check the query is a 500.
        raise DomainError(
            "name contains a NUL character; give a file name or model name as plain text.",
            field="name",
            code="invalid",
        )
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
        raise DomainError(
            f"Unknown kind {kind!r}; accepted: {', '.join(ModelKind.values)}.",
            field="kind",
            code="invalid_choice",
        )
    if not name.strip():
        raise DomainError("A model name is required.", field="name", code="required")
    if base_model and base_model not in BaseModelFamily.values:
        raise DomainError(
            f"Unknown base_model {base_model[:40]!r}; accepted: "
            f"{', '.join(BaseModelFamily.values)} or empty.",
            field="base_model",
            code="invalid_choice",
        )
    air = normalise_air(air)
    source_url = normalise_source_url(source_url)
    # One pass over the (possibly multi-GB, temp-file backed) upload: hashes + header checks.
    info = scan_model_file(_chunks(upload), filename=upload.name or "")
    existing = ModelVersion.objects.select_related("asset").filter(sha256=info.sha256).first()
    if existing is not None:
        return existing, False
    # Stored before the transaction (object storage is a network call): the key is the content
    # hash, so a retry or a concurrent upload of the same file writes the same object.
    storage_key = _store_model_file(upload, sha256=info.sha256)
    try:
        with transaction.atomic():
            asset = ModelAsset.objects.create(
                name=name.strip()[:200], kind=kind, base_model=base_model, created_by=user
            )
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
            version.file.name = storage_key
            version.save()
            # Drafts waiting for this file (by declared hash or file name) resolve now.
            transaction.on_commit(lambda: _enqueue_waiting_resources(version.pk))
    except IntegrityError:
        # Someone uploaded the same file at the same moment: theirs wins, nothing to redo.
        return ModelVersion.objects.select_related("asset").get(sha256=info.sha256), False
    return version, True


def _store_model_file(upload: UploadedFile, *, sha256: str) -> str:
    """Save under ``models/<sha256>.safetensors`` unless that object exists; returns the key.

    Content-addressed: the render worker resolves files by SHA-256.
    """
    storage = private_storage()
    key = f"models/{sha256}.safetensors"
    if storage.exists(key):
        return key
    upload.seek(0)
    return str(storage.save(key, upload))


def _enqueue_waiting_resources(model_version_id: int) -> None:
    from blueprints.tasks import resolve_waiting_resources  # tasks import services, not catalog

    resolve_waiting_resources.delay(model_version_id)


def _chunks(upload: UploadedFile) -> Iterable[bytes]:
    upload.seek(0)
    yield from upload.chunks(chunk_size=8 * 1024 * 1024)


__all__ = [
    "ModelFileError",
    "identity_from_text",
    "model_version_add",
    "model_version_for_identity",
    "model_version_lookup",
    "normalise_air",
    "normalise_source_url",
]
