"""``manage.py create_api_token <username> --scopes read,write,purchase [--name NAME]``.

Prints only the raw token on stdout, so scripts can capture it
(``TOKEN=$(manage.py create_api_token demo --scopes read)``); every problem goes to stderr
with a non-zero exit status. The raw token is shown this once: only its hash is stored.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from marketplace.accounts.models import ApiTokenScope, User
from marketplace.accounts.services import AccountError, api_token_create


def parse_scopes(raw: str) -> list[str]:
    """Split ``"read, write"`` into scope names; validation is the service's job."""
    return [part.strip().lower() for part in raw.split(",") if part.strip()]


class Command(BaseCommand):
    help = "Create a personal access token for a user and print the raw token (shown once)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("username", help="The user's handle (username) or email address.")
        parser.add_argument(
            "--scopes",
            required=True,
            help=f"Comma-separated scopes; accepted: {', '.join(ApiTokenScope.values)}.",
        )
        parser.add_argument(
            "--name", default="cli", help="A label to tell tokens apart (default: cli)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        identifier = options["username"].strip()
        field = "email__iexact" if "@" in identifier else "username__iexact"
        user = User.objects.filter(**{field: identifier}).first()
        if user is None:
            raise CommandError(f"No user {identifier!r}; give an existing username or email.")
        try:
            _token, raw = api_token_create(
                user=user, name=options["name"], scopes=parse_scopes(options["scopes"])
            )
        except AccountError as error:
            raise CommandError(f"--scopes={options['scopes']!r}: {error.message}") from error
        # Plain write, no styling: the token is the command's whole output.
        self.stdout.write(raw)
