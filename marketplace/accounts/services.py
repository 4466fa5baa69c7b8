"""Writes for accounts: sign-up, profiles, API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from marketplace.core.errors import DomainError
from marketplace.accounts.models import ApiToken, ApiTokenScope, CreatorProfile, User, hash_token


class AccountError(DomainError):
    """Sign-up or token input that Kiln refuses."""


@transaction.atomic
def user_create(*, email: str, username: str, password: str, display_name: str = "") -> User:
    """Create a user and their creator profile."""
    email = email.strip().lower()
    username = username.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError("An account with this email already exists.", field="email", code="taken")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError("This handle is taken.", field="username", code="taken")
    user = User(email=email, username=username)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    CreatorProfile.objects.create(user=user, handle=username, display_name=display_name or username)
    return user


def profile_update(*, profile: CreatorProfile, display_name: str, bio: str) -> CreatorProfile:
    profile.display_name = display_name.strip()[:80] or profile.handle
    profile.bio = bio.strip()[:2000]
    profile.save(update_fields=["display_name", "bio"])
    return profile


def api_token_create(*, user: User, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the raw token, which is never stored."""
    wanted = sorted(set(scopes))
    allowed = set(ApiTokenScope.values)
    unknown = [scope for scope in wanted if scope not in allowed]
    if unknown or not wanted:
        raise AccountError(
            f"Unknown scopes {unknown}; accepted: {', '.join(sorted(allowed))}."
            if unknown
            else f"At least one scope is required; accepted: {', '.join(sorted(allowed))}.",
            field="scopes",
        )
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:80] or "token",
        key_hash=hash_token(raw),
        hint=raw.removeprefix("kiln_")[:8],
        scopes=wanted,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
