"""Reads for the gallery: the filtered, sorted, keyset-paginated post list, a post, a creator."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from marketplace.accounts.models import CreatorProfile
from marketplace.core.errors import DomainError, NotFound
from marketplace.gallery import search
from marketplace.gallery.models import ContentRating, Follow, Like, Post
from marketplace.gallery.pagination import SORT_KEYS, Cursor, after_cursor, cursor_for
from marketplace.recipes.tools import TOOLS

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
LIST_DEFERRED_FIELDS = (
    "description",
    "description_html",
    "search_text",
    "image__original",
    "image__original_sha256",
)
PRODUCT_FILTERS = {
    "recipe": "has_recipe",
    "blueprint": "has_blueprint",
    "verified": "has_verified_blueprint",
}


@dataclass(frozen=True)
class PostFilters:
    """Validated gallery filters; build with ``PostFilters.from_params``."""

    q: str = ""
    tool: str = ""
    has: str = ""
    creator: str = ""
    base_model: str = ""
    rating: str = ""
    tag: str = ""
    min_price: int | None = None
    max_price: int | None = None
    sort: str = "new"

    @classmethod
    def from_params(cls, params: dict[str, str]) -> PostFilters:
        for name in FILTER_PARAMS:
            if "\x00" in (params.get(name) or ""):
                # PostgreSQL refuses NUL in a query parameter: without this the page is a 500.
                raise DomainError(
                    f"{name} contains a NUL character; accepted: plain text.",
                    field=name,
                    code="invalid",
                )
        sort = params.get("sort") or "new"
        if sort not in SORT_KEYS:
            raise DomainError(
                f"Unknown sort {sort!r}; accepted: {', '.join(SORT_KEYS)}.", field="sort", code="invalid_choice"
            )
        tool = params.get("tool") or ""
        if tool and tool not in TOOLS:
            raise DomainError(
                f"Unknown tool {tool!r}; accepted: {', '.join(sorted(TOOLS))}.", field="tool", code="invalid_choice"
            )
        has = params.get("has") or ""
        if has and has not in PRODUCT_FILTERS:
            raise DomainError(
                f"Unknown product filter {has!r}; accepted: {', '.join(PRODUCT_FILTERS)}.",
                field="has",
                code="invalid_choice",
            )
        rating = params.get("rating") or ""
        if rating and rating not in ContentRating.values:
            raise DomainError(
                f"Unknown rating {rating!r}; accepted: {', '.join(ContentRating.values)}.",
                field="rating",
                code="invalid_choice",
            )
        return cls(
            q=(params.get("q") or "").strip()[: search.MAX_QUERY_LENGTH],
            tool=tool,
            has=has,
            creator=(params.get("creator") or "").strip().lower()[:32],
            base_model=(params.get("base_model") or "").strip()[:24],
            rating=rating,
            tag=(params.get("tag") or "").strip().lower()[:40],
            min_price=_price(params, "min_price"),
            max_price=_price(params, "max_price"),
            sort=sort,
        )


FILTER_PARAMS = (
    "q", "tool", "has", "creator", "base_model", "rating", "tag", "min_price", "max_price", "sort"
)


def _price(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError as error:
        raise DomainError(
            f"{name}={raw!r} is not an integer; prices are in minor units (cents), e.g. 499.",
            field=name,
            code="invalid_price",
        ) from error
    if not 0 <= value <= 100_000_000:
        raise DomainError(f"{name}={value} is out of range; accepted 0 to 100000000.", field=name, code="invalid_price")
    return value


@dataclass
class PostPage:
    posts: list[Post]
    next_cursor: str | None
    filters: PostFilters
    liked_ids: set[int] = field(default_factory=set)


def _filtered(filters: PostFilters) -> QuerySet[Post]:
    queryset = Post.objects.published()
    if filters.tool:
        queryset = queryset.filter(tool=filters.tool)
    if filters.has:
        queryset = queryset.filter(**{PRODUCT_FILTERS[filters.has]: True})
    if filters.creator:
        queryset = queryset.filter(creator_handle=filters.creator)
    if filters.base_model:
        queryset = queryset.filter(base_model__iexact=filters.base_model)
    if filters.rating:
        queryset = queryset.filter(rating=filters.rating)
    if filters.tag:
        queryset = queryset.filter(tags__name=filters.tag)
    if filters.min_price is not None:
        queryset = queryset.filter(min_price_minor__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(min_price_minor__lte=filters.max_price)
    if filters.q:
        queryset = search.matches(queryset, filters.q)
    return queryset


def post_list(*, filters: PostFilters, cursor: str | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> PostPage:
    """One page of published posts: one query (two for a rare search term), any depth."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise DomainError(
            f"page_size={page_size} is out of range; accepted 1 to {MAX_PAGE_SIZE}.", field="page_size"
        )
    queryset = _filtered(filters)
    if filters.q:
        rare_ids = search.rare_match_ids(queryset)
        if rare_ids is not None:
            queryset = Post.objects.filter(id__in=rare_ids)
    if cursor:
        queryset = after_cursor(queryset, Cursor.decode(cursor, sort=filters.sort))
    key = SORT_KEYS[filters.sort]
    rows = list(
        queryset.select_related("image")
        # Cards never show these; skipping them keeps the page's rows small.
        .defer(*LIST_DEFERRED_FIELDS)
        .order_by(f"-{key}", "-id")[: page_size + 1]
    )
    next_cursor = cursor_for(rows[page_size - 1], sort=filters.sort).encode() if len(rows) > page_size else None
    return PostPage(posts=rows[:page_size], next_cursor=next_cursor, filters=filters)


def liked_post_ids(*, user: object, posts: list[Post]) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not posts:
        return set()
    return set(Like.objects.filter(user=user, post_id__in=[p.pk for p in posts]).values_list("post_id", flat=True))


def post_get(*, post_id: int, viewer: object) -> Post:
    """A post the viewer may see (published, or their own), with what its page shows."""
    post = (
        Post.objects.visible_to(viewer)
        .select_related("image", "creator", "creator__profile")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise NotFound("No post with this id.")
    return post


def creator_get(*, handle: str) -> CreatorProfile:
    if "\x00" in handle:
        # No handle holds NUL, and PostgreSQL would refuse the query (a 500) rather than miss.
        raise NotFound("No creator with this handle.")
    profile = CreatorProfile.objects.select_related("user").filter(handle=handle.lower()).first()
    if profile is None:
        raise NotFound("No creator with this handle.")
    return profile


def is_following(*, follower: object, creator_id: int) -> bool:
    if not getattr(follower, "is_authenticated", False):
        return False
    return Follow.objects.filter(follower=follower, creator_id=creator_id).exists()


def creator_more_posts(*, creator_id: int, exclude_post_id: int, limit: int = 6) -> list[Post]:
    """A creator's newest published posts other than the one being shown: one query."""
    return list(
        Post.objects.published()
        .filter(creator_id=creator_id)
        .exclude(pk=exclude_post_id)
        .select_related("image")
        .order_by("-published_at", "-id")[:limit]
    )
