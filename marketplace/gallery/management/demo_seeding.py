"""Create the demo gallery through the real services, idempotently.

Every write goes through ``accounts.services`` and ``gallery.services`` (the same paths a
person takes), and every step first looks for what it would create: users by handle, posts by
(creator, title), likes and follows by their pairs. Running it twice changes nothing.

Extension points for later issues: ``POST_EXTRAS`` holds functions called for every demo post
after its image is processed (``add_demo_recipe``, ``add_demo_blueprint``); each must be
idempotent, and ``DemoPost.sells_recipe`` / ``sells_blueprint`` say which posts to stock.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction

from marketplace.accounts import services as account_services
from marketplace.accounts.models import CreatorProfile, User
from marketplace.gallery import demo_art, services
from marketplace.gallery.management.demo_catalog import (
    BUYER,
    DEFAULT_POST_COUNT,
    DEMO,
    DEMO_PASSWORD,
    DemoAccount,
    DemoPost,
    follows,
    likes_for,
    post_specs,
    posting_accounts,
)
from marketplace.gallery.models import Follow, Like, Post, PostStatus

AVATAR_SIZE = 192
Log = Callable[[str], None]
PostExtra = Callable[[Post, DemoPost], None]


@dataclass
class SeedSummary:
    users_created: int = 0
    users_total: int = 0
    posts_created: int = 0
    posts_total: int = 0
    posts_published: int = 0
    posts_failed: list[str] = field(default_factory=list)
    likes_created: int = 0
    follows_created: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        lines = [
            f"users:   {self.users_total} ({self.users_created} new)",
            f"posts:   {self.posts_total} ({self.posts_created} new, "
            f"{self.posts_published} published)",
            f"likes:   {self.likes_created} new",
            f"follows: {self.follows_created} new",
            f"took {self.seconds:.1f} s",
        ]
        if self.posts_failed:
            lines.append(f"FAILED images: {', '.join(self.posts_failed)}")
        return lines


# --- Extension points ------------------------------------------------------------------------


def _demo_recipe_text(spec: DemoPost) -> str:
    """A pasted block in the tool's own format, parsed by the same code creators use."""
    subject = f"{spec.title.lower()}, {', '.join(spec.tags[:3])}, highly detailed, soft light"
    if spec.tool == "midjourney":
        return f"{subject} --ar 4:5 --stylize {150 + spec.index * 7 % 500} --v 6.1 --style raw"
    if spec.tool in {"automatic1111", "comfyui", "stable-diffusion"}:
        return (
            f"{subject}, <lora:film_grain:0.6>\n"
            "Negative prompt: blurry, lowres, watermark\n"
            f"Steps: {20 + spec.index % 10}, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, "
            f"Seed: {1000 + spec.art_seed}, Size: 832x1216, Model hash: 6ce0161689, Model: sdxl_base_1.0"
        )
    return subject


_STAND_IN_UNREACHABLE: list[bool] = []


def _demo_seller_ready(user: User) -> bool:
    """Whether ``user`` may sell paid items, onboarding them on the Stripe stand-in if it runs.

    scripts/demo starts the stand-in before seeding; without it (tests, a bare seed) demo
    Recipes are free. One failed attempt is remembered so seeding does not keep retrying.
    """
    from marketplace.commerce.services.connect import seller_can_charge

    if seller_can_charge(user=user):
        return True
    if _STAND_IN_UNREACHABLE:
        return False
    from django.core.management import call_command

    try:
        call_command("commerce_standin_payouts", user.username, verbosity=0)
    except Exception:  # the stand-in is not running: any error means "not now"
        _STAND_IN_UNREACHABLE.append(True)
        return False
    user.profile.refresh_from_db()
    return seller_can_charge(user=user)


