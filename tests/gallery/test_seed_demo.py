"""``manage.py seed_demo``: demo accounts, published posts with generated art, idempotent."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from marketplace.accounts.models import CreatorProfile, User
from marketplace.gallery import demo_art
from marketplace.gallery.management.demo_catalog import (
    DEMO_OWNS_EVERY,
    follows,
    likes_for,
    post_specs,
)
from marketplace.gallery.models import Follow, Like, Post, PostImage, PostStatus, Tag
from marketplace.recipes.tools import TOOLS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Ten accounts per seed run: the production hasher would dominate the test's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(posts: int) -> str:
    stdout = io.StringIO()
    # Small images keep the test fast; the full-size path is the same code.
    call_command(
        "seed_demo", "--posts", str(posts), "--jobs", "1", "--art-size", "160", stdout=stdout
    )
    return stdout.getvalue()


def table_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "profiles": CreatorProfile.objects.count(),
        "posts": Post.objects.count(),
        "images": PostImage.objects.count(),
        "tags": Tag.objects.count(),
        "likes": Like.objects.count(),
        "follows": Follow.objects.count(),
    }


@pytest.mark.django_db
def test_demo_and_buyer_log_in_with_the_published_password() -> None:
    seed(posts=2)

    demo = authenticate(username="demo@kiln.test", password="kiln-demo")
    buyer = authenticate(username="buyer@kiln.test", password="kiln-demo")

    assert demo is not None and demo.username == "demo"
    assert buyer is not None and buyer.username == "buyer"
    assert demo.profile.display_name == "Demo Creator"
    assert demo.profile.avatar.name.startswith("avatars/demo")
    assert demo.profile.avatar.name.endswith(".png")


@pytest.mark.django_db
def test_running_twice_creates_nothing_the_second_time() -> None:
    seed(posts=4)
    first = table_counts()
    first_posts = dict(Post.objects.values_list("id", "like_count"))

    output = seed(posts=4)

    assert table_counts() == first
    assert dict(Post.objects.values_list("id", "like_count")) == first_posts
    assert "posts:   4 (0 new, 4 published)" in output
    assert "likes:   0 new" in output
    assert "follows: 0 new" in output


@pytest.mark.django_db
def test_posts_are_published_with_public_derivatives_and_catalog_engagement() -> None:
    specs = post_specs(DEMO_OWNS_EVERY)

    seed(posts=DEMO_OWNS_EVERY)

    posts = Post.objects.select_related("image").order_by("id")
    assert [post.title for post in posts] == [spec.title for spec in specs]
    assert {post.status for post in posts} == {PostStatus.PUBLISHED}
    assert all(post.image.derivatives and post.image.placeholder for post in posts)
    assert [post.creator_handle for post in posts][-1] == "demo"
    assert [post.tool for post in posts] == [spec.tool for spec in specs]
    assert Like.objects.count() == len(likes_for(specs))
    assert sum(post.like_count for post in posts) == len(likes_for(specs))
    assert Follow.objects.count() == len(follows())


@pytest.mark.django_db
def test_a_larger_count_adds_posts_and_keeps_the_existing_ones() -> None:
    seed(posts=2)
    kept = list(Post.objects.order_by("id").values_list("id", "title"))

    seed(posts=3)

    assert list(Post.objects.order_by("id").values_list("id", "title"))[:2] == kept
    assert Post.objects.count() == 3


def test_the_catalog_is_deterministic_and_covers_every_tool_and_both_ratings() -> None:
    specs = post_specs()

    assert post_specs(10) == specs[:10]
    assert len(specs) >= 60
    assert {spec.tool for spec in specs} == set(TOOLS)
    assert {spec.rating for spec in specs} == {"general", "mature"}
    assert len({(spec.creator, spec.title) for spec in specs}) == len(specs)
    assert {spec.art_kind for spec in specs} == set(demo_art.GENERATORS)
    assert any(spec.creator == "demo" for spec in specs)


@pytest.mark.parametrize("kind", sorted(demo_art.GENERATORS))
def test_every_art_kind_is_reproducible_from_its_seed(kind: Any) -> None:
    first = demo_art.render(seed=7, kind=kind, long_side=256, aspect=(4, 3))
    second = demo_art.render(seed=7, kind=kind, long_side=256, aspect=(4, 3))
    other = demo_art.render(seed=8, kind=kind, long_side=256, aspect=(4, 3))

    assert first.size == (256, 192)
    assert first.image.tobytes() == second.image.tobytes()
    assert first.image.tobytes() != other.image.tobytes()
