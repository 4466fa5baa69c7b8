"""Fixtures shared by the web-side tests: a fixed cast of users and small factories.

Tests run on the machine's real PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) when
scripts/test sets them; Celery tasks run eagerly, after commit, in the test process.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from marketplace.accounts import services as account_services
from marketplace.accounts.models import User
from marketplace.gallery import services as gallery_services
from marketplace.gallery.models import Post

PASSWORD = "a-long-test-password-1"


@pytest.fixture(autouse=True)
def _isolated_files_and_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Private and public storage in a fresh folder per test; a local-memory cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
        "public": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "public"), "base_url": "/media/"},
        },
    }
    settings.MEDIA_ROOT = tmp_path
    # A cache location of its own per test: throttle counts must not pile up across tests.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}}
    yield


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    from marketplace.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


def make_user(handle: str) -> User:
    return account_services.user_create(
        email=f"{handle}@example.test", username=handle, password=PASSWORD, display_name=handle.title()
    )


def onboard(user: User) -> User:
    """Mark a creator's Stripe payouts as finished, as account.updated would record them.

    The account id is made up: only for tests that never talk to the Stripe stand-in.
    """
    from marketplace.accounts.models import CreatorProfile

    CreatorProfile.objects.filter(user=user).update(
        stripe_account_id=f"acct_test_{user.username}", charges_enabled=True, payouts_enabled=True, details_submitted=True
    )
    user.profile.refresh_from_db()
    return user


def offboard(user: User) -> User:
    """The creator has no (or lost their) Stripe payouts."""
    from marketplace.accounts.models import CreatorProfile

    CreatorProfile.objects.filter(user=user).update(charges_enabled=False, payouts_enabled=False, details_submitted=False)
    user.profile.refresh_from_db()
    return user


@pytest.fixture
def owner(db: Any) -> User:
    return make_user("owner")


@pytest.fixture
def seller(owner: User) -> User:
    """The owner with Stripe payouts finished, so they may set prices above zero."""
    return onboard(owner)


@pytest.fixture
def buyer(db: Any) -> User:
    return make_user("buyer1")


@pytest.fixture
def stranger(db: Any) -> User:
    return make_user("stranger")


def png_bytes(*, size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def make_post(db: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Post]:
    """Create a published post (image processed) for ``creator``."""

    def factory(creator: User, **overrides: Any) -> Post:
        fields: dict[str, Any] = {
            "title": "Amber dunes at dusk",
            "description": "Warm light over **sand**.",
            "tool": "comfyui",
            "tags": "landscape, dunes",
            "image_bytes": png_bytes(),
            "image_name": "dunes.png",
        }
        fields.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            post = gallery_services.post_create(creator=creator, **fields)
        post.refresh_from_db()
        return post

    return factory
