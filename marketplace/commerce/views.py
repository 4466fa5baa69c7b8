"""Web pages of commerce (buy, success, library, downloads, dashboard, payouts, reviews) and
the two Stripe webhook endpoints. Thin: services do the work."""

from __future__ import annotations

import logging
from typing import Any, cast

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from marketplace.accounts.models import User
from marketplace.commerce import selectors
from marketplace.commerce.models import Order
from marketplace.commerce.services import connect, reviews
from marketplace.commerce.services.catalog import ProductRef
from marketplace.commerce.services.checkout import checkout_start
from marketplace.commerce.services.dashboard import dashboard_sales_csv, dashboard_summary
from marketplace.commerce.services.downloads import download_content, download_resolve_token
from marketplace.commerce.services.fulfilment import order_fulfil_from_session
from marketplace.commerce.services.webhooks import WebhookRejected, webhook_receive, webhook_verify
from marketplace.commerce.tasks import process_stripe_event
from marketplace.core.errors import DomainError, NotFound

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    """The logged-in user (every caller is behind ``login_required``)."""
    return cast(User, request.user)


def _back(request: HttpRequest, *, default: str = "gallery:index") -> str:
    """The form's ``next`` page when it is on this site (never an open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _webhook(request: HttpRequest, *, secret: str, endpoint: str) -> HttpResponse:
    try:
        # request.body untouched: the signature covers the exact bytes Stripe sent.
        event = webhook_verify(
            payload=request.body,
            signature=request.headers.get("Stripe-Signature", ""),
            secret=secret,
        )
    except WebhookRejected as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    stored = webhook_receive(event=event, endpoint=endpoint)
    if stored is not None:
        transaction.on_commit(lambda: process_stripe_event.delay(stored.pk))
    return JsonResponse({"received": True, "duplicate": stored is None})


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Platform events: checkout sessions, refunds, disputes."""
    return _webhook(request, secret=settings.STRIPE_WEBHOOK_SECRET, endpoint="platform")


@csrf_exempt
@require_POST
def stripe_connect_webhook(request: HttpRequest) -> HttpResponse:
    """Connect events (``account.updated``), signed with the Connect endpoint's own secret."""
    return _webhook(request, secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET, endpoint="connect")


@login_required
@require_POST
def checkout_buy(request: HttpRequest) -> HttpResponse:
    """The Buy button: ``item`` values like ``recipe:12`` or ``blueprint:7`` (prices are never
    read from the form)."""
    refs = []
    for value in request.POST.getlist("item"):
        kind, _, raw_id = value.partition(":")
        if not raw_id.isdigit():
            messages.error(
                request,
                f"item={value[:40]!r} is not a product; accepted: recipe:<id> or blueprint:<id>.",
            )
            return redirect(_back(request))
        refs.append(ProductRef(kind=kind, id=int(raw_id)))
    try:
        result = checkout_start(buyer=_user(request), refs=refs)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_back(request))
    return redirect(result.checkout_url)


@login_required
@require_GET
def checkout_success(request: HttpRequest) -> HttpResponse:
    """Where Stripe sends the buyer back: fulfils now (same function as the webhook) so the
    library is ready even if the webhook is late."""
    session_id = request.GET.get("session_id", "")
    if len(session_id) > 255 or "\x00" in session_id:
        session_id = ""  # not an id Stripe issues (PostgreSQL also refuses NUL in text)
    order = (
        Order.objects.filter(stripe_checkout_session_id=session_id, buyer=_user(request)).first()
        if session_id
        else None
    )
    if order is None:
        return render(request, "commerce/checkout_result.html", {"order": None}, status=404)
    try:
        order = order_fulfil_from_session(session_id=session_id) or order
    except stripe.StripeError:
        # Stripe unreachable: show the order as Kiln knows it; the webhook fulfils it later.
        logger.warning("success page could not re-fetch session %s", session_id, exc_info=True)
    return render(
        request, "commerce/checkout_result.html", {"order": order, "items": order.items.all()}
    )


@login_required
@require_GET
def checkout_cancelled(request: HttpRequest) -> HttpResponse:
    return render(request, "commerce/checkout_result.html", {"order": None, "cancelled": True})


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "commerce/library.html",
        {"entitlements": selectors.library_for_buyer(buyer=_user(request))},
    )


@require_GET
def download_file(request: HttpRequest, token: str) -> HttpResponse:
    """A signed local download link (no login needed: the token is the capability, and it is
    short-lived and bound to an active entitlement)."""
    try:
        download = download_resolve_token(token=token)
    except NotFound as error:
        return HttpResponse(error.message, status=404, content_type="text/plain")
    file = download_content(entitlement=download.entitlement, version=download.blueprint_version)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = dashboard_summary(seller=_user(request))
    context["profile"] = _user(request).profile
    return render(request, "commerce/dashboard.html", context)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(dashboard_sales_csv(seller=_user(request)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="kiln-sales.csv"'
    return response


@login_required
@require_POST
def connect_start(request: HttpRequest) -> HttpResponse:
    return redirect(connect.connect_onboarding_link(user=_user(request)))


@login_required
@require_GET
def connect_refresh(request: HttpRequest) -> HttpResponse:
    """Account links are single-use and short-lived: an expired one lands here; mint anew."""
    return redirect(connect.connect_onboarding_link(user=_user(request)))


@login_required
@require_GET
def connect_return(request: HttpRequest) -> HttpResponse:
    """Reaching the return URL proves nothing: ask Stripe for the account's flags."""
    profile = _user(request).profile
    if profile.stripe_account_id:
        profile = connect.connect_account_sync(account_id=profile.stripe_account_id) or profile
    if profile.can_sell_paid_items:
        messages.success(request, "Payouts are set up: you can now sell paid items.")
    else:
        messages.info(request, "Stripe still needs some details before you can sell paid items.")
    return redirect("commerce:dashboard")


@login_required
@require_POST
def review_post(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("type", "")
    raw_id = request.POST.get("id", "")
    raw_rating = request.POST.get("rating", "")
    try:
        review = reviews.review_create(
            buyer=_user(request),
            kind=kind,
            product_id=int(raw_id) if raw_id.isdigit() else 0,
            rating=int(raw_rating) if raw_rating.isdigit() else raw_rating,
            text=request.POST.get("text", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_back(request, default="commerce:library"))
    messages.success(request, "Thanks for your review.")
    return redirect(reverse("gallery:post", args=[review.post_id]))
