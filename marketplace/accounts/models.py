"""Users, creator profiles and personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from marketplace.storage import public_storage

HANDLE_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9_-]{1,30}[a-z0-9])?$",
    "A handle is 3–32 characters: lowercase letters, digits, '-' or '_', "
    "starting and ending with a letter or digit.",
)


class User(AbstractUser):
    """Kiln's user. Logs in with email; ``username`` is the public handle."""

    username = models.CharField(max_length=32, unique=True, validators=[HANDLE_VALIDATOR])
    email = models.EmailField(unique=True)

    REQUIRED_FIELDS: ClassVar[list[str]] = ["email"]
    objects: ClassVar[UserManager[User]] = UserManager()

    def __str__(self) -> str:
        return self.username


class CreatorProfile(models.Model):
    """Public face of a user: every user has one, created at sign-up."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    handle = models.CharField(max_length=32, unique=True, validators=[HANDLE_VALIDATOR])
    display_name = models.CharField(max_length=80)
    bio = models.TextField(blank=True, max_length=2000)
    avatar = models.ImageField(upload_to="avatars/", blank=True, storage=public_storage)
    follower_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    # Stripe Connect (commerce keeps these in sync from account.updated).
    stripe_account_id = models.CharField(max_length=64, blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.handle

    @property
    def can_sell_paid_items(self) -> bool:
        return self.charges_enabled and self.details_submitted


class ApiTokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    PURCHASE = "purchase", "Purchase"


TOKEN_PREFIX = "kiln_"


def hash_token(raw: str) -> str:
    """Tokens are 256-bit random, so a plain SHA-256 is enough (no slow KDF needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal access token. Only its SHA-256 is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters after the prefix, shown in the account page to tell tokens apart.
    hint = models.CharField(max_length=12)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.hint}…)"

    @staticmethod
    def generate_raw() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
