"""The gallery's HTML pages: index, post, creator, upload, likes and follows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.accounts.models import CreatorProfile, User
from marketplace.gallery import services
from marketplace.gallery.models import Follow, Like, Post, PostStatus
from marketplace.gallery.templatetags import kiln as kiln_filters
from marketplace.gallery.views import PAGE_SIZE
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db

MakePost = Callable[..., Post]
CARD_LINK = re.compile(r'<a class="card__link" href="/posts/(\d+)/"')


def card_ids(html: str) -> list[int]:
    """Post ids of the cards of a page, in page order."""
    return [int(match) for match in CARD_LINK.findall(html)]


def field_errors(html: str, field: str) -> list[str]:
    """The error messages a page shows next to ``field`` (see templates/includes/_field.html)."""
    block = re.search(rf'<div class="field__errors" id="id_{field}_error">(.*?)</div>', html, re.S)
    if block is None:
        return []
    return [
        unescape(text) for text in re.findall(r'<p class="field__error">(.*?)</p>', block.group(1))
    ]


def next_link(html: str) -> str | None:
    match = re.search(r'href="([^"]*)" data-load-more', html)
    return match.group(1).replace("&amp;", "&") if match else None


def spread_posts(make_post: MakePost, creator: User, count: int, **fields: Any) -> list[Post]:
    """``count`` published posts, one minute apart (the newest last)."""
    posts = [make_post(creator, title=f"Post {index}", **fields) for index in range(count)]
    start = timezone.now() - timedelta(hours=1)
    for index, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(published_at=start + timedelta(minutes=index))
    return posts


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Index -------------------------------------------------------------------------------------


def test_index_shows_published_posts_newest_first_to_anonymous_visitors(
    client: Client, owner: User, make_post: MakePost
) -> None:
    older, newer = spread_posts(make_post, owner, 2)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert card_ids(html) == [newer.pk, older.pk]
    assert "Post 1" in html
    assert "@owner" in html
    assert next_link(html) is None


def test_index_cards_carry_srcset_size_and_dominant_colour_placeholder(
    client: Client, owner: User, make_post: MakePost
) -> None:
    make_post(owner, image_bytes=png_bytes(size=(800, 600), color=(10, 120, 200)))

    html = client.get("/").content.decode()

    image = Post.objects.get().image
    assert f'width="{image.width}" height="{image.height}"' in html
    assert 'srcset="/media/posts/' in html and " 320w, " in html and " 800w" in html
    assert f"background-color: {image.dominant_color};" in html
    assert "background-image: url('data:image/webp;base64," in html
    # The first row loads at once (it paints the page); later cards load lazily.
    assert 'loading="eager"' in html


def test_index_lazy_loads_cards_after_the_first_row(
    client: Client, owner: User, make_post: MakePost
) -> None:
    spread_posts(make_post, owner, 6)

    html = client.get("/").content.decode()

    assert html.count('loading="eager"') == 4
    assert html.count('loading="lazy"') == 2


def test_index_hides_posts_whose_image_is_still_processing(client: Client, owner: User) -> None:
    # Without running on-commit callbacks the media task never runs: the post stays processing.
    services.post_create(
        creator=owner,
        title="Not ready",
        description="",
        tool="flux",
        tags="",
        image_bytes=png_bytes(),
        image_name="a.png",
    )

    html = client.get("/").content.decode()

    assert card_ids(html) == []
    assert "Not ready" not in html
    assert "No posts found" in html


def test_index_with_thirty_posts_takes_at_most_four_queries_for_a_logged_in_user(
    owner: User, make_post: MakePost, django_assert_max_num_queries: Any
) -> None:
    spread_posts(make_post, owner, 30)
    client = logged_in(owner)

    with django_assert_max_num_queries(4):
        response = client.get("/?sort=trending&tool=comfyui&tag=landscape&q=post")

    assert response.status_code == 200
    assert len(card_ids(response.content.decode())) == PAGE_SIZE


def test_load_more_link_returns_the_next_page_without_overlap(
    client: Client, owner: User, make_post: MakePost
) -> None:
    posts = spread_posts(make_post, owner, PAGE_SIZE + 6)
    newest_first = [post.pk for post in reversed(posts)]

    first = client.get("/?tool=comfyui").content.decode()
    link = next_link(first)
    assert link is not None and "tool=comfyui" in link and "cursor=" in link
    second = client.get("/" + link).content.decode()

    assert card_ids(first) == newest_first[:PAGE_SIZE]
    assert card_ids(second) == newest_first[PAGE_SIZE:]
    assert next_link(second) is None
    assert "Back to the first page" in second


def test_sort_top_orders_by_likes(
    client: Client, owner: User, stranger: User, make_post: MakePost
) -> None:
    older, newer = spread_posts(make_post, owner, 2)
    services.post_like(user=stranger, post=older)

    new_order = card_ids(client.get("/?sort=new").content.decode())
    top_order = card_ids(client.get("/?sort=top").content.decode())

    assert new_order == [newer.pk, older.pk]
    assert top_order == [older.pk, newer.pk]


def test_sort_tabs_keep_filters_and_mark_the_current_sort(client: Client) -> None:
    html = client.get("/?sort=top&tool=flux").content.decode()

    assert 'href="?sort=new&amp;tool=flux"' in html
    assert 'href="?sort=top&amp;tool=flux" aria-current="page"' in html


@pytest.mark.parametrize(
    ("query", "expected_titles"),
    [
        ("tool=midjourney", ["Moon"]),
        ("tag=ocean", ["Sea"]),
        ("creator=stranger", ["Sea"]),
        ("rating=mature", ["Sea"]),
        ("q=moon", ["Moon"]),
        ("has=recipe", ["Moon"]),
        ("has=verified", ["Sea"]),
        ("min_price=4.99", ["Moon"]),
        ("max_price=5", ["Moon"]),
        ("min_price=5.01", []),
        ("max_price=4.98", []),
    ],
)
def test_filters_narrow_the_grid(
    client: Client,
    owner: User,
    stranger: User,
    make_post: MakePost,
    query: str,
    expected_titles: list[str],
) -> None:
    moon = make_post(owner, title="Moon", tool="midjourney", tags="night")
    sea = make_post(stranger, title="Sea", tool="flux", tags="ocean", rating="mature")
    Post.objects.filter(pk=moon.pk).update(has_recipe=True, min_price_minor=499)
    Post.objects.filter(pk=sea.pk).update(has_blueprint=True, has_verified_blueprint=True)
    titles = {moon.pk: "Moon", sea.pk: "Sea"}

    response = client.get(f"/?{query}")

    assert response.status_code == 200
    assert sorted(titles[pk] for pk in card_ids(response.content.decode())) == expected_titles


def test_cards_show_recipe_price_and_verified_badges(
    client: Client, owner: User, make_post: MakePost
) -> None:
    post = make_post(owner, tool="midjourney")
    Post.objects.filter(pk=post.pk).update(
        has_recipe=True, min_price_minor=1250, has_blueprint=True, has_verified_blueprint=True
    )

    html = client.get("/").content.decode()

    assert '<li class="badge badge--tool" title="Midjourney">Midjourney</li>' in html
    assert '<li class="badge badge--recipe">Recipe $12.50</li>' in html
    assert "Verified</li>" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tool=photoshop", "Unknown tool 'photoshop'"),
        ("sort=oldest", "Unknown sort 'oldest'"),
        ("has=nft", "Unknown product filter 'nft'"),
        ("min_price=cheap", "Min price 'cheap' is not an amount"),
        ("max_price=-3", "Max price '-3' is out of range"),
        ("max_price=1.234", "Max price '1.234' is out of range"),
        ("cursor=not-a-cursor", "The cursor is not valid"),
    ],
)
def test_bad_filter_values_show_a_friendly_message(
    client: Client, query: str, message: str
) -> None:
    response = client.get(f"/?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters could not be applied." in html
    assert message in html.replace("&#x27;", "'")


def test_search_box_keeps_the_query_and_titles_the_page(
    client: Client, owner: User, make_post: MakePost
) -> None:
    make_post(owner, title="Copper harbour")

    html = client.get("/?q=copper").content.decode()

    assert "Results for “copper”" in html
    assert 'name="q" value="copper"' in html
    assert len(card_ids(html)) == 1


# --- Post page ---------------------------------------------------------------------------------


def test_post_page_shows_image_creator_description_tags_and_product_sections(
    client: Client, owner: User, make_post: MakePost
) -> None:
    post = make_post(owner, description="Warm light over **sand**.", tags="landscape, dunes")

    response = client.get(f"/posts/{post.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="post__title">Amber dunes at dusk</h1>' in html
    assert 'class="post__image"' in html and 'srcset="/media/posts/' in html
    assert "<strong>sand</strong>" in html
    assert 'href="/?tag=landscape">#landscape</a>' in html
    assert 'href="/creators/owner/"' in html
    assert 'id="product-recipe-title">Recipe</h3>' in html
    assert 'id="product-blueprint-title">Blueprint</h3>' in html
    assert "ComfyUI" in html


def test_post_page_lists_the_creators_other_posts(
    client: Client, owner: User, make_post: MakePost
) -> None:
    shown, other = spread_posts(make_post, owner, 2)

    html = client.get(f"/posts/{shown.pk}/").content.decode()

    assert card_ids(html) == [other.pk]


def test_unknown_post_is_a_404_page(client: Client) -> None:
    response = client.get("/posts/999999/")

    assert response.status_code == 404
    assert "This page is not in the gallery" in response.content.decode()


def test_processing_post_is_visible_to_its_owner_only_with_a_notice(
    owner: User, stranger: User
) -> None:
    post = services.post_create(
        creator=owner,
        title="Fresh",
        description="",
        tool="flux",
        tags="",
        image_bytes=png_bytes(),
        image_name="a.png",
    )

    as_owner = logged_in(owner).get(f"/posts/{post.pk}/")
    as_stranger = logged_in(stranger).get(f"/posts/{post.pk}/")
    as_anonymous = Client().get(f"/posts/{post.pk}/")

    assert as_owner.status_code == 200
    assert "Kiln is preparing the public copy of your image" in as_owner.content.decode()
    assert as_stranger.status_code == 404
    assert as_anonymous.status_code == 404


# --- Likes and follows -------------------------------------------------------------------------


def test_like_then_unlike_with_plain_forms_redirects_back(
    owner: User, stranger: User, make_post: MakePost
) -> None:
    post = make_post(owner)
    client = logged_in(stranger)
    url = reverse("gallery:post-like", args=[post.pk])

    liked = client.post(url, {"action": "like", "next": f"/posts/{post.pk}/"})
    post.refresh_from_db()
    count_after_like = post.like_count
    page = client.get(f"/posts/{post.pk}/").content.decode()
    unliked = client.post(url, {"action": "unlike"})
    post.refresh_from_db()

    assert liked.status_code == 302 and liked["Location"] == f"/posts/{post.pk}/"
    assert count_after_like == 1
    assert 'aria-pressed="true"' in page and 'name="action" value="unlike"' in page
    assert unliked.status_code == 302
    assert post.like_count == 0
    assert not Like.objects.exists()


def test_liking_twice_counts_once_and_answers_json_when_asked(
    owner: User, stranger: User, make_post: MakePost
) -> None:
    post = make_post(owner)
    client = logged_in(stranger)
    url = reverse("gallery:post-like", args=[post.pk])

    client.post(url, {"action": "like"}, headers={"accept": "application/json"})
    response = client.post(url, {"action": "like"}, headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response.json() == {"liked": True, "like_count": 1}


def test_anonymous_like_goes_to_log_in_and_changes_nothing(
    client: Client, owner: User, make_post: MakePost
) -> None:
    post = make_post(owner)

    response = client.post(reverse("gallery:post-like", args=[post.pk]), {"action": "like"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/posts/{post.pk}/"
    assert not Like.objects.exists()


def test_like_with_an_unknown_action_is_refused(
    owner: User, stranger: User, make_post: MakePost
) -> None:
    post = make_post(owner)

    response = logged_in(stranger).post(
        reverse("gallery:post-like", args=[post.pk]), {"action": "love"}
    )

    assert response.status_code == 400
    assert not Like.objects.exists()


def test_follow_and_unfollow_a_creator(owner: User, stranger: User) -> None:
    client = logged_in(stranger)
    url = reverse("gallery:creator-follow", args=["owner"])

    followed = client.post(url, {"action": "follow"}, headers={"accept": "application/json"})
    page = client.get("/creators/owner/").content.decode()
    unfollowed = client.post(url, {"action": "unfollow"})

    assert followed.json() == {"following": True, "follower_count": 1}
    assert 'name="action" value="unfollow"' in page
    assert unfollowed.status_code == 302 and unfollowed["Location"] == "/creators/owner/"
    assert not Follow.objects.exists()
    assert CreatorProfile.objects.get(handle="owner").follower_count == 0


def test_following_yourself_shows_a_message_and_changes_nothing(owner: User) -> None:
    client = logged_in(owner)

    response = client.post(
        reverse("gallery:creator-follow", args=["owner"]), {"action": "follow"}, follow=True
    )

    assert "You cannot follow yourself." in response.content.decode()
    assert not Follow.objects.exists()


# --- Creator page ------------------------------------------------------------------------------


def test_creator_page_shows_profile_and_only_their_posts(
    client: Client, owner: User, stranger: User, make_post: MakePost
) -> None:
    mine = make_post(owner, title="Mine")
    make_post(stranger, title="Theirs")
    CreatorProfile.objects.filter(handle="owner").update(bio="I paint with light.")

    response = client.get("/creators/owner/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="profile__name" id="profile-name">Owner</h1>' in html
    assert "I paint with light." in html
    assert card_ids(html) == [mine.pk]
    follow_link = 'href="/accounts/login/?next=/creators/owner/">Follow</a>'
    assert follow_link in html


def test_creator_page_paginates_with_the_cursor(
    client: Client, owner: User, make_post: MakePost
) -> None:
    posts = spread_posts(make_post, owner, PAGE_SIZE + 2)

    first = client.get("/creators/owner/").content.decode()
    link = next_link(first)
    assert link is not None
    second = client.get("/creators/owner/" + link).content.decode()

    assert card_ids(second) == [posts[1].pk, posts[0].pk]
    assert set(card_ids(first)).isdisjoint(card_ids(second))


def test_unknown_creator_is_a_404(client: Client) -> None:
    assert client.get("/creators/nobody-here/").status_code == 404


# --- Upload ------------------------------------------------------------------------------------


def test_upload_page_requires_log_in(client: Client) -> None:
    response = client.get("/posts/new/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/posts/new/"


def test_upload_page_lists_the_fourteen_tools(owner: User) -> None:
    html = logged_in(owner).get("/posts/new/").content.decode()

    assert len(re.findall(r'<option value="[a-z0-9-]+"', html)) == 14 + 2  # tools + two ratings


def test_upload_creates_a_post_and_shows_it_to_its_owner(
    owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner)
    image = _upload("harbour.png", png_bytes(size=(320, 200)))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/posts/new/",
            {
                "image": image,
                "title": "Harbour",
                "description": "*Calm*",
                "tool": "automatic1111",
                "tags": "sea, boats",
                "rating": "general",
            },
        )

    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    assert (post.creator, post.title, post.tool, post.tag_names) == (
        owner,
        "Harbour",
        "automatic1111",
        ["sea", "boats"],
    )
    assert post.status == PostStatus.PUBLISHED


def test_upload_errors_are_shown_next_to_their_field(owner: User) -> None:
    client = logged_in(owner)

    response = client.post(
        "/posts/new/",
        {
            "image": _upload("fake.png", b"not an image at all"),
            "title": "Broken",
            "tool": "flux",
            "rating": "general",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "image") == [
        "The file is not an image Kiln can read; accepted formats are PNG, JPEG and WebP."
    ]
    assert not Post.objects.exists()


def test_upload_without_a_tool_names_the_tool_field(owner: User) -> None:
    response = logged_in(owner).post(
        "/posts/new/",
        {
            "image": _upload("a.png", png_bytes()),
            "title": "No tool",
            "tool": "",
            "rating": "general",
        },
    )

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "tool") == ["This field is required."]
    assert not Post.objects.exists()


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- Layout ------------------------------------------------------------------------------------


def test_layout_shows_account_menu_when_logged_in_and_sign_up_when_not(
    client: Client, owner: User
) -> None:
    anonymous = client.get("/").content.decode()
    member = logged_in(owner).get("/").content.decode()

    assert 'href="/accounts/signup/"' in anonymous and "Account menu" not in anonymous
    assert (
        'aria-label="Account menu for owner"' in member and 'href="/accounts/signup/"' not in member
    )
    assert 'href="/api/v1/docs/"' in anonymous


def test_500_template_renders_without_a_request(client: Client) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something cracked in the kiln" in html


# --- Template filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (499, "usd", "$4.99"),
        (100000, "eur", "€1000.00"),
        (1200, "jpy", "¥1200"),
        (250, "chf", "2.50 CHF"),
    ],
)
def test_money_filter_formats_minor_units(amount: int, currency: str, shown: str) -> None:
    assert kiln_filters.money(amount, currency) == shown


@pytest.mark.parametrize(
    ("width", "height", "rows"), [(800, 600, 15), (600, 800, 27), (3000, 500, 14), (500, 3000, 36)]
)
def test_tiles_keep_the_aspect_ratio_within_bounds(width: int, height: int, rows: int) -> None:
    assert kiln_filters.tile_rows({"width": width, "height": height}) == rows


def test_anonymous_like_through_fetch_gets_a_401_with_the_log_in_address(
    client: Client, owner: User, make_post: MakePost
) -> None:
    post = make_post(owner)

    response = client.post(
        reverse("gallery:post-like", args=[post.pk]),
        {"action": "like"},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "Log in first.", "login_url": "/accounts/login/"}
    assert not Like.objects.exists()


def test_price_filter_says_free_for_zero_and_formats_money() -> None:
    from marketplace.gallery.templatetags.kiln import price

    assert price({"amount": 0, "currency": "usd"}) == "Free"
    assert price({"amount": 499, "currency": "usd"}) == "$4.99"
    assert price(None) == ""
