"""Gallery endpoints: posts, creators, likes, follows. Thin: validate, call, present."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import serializers as s
from marketplace.api.errors import error_body
from marketplace.gallery import presenters, selectors, services

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Bad input; `field` names the culprit."),
    401: OpenApiResponse(s.ErrorSerializer, description="Authentication required."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed (scope or ownership)."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found."),
    429: OpenApiResponse(s.ErrorSerializer, description="Rate limited."),
}


# Anonymous first pages, rendered, in this process's memory: a hit costs no network round
# trip (Redis was most of a cached request's time). Each worker rebuilds a page at most once
# per TTL, which is nothing next to the traffic the page absorbs; bounded to 256 pages.
_first_pages = LocMemCache("kiln-api-first-pages", {"OPTIONS": {"MAX_ENTRIES": 256}})


def anonymous_cache_seconds() -> int:
    """How long anonymous visitors may be served a cached first page; 0 turns caching off.

    ``settings.API_ANONYMOUS_CACHE_SECONDS``; off by default outside production, so tests
    and the demo see new posts at once.
    """
    return int(settings.API_ANONYMOUS_CACHE_SECONDS)


def _anonymous_first_page_key(request: Request) -> str | None:
    """Cache key for a first page seen by an anonymous visitor, or None when not cacheable.

    Most traffic is anonymous visitors opening the gallery's first page (any filter or
    search); a few seconds of staleness there is invisible, and each hit skips the list
    query and the presenting. Later pages (a cursor) and signed-in users always go to the
    database. The host is part of the key because ``next`` is an absolute URL.
    """
    if request.query_params.get("cursor") or request.user.is_authenticated:
        return None
    if not isinstance(request.accepted_renderer, JSONRenderer):
        return None  # the browsable API page is for people exploring, not for traffic
    if anonymous_cache_seconds() <= 0:
        return None
    query = urlencode(sorted(request.query_params.items()))
    page_url = f"{request.build_absolute_uri(request.path)}?{query}"
    digest = hashlib.sha256(page_url.encode()).hexdigest()
    return f"api:posts:first-page:{digest[:32]}"


class PostListView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), *super().get_permissions()]
        return super().get_permissions()

    @extend_schema(
        operation_id="posts_list",
        parameters=[s.PostListQuerySerializer],
        responses={200: s.PostPageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        cache_key = _anonymous_first_page_key(request)
        if cache_key is not None:
            cached = _first_pages.get(cache_key)
            if cached is not None:
                return HttpResponse(cached, content_type=request.accepted_renderer.media_type)
        query = s.PostListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = {key: str(value) for key, value in query.validated_data.items()}
        filters = selectors.PostFilters.from_params(params)
        page = selectors.post_list(
            filters=filters,
            cursor=query.validated_data.get("cursor"),
            page_size=query.validated_data["page_size"],
        )
        next_url = None
        if page.next_cursor:
            next_params = {k: v for k, v in request.query_params.items() if k != "cursor"}
            next_params["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(request.path) + "?" + urlencode(next_params)
        data = {
            "results": [presenters.post_card(post) for post in page.posts],
            "next": next_url,
            "next_cursor": page.next_cursor,
        }
        if cache_key is not None:
            # Stored rendered: a hit costs a dictionary lookup and no serialising.
            renderer = request.accepted_renderer
            body = renderer.render(data, request.accepted_media_type, {"request": request})
            _first_pages.set(cache_key, body, anonymous_cache_seconds())
            return HttpResponse(body, content_type=renderer.media_type)
        return Response(data)

    @extend_schema(
        operation_id="posts_create",
        request={"multipart/form-data": s.PostCreateSerializer},
        responses={201: s.PostDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        form = s.PostCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["image"]
        post = services.post_create(
            creator=request.user,
            title=data["title"],
            description=data["description"],
            tool=data["tool"],
            tags=data["tags"],
            rating=data["rating"],
            image_bytes=upload.read(),
            image_name=upload.name or "",
        )
        post = selectors.post_get(post_id=post.pk, viewer=request.user)
        return Response(presenters.post_detail(post), status=status.HTTP_201_CREATED)


class PostDetailView(APIView):
    @extend_schema(operation_id="posts_retrieve", responses={200: s.PostDetailSerializer, **ERRORS})
    def get(self, request: Request, post_id: int) -> Response:
        post = selectors.post_get(post_id=post_id, viewer=request.user)
        return Response(presenters.post_detail(post))


class PostLikeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="posts_like", request=None, responses={200: dict, **ERRORS})
    def post(self, request: Request, post_id: int) -> Response:
        post = selectors.post_get(post_id=post_id, viewer=request.user)
        services.post_like(user=request.user, post=post)
        return Response({"liked": True})

    @extend_schema(operation_id="posts_unlike", request=None, responses={200: dict, **ERRORS})
    def delete(self, request: Request, post_id: int) -> Response:
        post = selectors.post_get(post_id=post_id, viewer=request.user)
        services.post_unlike(user=request.user, post=post)
        return Response({"liked": False})


class CreatorDetailView(APIView):
    @extend_schema(operation_id="creators_retrieve", responses={200: s.CreatorSerializer, **ERRORS})
    def get(self, request: Request, handle: str) -> Response:
        return Response(presenters.creator_dict(selectors.creator_get(handle=handle)))


class CreatorFollowView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="creators_follow", request=None, responses={200: dict, **ERRORS})
    def post(self, request: Request, handle: str) -> Response:
        profile = selectors.creator_get(handle=handle)
        services.creator_follow(follower=request.user, creator=profile.user)
        return Response({"following": True})

    @extend_schema(operation_id="creators_unfollow", request=None, responses={200: dict, **ERRORS})
    def delete(self, request: Request, handle: str) -> Response:
        profile = selectors.creator_get(handle=handle)
        services.creator_unfollow(follower=request.user, creator=profile.user)
        return Response({"following": False})


# csrf_exempt: a POST to an unknown path must get this JSON 404, not Django's HTML CSRF page.
@csrf_exempt
def not_found_view(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error format, not with an HTML page."""
    hint = "see /api/v1/docs/."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found_view:
            hint = f"did you mean {request.path}/ (with the trailing slash)?"
    return JsonResponse(
        error_body(code="not_found", message=f"No API endpoint at {request.path}; {hint}"),
        status=404,
    )
