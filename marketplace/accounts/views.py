"""Account pages: sign up, log in, log out and the settings page (profile and API tokens)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.accounts import services
from marketplace.accounts.forms import LoginForm, ProfileForm, SignupForm, TokenCreateForm
from marketplace.accounts.models import ApiToken, User
from marketplace.core.errors import DomainError

AUTH_BACKEND = "marketplace.accounts.backends.EmailBackend"


def _next_url(request: HttpRequest) -> str:
    """Where to go after logging in: a ``next`` on this site, else the gallery."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account (and its creator profile) and log it in."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                email=data["email"],
                username=data["handle"],
                password=data["password"],
                display_name=data["display_name"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        except ValidationError as error:
            # The model's own checks (full_clean) name model fields; map them onto the form.
            for field, problems in error.message_dict.items():
                target = "handle" if field == "username" else field
                form.add_error(target if target in form.fields else None, problems)
        else:
            login(request, user, backend=AUTH_BACKEND)
            messages.success(request, f"Welcome to Kiln, {user.username}.")
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Log in with email or handle and password."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            # One message for both cases: do not reveal which accounts exist.
            form.add_error(None, "That email or handle and password do not match an account.")
        else:
            login(request, user)
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """POST logs out; GET asks first (a link must not log anyone out)."""
    if request.method == "POST":
        logout(request)
        return redirect("gallery:index")
    return render(request, "accounts/logout.html")


def _settings_context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    profile = user.profile
    context: dict[str, Any] = {
        "profile_form": ProfileForm(
            initial={"display_name": profile.display_name, "bio": profile.bio}
        ),
        "token_form": TokenCreateForm(),
        "tokens": list(user.api_tokens.active().order_by("-created_at")),
        "profile": profile,
        "new_token": None,
    }
    context.update(overrides)
    return context


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Profile (display name, bio) and the list of API tokens."""
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(
                profile=request.user.profile,  # type: ignore[union-attr]
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
            )
            messages.success(request, "Profile saved.")
            return redirect("accounts:settings")
        return render(
            request,
            "accounts/settings.html",
            _settings_context(request, profile_form=form),
            status=400,
        )
    return render(request, "accounts/settings.html", _settings_context(request))


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show it once, in this response only (it is never stored raw)."""
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Rendered, not redirected: a redirect would need the raw token kept somewhere.
            context = _settings_context(request, new_token={"raw": raw, "name": token.name})
            return render(request, "accounts/settings.html", context, status=201)
    return render(
        request, "accounts/settings.html", _settings_context(request, token_form=form), status=400
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens; another user's token id is a 404."""
    token = ApiToken.objects.active().filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No active token with this id.")
    services.api_token_revoke(token=token)
    messages.success(
        request, f"Token “{token.name}” revoked. Programs using it can no longer sign in."
    )
    return redirect("accounts:settings")
