"""Writes for the gallery: posts, their images, likes and follows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from marketplace.accounts.models import CreatorProfile, User
from marketplace.core.errors import DomainError
from marketplace.core.markdown import render_markdown
from marketplace.gallery import images
from marketplace.gallery.models import (
    ContentRating,
    Follow,
    Like,
    Post,
    PostImage,
    PostStatus,
    Tag,
)
from marketplace.storage import public_storage
from marketplace.recipes.tools import TOOLS

MAX_TAGS = 12
MAX_TITLE = 120
MAX_DESCRIPTION = 10_000


class PostError(DomainError):
    """Post input that Kiln refuses."""


def _clean_tags(raw: Sequence[str] | str) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise PostError("Tags must be strings.", field="tags")
        slug = slugify(item.strip().lstrip("#"))[:40]
        if slug and slug not in tags:
            tags.append(slug)
    if len(tags) > MAX_TAGS:
        raise PostError(f"{len(tags)} tags given; at most {MAX_TAGS} are accepted.", field="tags")
    return tags


def _validate_post_fields(*, title: str, description: str, tool: str, rating: str) -> str:
    title = title.strip()
    if not title:
        raise PostError("A title is required.", field="title", code="required")
    if len(title) > MAX_TITLE:
        raise PostError(f"The title has {len(title)} characters; at most {MAX_TITLE}.", field="title")
    if len(description) > MAX_DESCRIPTION:
        raise PostError(
            f"The description has {len(description)} characters; at most {MAX_DESCRIPTION}.",
            field="description",
        )
    if tool not in TOOLS:
        raise PostError(
            f"Unknown tool {tool!r}; accepted: {', '.join(sorted(TOOLS))}.", field="tool", code="invalid_choice"
        )
    if rating not in ContentRating.values:
        raise PostError(
            f"Unknown rating {rating!r}; accepted: {', '.join(ContentRating.values)}.",
            field="rating",
            code="invalid_choice",
        )
    return title


def search_text_for(*, tags: Sequence[str], profile: CreatorProfile) -> str:
    return " ".join([*tags, profile.handle, profile.display_name])


def post_create(
    *,
    creator: User,
    title: str,
    description: str,
    tool: str,
    tags: Sequence[str] | str,
    rating: str = ContentRating.GENERAL,
    image_bytes: bytes,
    image_name: str,
) -> Post:
    """Create a post from an uploaded image; derivatives are built by a media task after commit.

    The image is checked by content before anything is saved, so a bad upload changes nothing.
    """
    title = _validate_post_fields(title=title, description=description, tool=tool, rating=rating)
    tag_names = _clean_tags(tags)
    try:
        info = images.inspect_upload(
            image_bytes,
            filename=image_name,
            max_bytes=settings.MAX_IMAGE_BYTES,
            max_pixels=settings.MAX_IMAGE_PIXELS,
        )
    except images.ImageRejected as error:
        raise PostError(str(error), field="image", code=error.code) from error
    profile = CreatorProfile.objects.get(user=creator)
    with transaction.atomic():
        post = Post.objects.create(
            creator=creator,
            title=title,
            description=description,
            description_html=render_markdown(description),
            tool=tool,
            rating=rating,
            status=PostStatus.PROCESSING,
            tag_names=tag_names,
            creator_handle=profile.handle,
            search_text=search_text_for(tags=tag_names, profile=profile),
        )
        post.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tag_names])
        PostImage.objects.create(
            post=post,
            original=ContentFile(image_bytes, name=f"{info.sha256[:16]}.{info.format}"),
            original_format=info.format,
            original_sha256=info.sha256,
            width=info.width,
            height=info.height,
        )
        from marketplace.gallery.tasks import process_post_image

        transaction.on_commit(lambda: process_post_image.delay(post.pk))
    return post


def post_image_process(*, post_id: int) -> None:
    """Build the public derivatives of a post's image and publish the post. Idempotent."""
    image = PostImage.objects.select_related("post").filter(post_id=post_id).first()
    if image is None:
        return
    with image.original.open("rb") as handle:
        data = handle.read()
    try:
        derivatives = images.make_derivatives(data)
    except (OSError, ValueError) as error:
        Post.objects.filter(pk=post_id).update(status=PostStatus.FAILED)
        raise PostError(f"The image of post {post_id} could not be processed: {error}") from error
    storage = public_storage()
    # Content-addressed names: rerunning the task overwrites nothing and leaks no post id.
    stored: dict[str, str] = {}
    for width, blob in derivatives.files.items():
        digest = hashlib.sha256(blob).hexdigest()
        path = f"posts/{digest[:2]}/{digest[2:34]}-{width}.webp"
        if not storage.exists(path):
            storage.save(path, ContentFile(blob))
        stored[str(width)] = path
    PostImage.objects.filter(pk=image.pk).update(
        derivatives=stored,
        placeholder=derivatives.placeholder,
        dominant_color=derivatives.dominant_color,
    )
    post = image.post
    if post.status == PostStatus.PROCESSING:
        now = timezone.now()
        post.status = PostStatus.PUBLISHED
        post.published_at = now
        post.refresh_scores()
        post.save(update_fields=["status", "published_at", "trending_score", "top_score"])
        CreatorProfile.objects.filter(user_id=post.creator_id).update(post_count=F("post_count") + 1)


