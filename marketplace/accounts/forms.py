"""HTML forms for sign-up, log-in, the profile and API tokens.

The forms check the shape of the input; the services decide (taken email, scopes, ...), and
their ``DomainError`` is shown next to the field it names via ``add_domain_error``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from marketplace.accounts.models import HANDLE_VALIDATOR, ApiTokenScope
from marketplace.core.errors import DomainError


class DomainErrorMixin:
    # The services name model fields; the forms may call them differently.
    field_aliases: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        field = self.field_aliases.get(error.field or "", error.field)
        form.add_error(field if field in form.fields else None, error.message)


class HandleField(forms.CharField):
    """Handles are lowercase; lower-case before the pattern check so "Ada" means "ada"."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).lower()


class SignupForm(DomainErrorMixin, forms.Form):
    field_aliases = {"username": "handle"}

    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    handle = HandleField(
        min_length=3,
        max_length=32,
        validators=[HANDLE_VALIDATOR],
        help_text="Your public address (/creators/your-handle/): a-z, 0-9, - and _.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    display_name = forms.CharField(
        required=False, max_length=80, help_text="Shown on your posts; defaults to your handle."
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password, not only digits, "
        "not close to your email or handle.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            # A throw-away user so the similarity check compares with the email and handle.
            from marketplace.accounts.models import User

            probe = User(email=cleaned.get("email", ""), username=cleaned.get("handle", ""))
            try:
                password_validation.validate_password(password, user=probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label="Email or handle",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80)
    bio = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class TokenCreateForm(DomainErrorMixin, forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses it, e.g. “render script”.")
    scopes = forms.MultipleChoiceField(
        choices=ApiTokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiTokenScope.READ],
        help_text="Read: browse. Write: create posts. Purchase: buy with your account.",
    )
