"""``manage.py create_api_token``: prints one raw token, stores only its hash."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketplace.accounts.models import ApiToken, User, hash_token


def run_command(*args: str) -> str:
    stdout = io.StringIO()
    call_command("create_api_token", *args, stdout=stdout)
    return stdout.getvalue()


def test_prints_only_the_raw_token_and_stores_its_hash(owner: User) -> None:
    output = run_command("owner", "--scopes", "read,write,purchase", "--name", "laptop")

    raw = output.strip()
    assert output == raw + "\n"
    assert raw.startswith("kiln_")
    token = ApiToken.objects.get(user=owner)
    assert token.key_hash == hash_token(raw)
    assert token.scopes == ["purchase", "read", "write"]
    assert token.name == "laptop"
    assert raw not in {token.key_hash, token.hint, token.name}


def test_accepts_spaces_and_capitals_in_scopes_and_an_email_address(owner: User) -> None:
    raw = run_command("owner@example.test", "--scopes", " Read , write ").strip()

    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token.user == owner
    assert token.scopes == ["read", "write"]
    assert token.name == "cli"


def test_the_printed_token_authenticates_api_requests(owner: User, client: Any) -> None:
    raw = run_command("owner", "--scopes", "read").strip()

    response = client.get("/api/v1/posts/", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200


def test_unknown_user_is_an_error_and_creates_nothing(owner: User) -> None:
    with pytest.raises(CommandError, match="No user 'nobody'") as raised:
        run_command("nobody", "--scopes", "read")

    assert raised.value.returncode == 1
    assert ApiToken.objects.count() == 0


def test_unknown_scope_is_an_error_that_lists_the_accepted_scopes(owner: User) -> None:
    with pytest.raises(CommandError) as raised:
        run_command("owner", "--scopes", "read,admin")

    message = str(raised.value)
    assert "--scopes='read,admin'" in message
    assert "['admin']" in message
    assert "accepted: purchase, read, write" in message
    assert ApiToken.objects.count() == 0


def test_empty_scopes_are_an_error(owner: User) -> None:
    with pytest.raises(CommandError, match="At least one scope is required"):
        run_command("owner", "--scopes", " , ")

    assert ApiToken.objects.count() == 0