def add_demo_recipe(post: Post, spec: DemoPost) -> None:
    """Attach a Recipe to posts with ``spec.sells_recipe``, through the real services.

    Every other Recipe is paid when its creator can be onboarded on the Stripe stand-in (so a
    visitor can try a purchase), the rest are free. Idempotent.
    """
    if not spec.sells_recipe:
        return
    from marketplace.recipes.models import Recipe
    from marketplace.recipes.services import recipe_upsert

    if Recipe.objects.filter(post=post).exists():
        return
    paid = spec.index % 2 == 0 and _demo_seller_ready(post.creator)
    recipe_upsert(
        post=post,
        user=post.creator,
        data={
            "pasted": _demo_recipe_text(spec),
            "notes": "Generated with the demo data. Try the **paste to fill** box on your own posts.",
            "price": {"amount": 199 + 100 * (spec.index % 4) if paid else 0, "currency": "usd"},
        },
    )


def add_demo_blueprint(post: Post, spec: DemoPost) -> None:
    """Attach a verified Blueprint to posts with ``spec.sells_blueprint`` (Blueprints issue).

    Must be idempotent, and must not need a GPU: use a pre-recorded verification.
    """


POST_EXTRAS: list[PostExtra] = [add_demo_recipe, add_demo_blueprint]


# --- Steps -----------------------------------------------------------------------------------


def ensure_accounts(*, summary: SeedSummary) -> dict[str, User]:
    """The demo creators, ``demo`` and ``buyer``, with bios and generated avatars."""
    users: dict[str, User] = {}
    for position, account in enumerate((*posting_accounts(), BUYER)):
        user = User.objects.filter(username=account.handle).first()
        if user is None:
            user = account_services.user_create(
                email=account.email,
                username=account.handle,
                password=DEMO_PASSWORD,
                display_name=account.display_name,
            )
            account_services.profile_update(
                profile=user.profile, display_name=account.display_name, bio=account.bio
            )
            summary.users_created += 1
        _ensure_avatar(profile=user.profile, account=account, seed=position)
        users[account.handle] = user
    summary.users_total = len(users)
    return users


def _ensure_avatar(*, profile: CreatorProfile, account: DemoAccount, seed: int) -> None:
    # No avatar service exists yet; a generated PNG carries no metadata to strip.
    if profile.avatar:
        return
    kind = account.kinds[0] if account.kinds else "gradient-bokeh"
    artwork = demo_art.render(seed=9_000 + seed, kind=kind, long_side=AVATAR_SIZE, aspect=(1, 1))
    data = demo_art.encode(artwork.image, image_format="PNG")
    profile.avatar.save(f"{account.handle}.png", ContentFile(data), save=False)
    CreatorProfile.objects.filter(pk=profile.pk).update(avatar=profile.avatar.name)


