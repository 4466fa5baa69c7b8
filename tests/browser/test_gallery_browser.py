"""The gallery in a real browser: headless Chromium (Debian package) driven by Playwright."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from PIL import Image, ImageDraw

from marketplace.accounts.models import User
from marketplace.gallery.models import Post
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MakePost = Callable[..., Post]


def gradient_png(
    *, size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> bytes:
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        mix = y / (size[1] - 1)
        draw.line(
            [(0, y), (size[0], y)],
            fill=tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def browser_page(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, so Django refuses ORM calls
    # here (fixtures, asserts) although nothing runs concurrently: the page calls block.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
        # The ORM connection opened while Playwright's loop ran belongs to that context:
        # close it here, or the test database cannot be dropped at the end of the session.
        connections.close_all()


def image_loaded(page: Any, selector: str) -> bool:
    """True once the first ``selector`` image has decoded real pixels."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i?.complete && i.naturalWidth > 0; }",
        arg=selector,
    )
    return bool(page.eval_on_selector(selector, "i => i.naturalWidth > 0"))


def test_visitor_browses_searches_and_opens_a_post(
    browser_page: Any, live_server: Any, owner: User, make_post: MakePost
) -> None:
    page = browser_page
    make_post(
        owner,
        title="Violet tide",
        image_bytes=gradient_png(size=(640, 800), top=(60, 20, 90), bottom=(10, 10, 30)),
    )
    copper = make_post(
        owner,
        title="Copper harbour at dawn",
        tags="harbour, dawn",
        image_bytes=gradient_png(size=(800, 600), top=(240, 160, 90), bottom=(40, 30, 60)),
    )

    page.goto(live_server.url + "/")
    assert page.locator(".card").count() == 2
    assert image_loaded(page, ".card__image")

    page.fill("#site-search-q", "copper")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/?q=copper")
    assert page.locator(".card").count() == 1
    assert page.locator(".card__title").inner_text() == "Copper harbour at dawn"

    page.click(".card__link")
    page.wait_for_url(f"**/posts/{copper.pk}/")
    assert page.locator("h1.post__title").inner_text() == "Copper harbour at dawn"
    assert image_loaded(page, ".post__image")
    # The largest derivative (800 px: the original width) fits the 820 px slot best.
    assert page.eval_on_selector(".post__image", "i => i.currentSrc").endswith("-800.webp")
    assert page.locator(".tag-list").inner_text().split() == ["#harbour", "#dawn"]


def test_member_likes_a_post_in_place_and_loads_more_posts(
    browser_page: Any,
    live_server: Any,
    owner: User,
    stranger: User,
    make_post: MakePost,
    monkeypatch: Any,
) -> None:
    page = browser_page
    monkeypatch.setattr("marketplace.gallery.views.PAGE_SIZE", 2)
    posts = [make_post(owner, title=f"Study {index}") for index in range(3)]

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_identifier", "stranger")
    page.fill("#id_password", PASSWORD)
    page.click("form.form-card button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    assert page.locator(".card").count() == 2
    page.click("a[data-load-more]")
    page.wait_for_function("() => document.querySelectorAll('.card').length === 3")
    assert page.locator("a[data-load-more]").count() == 0  # the last page has no link
    assert page.url == live_server.url + "/"  # appended in place, no navigation

    page.goto(f"{live_server.url}/posts/{posts[0].pk}/")
    like = page.locator("form[data-toggle=like] button")
    like.click()
    page.wait_for_function(
        "() => document.querySelector('form[data-toggle=like] button').ariaPressed === 'true'"
    )
    assert like.locator("[data-count]").inner_text() == "1"
    assert Post.objects.get(pk=posts[0].pk).like_count == 1
