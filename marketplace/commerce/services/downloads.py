"""Short-lived download links for what a buyer owns, and serving them.

Local storage: a Django-signed token (``TimestampSigner``) naming the download row; the
serving view checks signature, age and that the entitlement is still active. S3: the file is
put in private storage and the link is the storage's presigned URL (its expiry is the S3
option ``querystring_expire``, the same ``DOWNLOAD_URL_TTL``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from blueprints.models import BlueprintVersion
from marketplace.commerce.errors import DownloadRateLimited
from marketplace.commerce.models import Download, Entitlement
from marketplace.commerce.selectors import latest_version_for, uses_s3
from marketplace.commerce.services.bundle import blueprint_zip, download_filename, recipe_export
from marketplace.core.errors import NotFound
from marketplace.storage import private_storage

SIGNER_SALT = "kiln.commerce.download"
DOWNLOADS_PER_HOUR = 30


def download_ttl_seconds() -> int:
    return int(getattr(settings, "DOWNLOAD_URL_TTL", 300))


@dataclass(frozen=True)
class DownloadFile:
    filename: str
    content: bytes
    content_type: str


def download_content(*, entitlement: Entitlement, version: BlueprintVersion | None) -> DownloadFile:
    """The bytes of one buyer's copy (built on demand: it is cheap and carries the fingerprint)."""
    filename = download_filename(entitlement=entitlement, version=version)
    if version is not None:
        return DownloadFile(
            filename, blueprint_zip(entitlement=entitlement, version=version), "application/zip"
        )
    return DownloadFile(filename, recipe_export(entitlement=entitlement), "application/json")


def _check_rate(*, buyer_id: int) -> None:
    since = timezone.now() - timedelta(hours=1)
    recent = Download.objects.filter(buyer_id=buyer_id, created_at__gte=since)[
        :DOWNLOADS_PER_HOUR
    ].count()
    if recent >= DOWNLOADS_PER_HOUR:
        raise DownloadRateLimited(
            f"You downloaded {DOWNLOADS_PER_HOUR} files in the last hour; try again later."
        )


def download_link_issue(*, entitlement: Entitlement, ip_address: str | None) -> str:
    """Log a download of ``entitlement`` (active, checked by the selector) and return a
    short-lived URL for it. ``DownloadRateLimited`` past the per-user hourly budget."""
    _check_rate(buyer_id=entitlement.buyer_id)
    version = latest_version_for(entitlement=entitlement)
    download = Download.objects.create(
        buyer_id=entitlement.buyer_id,
        entitlement=entitlement,
        blueprint_version=version,
        filename=download_filename(entitlement=entitlement, version=version),
        ip_address=ip_address,
    )
    if uses_s3():
        file = download_content(entitlement=entitlement, version=version)
        storage = private_storage()
        key = storage.save(f"downloads/{download.pk}/{file.filename}", ContentFile(file.content))
        return str(storage.url(key))
    token = signing.TimestampSigner(salt=SIGNER_SALT).sign_object({"download": download.pk})
    return settings.SITE_URL + reverse("commerce:download-file", args=[token])


def download_resolve_token(*, token: str) -> Download:
    """The download a local link names, if its signature is right, it is younger than the TTL
    and its entitlement is still active; ``NotFound`` for anything else (tampered, expired,
    refunded) so the link reveals nothing."""
    try:
        data = signing.TimestampSigner(salt=SIGNER_SALT).unsign_object(
            token, max_age=download_ttl_seconds()
        )
    except (signing.BadSignature, signing.SignatureExpired):
        raise NotFound(
            "This download link is invalid or has expired; get a new one from your library."
        ) from None
    download = (
        Download.objects.select_related(
            "entitlement__post", "entitlement__recipe", "blueprint_version"
        )
        .filter(pk=int(data.get("download") or 0) if isinstance(data, dict) else 0)
        .first()
    )
    if download is None or not download.entitlement.is_active:
        raise NotFound(
            "This download link is invalid or has expired; get a new one from your library."
        )
    Download.objects.filter(pk=download.pk, served_at__isnull=True).update(served_at=timezone.now())
    return download
