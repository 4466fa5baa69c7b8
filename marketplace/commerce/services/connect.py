"""Stripe Connect for creators: Express accounts, onboarding links, and their flags.

``seller_can_charge`` is the one question the rest of Kiln asks (recipes and blueprints refuse
a price above zero without it). The flags come from Stripe (re-fetched on the return page and
on ``account.updated``), never from the redirect itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from marketplace.accounts.models import CreatorProfile, User
from marketplace.commerce.stripe_client import stripe_client


def seller_can_charge(*, user: Any) -> bool:
    """Whether ``user`` has finished Connect onboarding, so paid items can be listed/sold."""
    profile = getattr(user, "profile", None)
    return bool(profile is not None and profile.stripe_account_id and profile.can_sell_paid_items)


def paid_price_blocker(*, user: Any, price_minor: int) -> str | None:
    """Why ``user`` may not set ``price_minor`` (a message), or None."""
    if price_minor > 0 and not seller_can_charge(user=user):
        return (
            "Set up payouts (Stripe) in your dashboard before setting a price above zero; "
            "until then only free items can be listed."
        )
    return None


def connect_account_ensure(*, user: User) -> str:
    """The creator's Express account id, creating the account on first use."""
    profile = user.profile
    if profile.stripe_account_id:
        return profile.stripe_account_id
    account = stripe_client().v1.accounts.create(
        params={
            "type": "express",
            "email": user.email,
            "metadata": {"kiln_user_id": str(user.pk)},
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
        },
        options={"idempotency_key": f"kiln-connect-account-user-{user.pk}"},
    )
    with transaction.atomic():
        # Another tab may have created one meanwhile: keep the first stored id.
        locked = CreatorProfile.objects.select_for_update().get(pk=profile.pk)
        if not locked.stripe_account_id:
            locked.stripe_account_id = account.id
            locked.save(update_fields=["stripe_account_id"])
    profile.refresh_from_db()
    return profile.stripe_account_id


def connect_onboarding_link(*, user: User) -> str:
    """A fresh single-use Account Link URL (links are short-lived: mint one per visit)."""
    account_id = connect_account_ensure(user=user)
    link = stripe_client().v1.account_links.create(
        params={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": settings.SITE_URL + reverse("commerce:connect-refresh"),
            "return_url": settings.SITE_URL + reverse("commerce:connect-return"),
        }
    )
    return str(link.url)


def connect_account_sync(*, account_id: str) -> CreatorProfile | None:
    """Re-read the account from Stripe and store its three flags; None if no creator has it."""
    profile = CreatorProfile.objects.filter(stripe_account_id=account_id).first()
    if profile is None or not account_id:
        return None
    account = stripe_client().v1.accounts.retrieve(account_id)
    CreatorProfile.objects.filter(pk=profile.pk).update(
        charges_enabled=bool(account.charges_enabled),
        payouts_enabled=bool(account.payouts_enabled),
        details_submitted=bool(account.details_submitted),
    )
    profile.refresh_from_db()
    return profile
