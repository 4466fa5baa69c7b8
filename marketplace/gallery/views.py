"""HTML pages of the gallery. Thin: read the request, call a selector or service, render.

Like and follow are plain POST forms (they work without JavaScript); ``static/js/kiln.js``
submits the same forms with ``fetch`` and then gets JSON back instead of a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.accounts.models import CreatorProfile
from marketplace.core.errors import DomainError, NotFound
from marketplace.gallery import presenters, selectors, services
from marketplace.gallery.forms import PostUploadForm, gallery_filters, tool_choices
from marketplace.gallery.models import ContentRating, Post
from marketplace.gallery.pagination import SORT_KEYS
from marketplace.gallery.selectors import PRODUCT_FILTERS

PAGE_SIZE = 24
SORT_LABELS = {"new": "Newest", "trending": "Trending", "top": "Top"}
PRODUCT_LABELS = {
    "recipe": "Has a Recipe",
    "blueprint": "Has a Blueprint",
    "verified": "Verified Blueprint",
}
# The post page's "For sale" sections (templates/gallery/_post_products.html): the recipes and
# blueprints apps add the first template of each pair; until they do, the placeholder is used.
RECIPE_TEMPLATES = ("recipes/_post_recipe.html", "gallery/_post_recipe_placeholder.html")
BLUEPRINT_TEMPLATES = (
    "blueprints/_post_blueprint.html",
    "gallery/_post_blueprint_placeholder.html",
)
assert set(SORT_LABELS) == set(SORT_KEYS) and set(PRODUCT_LABELS) == set(PRODUCT_FILTERS)


def _listing(request: HttpRequest, *, creator: str = "") -> dict[str, Any]:
    """One keyset page of post cards for the query string, or the filter error to show."""
    cursor = request.GET.get("cursor") or None
    try:
        filters = gallery_filters(request.GET, creator=creator)
        page = selectors.post_list(filters=filters, cursor=cursor, page_size=PAGE_SIZE)
    except DomainError as error:
        return {
            "cards": [],
            "next_cursor": None,
            "filter_error": error,
            "sort": "new",
            "is_later_page": False,
        }
    return {
        "cards": [presenters.post_card(post) for post in page.posts],
        "next_cursor": page.next_cursor,
        "filter_error": None,
        "filters": filters,
        "sort": filters.sort,
        "is_later_page": cursor is not None,
    }


def _listing_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.update(
        sort_tabs=SORT_LABELS,
        tool_options=tool_choices(),
        product_options=PRODUCT_LABELS,
        rating_options=ContentRating.choices,
    )
    status = 400 if context["filter_error"] is not None else 200
    return render(request, template, context, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The gallery: sort tabs, filters, search and a keyset-paginated grid."""
    return _listing_response(request, "gallery/index.html", _listing(request))


def _post_or_404(request: HttpRequest, post_id: int) -> Post:
    try:
        return selectors.post_get(post_id=post_id, viewer=request.user)
    except NotFound as error:
        raise Http404(error.message) from error


def _creator_or_404(handle: str) -> CreatorProfile:
    try:
        return selectors.creator_get(handle=handle)
    except NotFound as error:
        raise Http404(error.message) from error


@require_GET
def post_page(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post: its image, creator, description, what it sells and the creator's other posts."""
    post = _post_or_404(request, post_id)
    services.post_view_record(post=post, viewer=request.user)
    more = selectors.creator_more_posts(creator_id=post.creator_id, exclude_post_id=post.pk)
    context = {
        "post": presenters.post_detail(post),
        "post_object": post,
        "is_owner": request.user.pk == post.creator_id,
        "liked": post.pk in selectors.liked_post_ids(user=request.user, posts=[post]),
        "following": selectors.is_following(follower=request.user, creator_id=post.creator_id),
        "more_cards": [presenters.post_card(other) for other in more],
        "recipe_templates": RECIPE_TEMPLATES,
        "blueprint_templates": BLUEPRINT_TEMPLATES,
    }
    return render(request, "gallery/post.html", context)


@require_GET
def creator_page(request: HttpRequest, handle: str) -> HttpResponse:
    """A creator's profile and their posts, keyset-paginated like the gallery."""
    profile = _creator_or_404(handle)
    context = _listing(request, creator=profile.handle)
    context.update(
        creator=presenters.creator_dict(profile),
        creator_joined=profile.created_at,
        is_self=request.user.pk == profile.user_id,
        following=selectors.is_following(follower=request.user, creator_id=profile.user_id),
    )
    return _listing_response(request, "gallery/creator.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest) -> HttpResponse:
    """Upload an image and describe it; the post is published once its image is processed."""
    form = PostUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(creator=request.user, **form.service_arguments())  # type: ignore[arg-type]
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, "Uploaded. Kiln is preparing the public copy of your image.")
            return redirect("gallery:post", post_id=post.pk)
    return render(
        request, "gallery/post_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the form's ``next`` when it is a page of this site, else to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _login_first(request: HttpRequest, page_url: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"detail": "Log in first.", "login_url": reverse("accounts:login")}, status=401
        )
    # Back to the page, not to this POST-only address.
    return redirect_to_login(request.POST.get("next") or page_url)


@require_POST
def post_like_toggle(request: HttpRequest, post_id: int) -> HttpResponse:
    """``action=like`` or ``action=unlike``: explicit, so a double submit cannot flip twice."""
    page_url = reverse("gallery:post", args=[post_id])
    if not request.user.is_authenticated:
        return _login_first(request, page_url)
    action = request.POST.get("action", "")
    if action not in {"like", "unlike"}:
        return HttpResponseBadRequest(f"action={action!r}; accepted: like, unlike.")
    post = _post_or_404(request, post_id)
    if action == "like":
        services.post_like(user=request.user, post=post)  # type: ignore[arg-type]
    else:
        services.post_unlike(user=request.user, post=post)  # type: ignore[arg-type]
    if _wants_json(request):
        fresh = selectors.post_get(post_id=post_id, viewer=request.user)
        return JsonResponse({"liked": action == "like", "like_count": fresh.like_count})
    return _back(request, page_url)


@require_POST
def creator_follow_toggle(request: HttpRequest, handle: str) -> HttpResponse:
    """``action=follow`` or ``action=unfollow`` a creator."""
    page_url = reverse("gallery:creator", args=[handle])
    if not request.user.is_authenticated:
        return _login_first(request, page_url)
    action = request.POST.get("action", "")
    if action not in {"follow", "unfollow"}:
        return HttpResponseBadRequest(f"action={action!r}; accepted: follow, unfollow.")
    profile = _creator_or_404(handle)
    try:
        if action == "follow":
            services.creator_follow(follower=request.user, creator=profile.user)  # type: ignore[arg-type]
        else:
            services.creator_unfollow(follower=request.user, creator=profile.user)  # type: ignore[arg-type]
    except DomainError as error:
        if _wants_json(request):
            return JsonResponse({"detail": error.message, "field": error.field}, status=400)
        messages.error(request, error.message)
        return _back(request, page_url)
    if _wants_json(request):
        fresh = selectors.creator_get(handle=handle)
        return JsonResponse(
            {"following": action == "follow", "follower_count": fresh.follower_count}
        )
    return _back(request, page_url)
