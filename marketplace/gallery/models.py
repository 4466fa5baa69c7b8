"""Posts, their images, tags, likes and follows."""

from __future__ import annotations

import math
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.encoding import filepath_to_uri

from marketplace.storage import private_storage, public_storage

# Trending without a periodic job: a score that grows with the log of engagement and linearly
# with publication time (seconds / TRENDING_HALF_DAY) ranks fresh posts up and lets older ones
# sink, and it only changes when engagement does. 45,000 s (12.5 h) per tenfold engagement.
TRENDING_TIME_UNIT_SECONDS = 45_000
SALE_WEIGHT = 3


def trending_score(*, likes: int, sales: int, published_at: datetime) -> float:
    engagement = likes + SALE_WEIGHT * sales
    return math.log10(max(engagement, 1)) + published_at.timestamp() / TRENDING_TIME_UNIT_SECONDS


class ContentRating(models.TextChoices):
    GENERAL = "general", "General"
    MATURE = "mature", "Mature"


class PostStatus(models.TextChoices):
    PROCESSING = "processing", "Processing image"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Image could not be processed"
    REMOVED = "removed", "Removed by moderation"


class Tag(models.Model):
    name = models.SlugField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


class PostQuerySet(models.QuerySet["Post"]):
    def published(self) -> PostQuerySet:
        return self.filter(status=PostStatus.PUBLISHED)

    def visible_to(self, user: object) -> PostQuerySet:
        """Published posts, plus the viewer's own in any state."""
        if getattr(user, "is_authenticated", False):
            return self.filter(Q(status=PostStatus.PUBLISHED) | Q(creator=user))
        return self.published()


class Post(models.Model):
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=10_000)
    # Sanitised HTML rendered from the Markdown description at save time.
    description_html = models.TextField(blank=True)
    tool = models.CharField(max_length=32)
    rating = models.CharField(max_length=16, choices=ContentRating.choices, default=ContentRating.GENERAL)
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.PROCESSING)
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    # Denormalised for one-query lists and the search column (kept by services).
    tag_names = models.JSONField(default=list, blank=True)
    creator_handle = models.CharField(max_length=32)
    search_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(default=timezone.now)
    like_count = models.PositiveIntegerField(default=0)
    sale_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    trending_score = models.FloatField(default=0.0)
    top_score = models.PositiveIntegerField(default=0)
    # Product facets, kept by the recipes/blueprints/commerce services for filtering.
    has_recipe = models.BooleanField(default=False)
    has_blueprint = models.BooleanField(default=False)
    has_verified_blueprint = models.BooleanField(default=False)
    base_model = models.CharField(max_length=24, blank=True)
    # Lowest price of what the post sells, in minor units; null when it sells nothing.
    min_price_minor = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="usd")

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(F("published_at").desc(), F("id").desc(), name="post_new_idx"),
            models.Index(F("trending_score").desc(), F("id").desc(), name="post_trending_idx"),
            models.Index(F("top_score").desc(), F("id").desc(), name="post_top_idx"),
            models.Index(fields=["creator", "-published_at"], name="post_creator_idx"),
            models.Index(fields=["tool", "-published_at"], name="post_tool_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def refresh_scores(self) -> None:
        self.trending_score = trending_score(
            likes=self.like_count, sales=self.sale_count, published_at=self.published_at
        )
        self.top_score = self.like_count + SALE_WEIGHT * self.sale_count


_URL_PROBE = "kiln-url-probe.webp"


def public_url_prefix() -> str | None:
    """What public storage puts before a file's path in its URL ("/media/", a CDN origin).

    Public files are unsigned, so every URL is this prefix plus the quoted path. Asking the
    storage once per storage object instead of per file matters on S3, where ``url()`` runs
    boto3's presigner: a gallery page shows 24 images with 4 widths each. None: a storage
    whose URLs are not prefix + path; ask it file by file.
    """
    storage = public_storage()
    if not hasattr(storage, "_kiln_url_prefix"):
        probe = storage.url(_URL_PROBE)
        prefix = probe.removesuffix(_URL_PROBE) if probe.endswith(_URL_PROBE) else None
        storage._kiln_url_prefix = prefix  # type: ignore[attr-defined]
    return storage._kiln_url_prefix  # type: ignore[attr-defined,no-any-return]


class PostImage(models.Model):
    """The private original and the public, metadata-free WebP derivatives."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="image")
    original = models.FileField(upload_to="originals/%Y/%m/", storage=private_storage)
    original_format = models.CharField(max_length=8)
    original_sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # {"320": "posts/ab/cd.../320.webp", ...}; keys are widths in pixels.
    derivatives = models.JSONField(default=dict, blank=True)
    # A tiny blurred WebP as a data: URI, inlined so the grid paints before images load.
    placeholder = models.TextField(blank=True)
    dominant_color = models.CharField(max_length=7, default="#222222")

    def __str__(self) -> str:
        return f"image of post {self.post_id}"

    def derivative_urls(self) -> dict[int, str]:
        prefix = public_url_prefix()
        storage = public_storage()
        return {
            int(width): prefix + filepath_to_uri(path) if prefix is not None else storage.url(path)
            for width, path in sorted(self.derivatives.items(), key=lambda kv: int(kv[0]))
        }


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="like_once")]


class Follow(models.Model):
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "creator"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("creator")), name="no_self_follow"),
        ]
