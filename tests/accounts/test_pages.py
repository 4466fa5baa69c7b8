"""Account pages: sign up, log in, log out, profile settings and API tokens."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from marketplace.accounts.models import HANDLE_VALIDATOR, ApiToken, CreatorProfile, User, hash_token
from marketplace.accounts.services import api_token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kiln-glaze-and-ember-42"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_errors(html: str, field: str) -> list[str]:
    """The error messages a page shows next to ``field`` (see templates/includes/_field.html)."""
    block = re.search(rf'<div class="field__errors" id="id_{field}_error">(.*?)</div>', html, re.S)
    if block is None:
        return []
    return [
        unescape(text) for text in re.findall(r'<p class="field__error">(.*?)</p>', block.group(1))
    ]


def session_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Sign up -----------------------------------------------------------------------------------


def test_sign_up_page_renders(client: Client) -> None:
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    assert 'name="handle"' in response.content.decode()


def test_sign_up_creates_the_account_and_profile_and_logs_in(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "email": "Ada@Example.test",
            "handle": "ada",
            "display_name": "Ada L.",
            "password": NEW_PASSWORD,
        },
    )

    user = User.objects.get()
    assert response.status_code == 302 and response["Location"] == "/"
    assert (user.email, user.username) == ("ada@example.test", "ada")
    assert CreatorProfile.objects.get(user=user).display_name == "Ada L."
    assert session_user_id(client) == str(user.pk)


def test_sign_up_follows_a_local_next_but_not_another_site(client: Client) -> None:
    local = client.post(
        "/accounts/signup/?next=/posts/new/",
        {"email": "a@example.test", "handle": "aaa", "password": NEW_PASSWORD},
    )
    other = Client().post(
        "/accounts/signup/",
        {
            "email": "b@example.test",
            "handle": "bbb",
            "password": NEW_PASSWORD,
            "next": "https://evil.test/",
        },
    )

    assert local["Location"] == "/posts/new/"
    assert other["Location"] == "/"


def test_sign_up_with_a_taken_email_names_the_email_field(client: Client, owner: User) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "owner@example.test", "handle": "another", "password": NEW_PASSWORD},
    )

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "email") == [
        "An account with this email already exists."
    ]
    assert User.objects.count() == 1


def test_sign_up_with_a_taken_handle_names_the_handle_field(client: Client, owner: User) -> None:
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "handle": "Owner", "password": NEW_PASSWORD},
    )

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "handle") == ["This handle is taken."]


def test_sign_up_refuses_a_bad_handle_and_a_weak_password(client: Client) -> None:
    response = client.post(
        "/accounts/signup/", {"email": "x@example.test", "handle": "-no-", "password": "12345"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "handle") == [HANDLE_VALIDATOR.message]
    assert field_errors(html, "password") == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert not User.objects.exists()


# --- Log in and out ----------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["owner@example.test", "OWNER@example.test", "owner"])
def test_log_in_with_email_or_handle(client: Client, owner: User, identifier: str) -> None:
    response = client.post(
        "/accounts/login/?next=/creators/owner/", {"identifier": identifier, "password": PASSWORD}
    )

    assert response.status_code == 302 and response["Location"] == "/creators/owner/"
    assert session_user_id(client) == str(owner.pk)


def test_log_in_with_a_wrong_password_says_so_without_naming_which_part(
    client: Client, owner: User
) -> None:
    response = client.post("/accounts/login/", {"identifier": "owner", "password": "wrong"})

    assert response.status_code == 400
    assert "That email or handle and password do not match an account." in response.content.decode()
    assert session_user_id(client) is None


def test_log_out_needs_a_post(owner: User) -> None:
    client = logged_in(owner)

    asked = client.get("/accounts/logout/")
    still_in = session_user_id(client)
    done = client.post("/accounts/logout/")

    assert asked.status_code == 200 and "Log out of Kiln?" in asked.content.decode()
    assert still_in == str(owner.pk)
    assert done.status_code == 302 and done["Location"] == "/"
    assert session_user_id(client) is None


# --- Settings: profile -------------------------------------------------------------------------


def test_settings_require_log_in(client: Client) -> None:
    response = client.get("/accounts/settings/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/settings/"


def test_settings_update_display_name_and_bio(owner: User) -> None:
    client = logged_in(owner)

    response = client.post(
        "/accounts/settings/", {"display_name": "The Owner", "bio": "Kilns and glaze."}
    )

    profile = CreatorProfile.objects.get(user=owner)
    assert response.status_code == 302 and response["Location"] == "/accounts/settings/"
    assert (profile.display_name, profile.bio) == ("The Owner", "Kilns and glaze.")


def test_settings_refuse_an_empty_display_name(owner: User) -> None:
    response = logged_in(owner).post("/accounts/settings/", {"display_name": "", "bio": "x"})

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "display_name") == ["This field is required."]
    assert CreatorProfile.objects.get(user=owner).bio == ""


# --- Settings: API tokens ----------------------------------------------------------------------


def test_creating_a_token_shows_the_raw_token_once_and_stores_only_its_hash(owner: User) -> None:
    client = logged_in(owner)

    created = client.post(
        "/accounts/settings/tokens/", {"name": "render script", "scopes": ["read", "write"]}
    )
    raw = re.search(r'value="(kiln_[A-Za-z0-9_-]+)" readonly', created.content.decode())
    later = client.get("/accounts/settings/").content.decode()

    token = ApiToken.objects.get()
    assert created.status_code == 201
    assert raw is not None
    assert token.key_hash == hash_token(raw.group(1))
    assert (token.name, token.scopes, token.user) == ("render script", ["read", "write"], owner)
    assert raw.group(1) not in later
    assert f"<code>kiln_{token.hint}…</code>" in later
    assert "render script" in later and "Never" in later


def test_creating_a_token_without_scopes_names_the_scopes_field(owner: User) -> None:
    response = logged_in(owner).post("/accounts/settings/tokens/", {"name": "nothing"})

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "scopes") == ["This field is required."]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_removes_it_from_the_list(owner: User) -> None:
    token, _raw = api_token_create(user=owner, name="old laptop", scopes=["read"])
    client = logged_in(owner)

    response = client.post(f"/accounts/settings/tokens/{token.pk}/revoke/")
    page = client.get("/accounts/settings/").content.decode()

    token.refresh_from_db()
    assert response.status_code == 302
    assert token.revoked_at is not None
    assert "You have no active tokens." in page


def test_revoking_another_users_token_is_a_404_and_changes_nothing(
    owner: User, stranger: User
) -> None:
    token, _raw = api_token_create(user=owner, name="mine", scopes=["read"])

    response = logged_in(stranger).post(f"/accounts/settings/tokens/{token.pk}/revoke/")

    token.refresh_from_db()
    assert response.status_code == 404
    assert token.revoked_at is None
