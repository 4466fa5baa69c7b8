"""Blueprint tests create many users; a fast password hasher keeps set-up short."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _file_fields_use_the_test_storage(monkeypatch: Any, _isolated_files_and_cache: None) -> None:
    """FileField resolves a callable storage once, at import; point the Blueprint fields at the
    per-test private storage so reads and writes stay in the test's folder."""
    from django.core.files.storage import storages

    from blueprints.models import BlueprintVersion, ModelVersion

    for model, name in ((BlueprintVersion, "source_file"), (ModelVersion, "file")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storages["default"])
