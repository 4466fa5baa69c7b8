"""``manage.py commerce_standin_payouts [handle ...]``: finish Connect onboarding for creators
on the Stripe stand-in (demo and local use only).

The stand-in keeps its accounts in memory, so after it restarts a stored ``acct_`` id is
unknown to it: this command re-creates such accounts, onboards them through the stand-in's
control route and stores the flags Stripe reports. Without handles: every creator who has a
Recipe or Blueprint priced above zero. Refuses to run against real Stripe.
"""

from __future__ import annotations

import argparse
from typing import Any

import stripe
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from marketplace.accounts.models import CreatorProfile, User
from marketplace.commerce.services.connect import connect_account_ensure, connect_account_sync
from marketplace.commerce.stripe_client import stripe_client
from marketplace.commerce.stripe_standin import StandInControl


class Command(BaseCommand):
    help = "Onboard creators' Connect accounts on the Stripe stand-in (demo only)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "handles", nargs="*", help="creator user names (default: every seller of a paid item)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = getattr(settings, "STRIPE_API_BASE", None)
        if not base:
            raise CommandError(
                "STRIPE_API_BASE is not set: this command only talks to the stand-in."
            )
        if options["handles"]:
            users = list(User.objects.filter(username__in=options["handles"]))
            missing = sorted(set(options["handles"]) - {user.username for user in users})
            if missing:
                raise CommandError(f"No such users: {', '.join(missing)}.")
        else:
            users = list(
                User.objects.filter(
                    Q(posts__recipe__price_minor__gt=0) | Q(posts__blueprint__price_minor__gt=0)
                ).distinct()
            )
        control = StandInControl(base_url=base)
        for user in users:
            profile = user.profile
            if profile.stripe_account_id:
                try:
                    stripe_client().v1.accounts.retrieve(profile.stripe_account_id)
                except stripe.InvalidRequestError:
                    # The stand-in restarted and forgot it: start over with a new account.
                    CreatorProfile.objects.filter(pk=profile.pk).update(stripe_account_id="")
                    user.profile.refresh_from_db()
            account_id = connect_account_ensure(user=user)
            control.onboard_account(account_id=account_id)
            connect_account_sync(account_id=account_id)
            self.stdout.write(f"{user.username}: {account_id} onboarded")