@contextmanager
def _images_processed_inline(enabled: bool) -> Iterator[None]:
    """Run the media task in this process at commit, so no broker message is left behind.

    ``post_create`` enqueues ``process_post_image`` on commit; with eager Celery that call runs
    ``services.post_image_process`` right here instead of waiting for a worker.
    """
    from marketplace.celery import app

    before = app.conf.task_always_eager
    # Eager tasks log a line each; the command prints its own progress instead.
    quiet = [logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")]
    levels = [logger.level for logger in quiet]
    app.conf.task_always_eager = before or enabled
    for logger in quiet:
        logger.setLevel(logging.ERROR if enabled else logger.level)
    try:
        yield
    finally:
        app.conf.task_always_eager = before
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


def _rendered(specs: list[DemoPost], *, jobs: int, art_size: int | None) -> Iterator[bytes]:
    """JPEG uploads for ``specs`` in order; rendered ahead in worker processes when jobs > 1."""
    work = [(spec.art_seed, spec.art_kind, spec.palette, art_size) for spec in specs]
    if jobs <= 1 or len(work) < 4:
        for job in work:
            yield demo_art.render_upload(job)
        return
    # spawn, not fork: the parent holds database connections and threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(demo_art.render_upload, work, chunksize=2)


def ensure_posts(
    *,
    users: dict[str, User],
    specs: list[DemoPost],
    sync: bool,
    jobs: int,
    art_size: int | None,
    log: Log,
    summary: SeedSummary,
) -> dict[int, Post]:
    """Create the missing demo posts; with ``sync`` their images are processed before return."""
    handles = [account.handle for account in posting_accounts()]
    existing = {
        (post.creator_handle, post.title): post
        for post in Post.objects.filter(creator__username__in=handles)
    }
    posts: dict[int, Post] = {}
    missing = [spec for spec in specs if (spec.creator, spec.title) not in existing]
    for spec in specs:
        if (spec.creator, spec.title) in existing:
            posts[spec.index] = existing[(spec.creator, spec.title)]
    with _images_processed_inline(sync):
        for spec, upload in zip(
            missing, _rendered(missing, jobs=jobs, art_size=art_size), strict=True
        ):
            post = services.post_create(
                creator=users[spec.creator],
                title=spec.title,
                description=spec.description,
                tool=spec.tool,
                tags=list(spec.tags),
                rating=spec.rating,
                image_bytes=upload,
                image_name=f"{spec.art_kind}-{spec.art_seed}.jpg",
            )
            posts[spec.index] = post
            summary.posts_created += 1
            if summary.posts_created % 12 == 0:
                log(f"  {summary.posts_created}/{len(missing)} new posts")
    if sync:
        _process_pending(posts=list(posts.values()), summary=summary)
    for spec in specs:
        posts[spec.index].refresh_from_db()
        if posts[spec.index].status == PostStatus.PUBLISHED:
            summary.posts_published += 1
    summary.posts_total = len(posts)
    return posts


def _process_pending(*, posts: list[Post], summary: SeedSummary) -> None:
    """Process images still waiting for the media task (an interrupted run, or inside a test
    transaction where on-commit hooks never fire)."""
    pending = Post.objects.filter(pk__in=[post.pk for post in posts], status=PostStatus.PROCESSING)
    for post_id, title in pending.values_list("id", "title"):
        try:
            services.post_image_process(post_id=post_id)
        except services.PostError:
            summary.posts_failed.append(title)


def ensure_engagement(
    *, users: dict[str, User], posts: dict[int, Post], specs: list[DemoPost], summary: SeedSummary
) -> None:
    """Likes and follows from the catalog, each created once through the services."""
    liked = set(
        Like.objects.filter(post__in=posts.values()).values_list("user__username", "post_id")
    )
    for handle, index in likes_for(specs):
        post = posts[index]
        if post.status != PostStatus.PUBLISHED or (handle, post.pk) in liked:
            continue
        if services.post_like(user=users[handle], post=post):
            summary.likes_created += 1
    followed = set(
        Follow.objects.filter(follower__in=users.values()).values_list(
            "follower__username", "creator__username"
        )
    )
    for follower, creator in follows():
        if (follower, creator) in followed:
            continue
        if services.creator_follow(follower=users[follower], creator=users[creator]):
            summary.follows_created += 1


def seed_demo(
    *,
    post_count: int = DEFAULT_POST_COUNT,
    sync: bool = True,
    jobs: int = 1,
    art_size: int | None = None,
    log: Log = lambda _line: None,
) -> SeedSummary:
    """Create (or complete) the demo gallery: accounts, ``post_count`` posts, likes, follows.

    ``sync``: process images in this process so the gallery is complete on return; without it
    the CPU worker's media queue publishes the posts. ``jobs``: processes rendering the art.
    ``art_size``: long side of new images (default: 768 to 1024 pixels, varying per post).
    """
    started = time.monotonic()
    summary = SeedSummary()
    specs = post_specs(post_count)
    users = ensure_accounts(summary=summary)
    log(f"accounts ready; creating up to {len(specs)} posts")
    posts = ensure_posts(
        users=users, specs=specs, sync=sync, jobs=jobs, art_size=art_size, log=log, summary=summary
    )
    for spec in specs:
        post = posts[spec.index]
        if post.status == PostStatus.PUBLISHED:
            for extra in POST_EXTRAS:
                with transaction.atomic():
                    extra(post, spec)
    ensure_engagement(users=users, posts=posts, specs=specs, summary=summary)
    summary.seconds = time.monotonic() - started
    return summary


__all__ = [
    "DEMO",
    "POST_EXTRAS",
    "SeedSummary",
    "add_demo_blueprint",
    "add_demo_recipe",
    "seed_demo",
]