def _refresh_engagement(post_id: int) -> None:
    post = Post.objects.only("like_count", "sale_count", "published_at").get(pk=post_id)
    post.refresh_scores()
    Post.objects.filter(pk=post_id).update(trending_score=post.trending_score, top_score=post.top_score)


def post_like(*, user: User, post: Post) -> bool:
    """Like a post; returns False when it was already liked (no double counting)."""
    try:
        with transaction.atomic():
            Like.objects.create(user=user, post=post)
            Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
            _refresh_engagement(post.pk)
    except IntegrityError:
        return False
    return True


def post_unlike(*, user: User, post: Post) -> bool:
    with transaction.atomic():
        deleted, _ = Like.objects.filter(user=user, post=post).delete()
        if deleted:
            Post.objects.filter(pk=post.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
            _refresh_engagement(post.pk)
    return bool(deleted)


def creator_follow(*, follower: User, creator: User) -> bool:
    if follower.pk == creator.pk:
        raise PostError("You cannot follow yourself.", field="creator", code="self_follow")
    try:
        with transaction.atomic():
            Follow.objects.create(follower=follower, creator=creator)
            CreatorProfile.objects.filter(user=creator).update(follower_count=F("follower_count") + 1)
    except IntegrityError:
        return False
    return True


def creator_unfollow(*, follower: User, creator: User) -> bool:
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=follower, creator=creator).delete()
        if deleted:
            CreatorProfile.objects.filter(user=creator, follower_count__gt=0).update(
                follower_count=F("follower_count") - 1
            )
    return bool(deleted)


def post_product_facets_refresh(*, post_id: int) -> None:
    """Recompute a post's product facets (``has_recipe``, ``has_blueprint``,
    ``has_verified_blueprint``, ``base_model``, ``min_price_minor``, ``currency``) from what it
    sells. Product services call it inside their write transaction.

    The gallery filters and cards read these columns, so they must follow every product write.
    """
    # Imported here: the products' models import the gallery's, not the other way round.
    from blueprints.selectors import blueprint_facets
    from marketplace.recipes.models import Recipe

    recipe_offers = list(Recipe.objects.filter(post_id=post_id).values_list("price_minor", "currency"))
    blueprint = blueprint_facets(post_id=post_id)
    offers = [*recipe_offers, *blueprint.offers]
    # Mixed currencies are compared by amount: Kiln prices a creator's products in one currency.
    cheapest = min(offers, default=None)
    # The base model is only ever learnt from a listed Blueprint; nothing else clears it.
    base_model = {"base_model": blueprint.base_model} if blueprint.base_model else {}
    Post.objects.filter(pk=post_id).update(
        has_recipe=bool(recipe_offers),
        has_blueprint=blueprint.has_blueprint,
        has_verified_blueprint=blueprint.has_verified_blueprint,
        min_price_minor=None if cheapest is None else cheapest[0],
        currency="usd" if cheapest is None else cheapest[1],
        **base_model,
    )


def post_view_record(*, post: Post, viewer: object) -> None:
    """Count a page view for the creator's views→sales conversion; the creator's own don't count."""
    if getattr(viewer, "pk", None) == post.creator_id:
        return
    # One UPDATE with F(): concurrent views never lose counts, and no row lock is held.
    Post.objects.filter(pk=post.pk).update(view_count=F("view_count") + 1)
