"""The two storages: private (``default``) and public (metadata-free derivatives)."""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def public_storage() -> Storage:
    """Callable for ``FileField(storage=...)``: resolved at run time, so tests can swap it."""
    return storages["public"]


def private_storage() -> Storage:
    return storages["default"]
