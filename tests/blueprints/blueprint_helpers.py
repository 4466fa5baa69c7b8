"""Shared builders for the Blueprint tests: corpus files, catalog models, API clients."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from blueprints import catalog, services
from blueprints.models import (
    Blueprint,
    BlueprintResource,
    BlueprintVersion,
    BlueprintVersionEvent,
    ModelAsset,
    ModelVersion,
    VersionState,
)
from marketplace.accounts.services import api_token_create

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "workflows"

# The file sd15_lora_stack.ui.json needs (besides two embeddings).
LORA_STACK_FILES = {
    ("checkpoint", "v1-5-pruned-emaonly.safetensors"),
    ("lora", "detail_tweaker.safetensors"),
    ("lora", "styles/ink_wash.safetensors"),
    ("lora", "lcm_lora_sd15.safetensors"),
    ("embedding", "fine_detail"),
    ("embedding", "easynegative"),
}


def corpus_bytes(relative: str) -> bytes:
    return (CORPUS / relative).read_bytes()


def corpus_upload(relative: str, *, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or Path(relative).name, corpus_bytes(relative))


def safetensors_bytes(
    seed: int = 0, *, size: int = 64, metadata: dict[str, str] | None = None
) -> bytes:
    """A valid safetensors file whose content (hence SHA-256) depends on ``seed``."""
    blob = bytes((seed + index) % 256 for index in range(size))
    header: dict[str, Any] = {"w": {"dtype": "U8", "shape": [size], "data_offsets": [0, size]}}
    if metadata:
        header["__metadata__"] = metadata
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + blob


def add_model(
    user: Any,
    *,
    filename: str,
    kind: str,
    seed: int,
    commercial_use: bool = True,
    air: str = "",
    name: str | None = None,
) -> ModelVersion:
    """Put a small safetensors file named ``filename`` in the catalog."""
    upload = SimpleUploadedFile(filename, safetensors_bytes(seed))
    model, _ = catalog.model_version_add(
        user=user,
        upload=upload,
        name=name or filename.rsplit(".", 1)[0],
        kind=kind,
        commercial_use=commercial_use,
        air=air,
    )
    return model


def add_lora_stack_models(user: Any, *, commercial_use: bool = True) -> dict[str, ModelVersion]:
    """Every file of sd15_lora_stack in the catalog, by base name."""
    files = {
        "v1-5-pruned-emaonly.safetensors": "checkpoint",
        "detail_tweaker.safetensors": "lora",
        "ink_wash.safetensors": "lora",
        "lcm_lora_sd15.safetensors": "lora",
        "fine_detail.safetensors": "embedding",
        "easynegative.safetensors": "embedding",
    }
    return {
        filename: add_model(
            user, filename=filename, kind=kind, seed=index, commercial_use=commercial_use
        )
        for index, (filename, kind) in enumerate(files.items())
    }


def create_version(
    post: Any, user: Any, relative: str = "generated/sd15_lora_stack.ui.json", **kwargs: Any
) -> BlueprintVersion:
    return services.blueprint_version_create(
        post=post, user=user, data=corpus_bytes(relative), filename=Path(relative).name, **kwargs
    )


def force_state(version: BlueprintVersion, *path: str) -> BlueprintVersion:
    """Walk a version through the transition map (what the verification worker will do)."""
    for state in path:
        version = services.version_transition(version=version, to_state=state)
    return version


def verified_version(post: Any, user: Any, **kwargs: Any) -> BlueprintVersion:
    add_lora_stack_models(user)
    version = create_version(post, user, **kwargs)
    version = services.blueprint_version_submit(version=version, user=user)
    return force_state(version, VersionState.VERIFYING, VersionState.VERIFIED)


def make_seller(user: Any) -> Any:
    """Mark ``user`` as having finished Stripe Connect onboarding (paid items may be listed)."""
    profile = user.profile
    profile.stripe_account_id = "acct_test_seller"
    profile.charges_enabled = True
    profile.payouts_enabled = True
    profile.details_submitted = True
    profile.save(
        update_fields=[
            "stripe_account_id",
            "charges_enabled",
            "payouts_enabled",
            "details_submitted",
        ]
    )
    return user


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def bearer(user: Any, *scopes: str) -> APIClient:
    _, raw = api_token_create(user=user, name="test", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def row_counts() -> dict[str, int]:
    return {
        "blueprints": Blueprint.objects.count(),
        "versions": BlueprintVersion.objects.count(),
        "resources": BlueprintResource.objects.count(),
        "events": BlueprintVersionEvent.objects.count(),
        "assets": ModelAsset.objects.count(),
        "models": ModelVersion.objects.count(),
    }


def stored_files(root: Path) -> list[str]:
    """Every file under the test's private storage folder for Blueprints and models."""
    private = root / "private"
    return sorted(
        str(path.relative_to(private))
        for folder in ("blueprints", "models")
        if (private / folder).exists()
        for path in (private / folder).rglob("*")
        if path.is_file()
    )
