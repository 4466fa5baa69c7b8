"""The paywall: before purchase nobody but the creator sees a Recipe's prompt, negative prompt,
parameter values or notes, in any page, API answer, OpenAPI document, search, error, cache or log.

Recipes are written with unique marker words in every secret place; then an anonymous visitor
and a logged-in stranger walk every page (following links) and endpoint, send bad writes, and
search for the markers. To extend the walk (Blueprints, commerce), add URLs to ``PAGES``,
``API_GETS`` or ``BAD_WRITES``; placeholders are filled by ``fill``.
"""

from __future__ import annotations

import html
import logging
import pickle
import re
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client

from marketplace.recipes import services
from marketplace.recipes.models import Recipe

# Made-up words that occur nowhere else; each sits in one secret place of a Recipe.
SECRETS = {
    "prompt": "xylofrostprompt",
    "negative_prompt": "xylofrostnegative",
    "notes": "xylofrostnotes",
    "model": "xylofrostmodel",
    "lora": "xylofrostlora",
    "extra": "xylofrostextra",
    "seed": "8675309421",
    "no": "xylofrostnoterm",
    "sref": "https://example.test/xylofrostsref.png",
    "mj_prompt": "xylofrostmoonlight",
}

# Pages and endpoints to walk. Placeholders: {post} (a post with a Recipe), {free_post} (one
# with a free Recipe), {plain_post} (no Recipe), {handle} (their creator), {secret} (each
# secret word in turn: the URL is walked once per secret).
PAGES = [
    "/",
    "/?has=recipe",
    "/?tool=automatic1111",
    "/?tool=midjourney&has=recipe",
    "/?q={secret}",
    "/?has=recipe&q={secret}",
    "/posts/{post}/",
    "/posts/{free_post}/",
    "/posts/{plain_post}/",
    "/posts/{post}/recipe/edit/",
    "/creators/{handle}/",
    "/creators/{handle}/?q={secret}",
]
API_GETS = [
    "/api/v1/posts/",
    "/api/v1/posts/?has=recipe",
    "/api/v1/posts/?q={secret}",
    "/api/v1/posts/?tool=automatic1111&q={secret}",
    "/api/v1/posts/{post}/",
    "/api/v1/posts/{free_post}/",
    "/api/v1/posts/{post}/recipe/",
    "/api/v1/posts/{free_post}/recipe/",
    "/api/v1/posts/{plain_post}/recipe/",
    "/api/v1/creators/{handle}/",
    "/api/v1/schema/",
    "/api/v1/schema/?format=json",
    "/api/v1/docs/",
    "/api/v1/posts/{post}/recipe/unknown/",
]
# (method, path, JSON body): writes a stranger may try; all must fail without telling anything.
BAD_WRITES: list[tuple[str, str, Any]] = [
    ("put", "/api/v1/posts/{post}/recipe/", {"tool": "automatic1111", "prompt": "mine now"}),
    (
        "put",
        "/api/v1/posts/{post}/recipe/",
        {"tool": "automatic1111", "prompt": "x", "params": {"steps": 0, "seed": "abc"}},
    ),
    ("put", "/api/v1/posts/{post}/recipe/", {"pasted": "x --ar 3:2"}),
    ("put", "/api/v1/posts/{post}/recipe/", "not an object"),
    ("delete", "/api/v1/posts/{post}/recipe/", None),
    ("post", "/api/v1/recipes/parse/", {"text": ""}),
    ("post", "/api/v1/posts/{post}/recipe/", {}),
    ("patch", "/api/v1/posts/{post}/recipe/", {"prompt": "x"}),
    ("post", "/posts/{post}/recipe/edit/", {"action": "save", "prompt": "mine now"}),
    ("post", "/posts/{post}/recipe/edit/", {"action": "paste", "pasted": "x"}),
    ("post", "/posts/{post}/recipe/delete/", {}),
]
# Links the crawler does not follow: they change state, are not ours, or are files.
NOT_FOLLOWED = ("/accounts/logout/", "/admin/", "/static/", "/media/")
MAX_CRAWLED_PAGES = 150



@pytest.fixture
def owner(db: Any) -> Any:
    """This walk prices Recipes: the owner has finished Stripe payouts."""
    from tests.conftest import make_user, onboard

    return onboard(make_user("owner"))


@pytest.fixture(autouse=True)
def _fast_hashing_and_empty_cache(settings: Any) -> None:
    # The cast of users is created per test; the default hasher costs about a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The local-memory cache outlives a test (same LOCATION): empty it so earlier tests'
    # API calls do not count against this one's throttle (and the walk reads only its own).
    caches["default"].clear()
    # ... and so are the other local-memory caches of the process (the API's first pages).
    for store in locmem._caches.values():
        store.clear()


def find_secrets(text: str) -> list[str]:
    """The secret markers present in ``text`` (HTML- and JSON-escaping undone first)."""
    plain = html.unescape(text).replace("\\/", "/")
    return [secret for secret in SECRETS.values() if secret in plain]


def assert_no_secret(where: str, text: str) -> None:
    """``where`` is the URL (or a name): a secret the visitor typed into it themselves (a
    search for a secret word) is echoed back, so it may appear; the others may not."""
    typed = [secret for secret in SECRETS.values() if secret in html.unescape(where)]
    found = [secret for secret in find_secrets(text) if secret not in typed]
    assert found == [], f"{where} shows {found}"


def response_text(response: Any) -> str:
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return headers + "\n" + body.decode("utf-8", errors="replace")


def fill(templates: Iterable[str], places: dict[str, Any]) -> list[str]:
    urls: list[str] = []
    for template in templates:
        if "{secret}" in template:
            urls.extend(
                template.format(**places, secret=secret)
                for secret in SECRETS.values()
                if "/" not in secret
            )
        else:
            urls.append(template.format(**places))
    return urls


def crawl(client: Client, start: list[str]) -> dict[str, str]:
    """GET ``start`` and every same-site link found on the way; {url: headers + body}."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_CRAWLED_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code < 500, f"{url} -> {response.status_code}"
        seen[url] = response_text(response)
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="(/[^"#]*)"', seen[url]):
            link = html.unescape(link)
            if not link.startswith(NOT_FOLLOWED) and link not in seen:
                queue.append(link)
    return seen


def secret_recipes(owner: Any, make_post: Any) -> dict[str, Any]:
    """An A1111 Recipe and a free Midjourney Recipe with a secret in every secret place."""
    post = make_post(owner, tool="automatic1111", title="Harbour lights", tags="harbour, night")
    services.recipe_upsert(
        post=post,
        user=owner,
        data={
            "tool": "automatic1111",
            "prompt": f"harbour at night, {SECRETS['prompt']}, <lora:{SECRETS['lora']}:0.7>",
            "negative_prompt": f"blurry, {SECRETS['negative_prompt']}",
            "params": {
                "model": SECRETS["model"],
                "seed": int(SECRETS["seed"]),
                "steps": 30,
                "loras": [f"<lora:{SECRETS['lora']}:0.7>"],
                "extra": {"ADetailer model": SECRETS["extra"]},
            },
            "notes": f"Keep the **{SECRETS['notes']}** trick.",
            "price": {"amount": 499, "currency": "usd"},
        },
    )
    free_post = make_post(owner, tool="midjourney", title="Moon garden", tags="moon")
    services.recipe_upsert(
        post=free_post,
        user=owner,
        data={
            "pasted": (
                f"{SECRETS['mj_prompt']} garden --ar 3:2 --no {SECRETS['no']} "
                f"--sref {SECRETS['sref']}"
            ),
            "notes": SECRETS["notes"],
        },
    )
    plain_post = make_post(owner, tool="dalle", title="Plain dunes")
    return {
        "post": post.pk,
        "free_post": free_post.pk,
        "plain_post": plain_post.pk,
        "handle": "owner",
    }


def everything_in_the_cache() -> str:
    """Keys and values of every local-memory cache of the process (the tests' default cache
    is one of them)."""
    assert caches["default"].__class__.__name__ == "LocMemCache"
    parts = []
    for name, store in locmem._caches.items():
        for key, value in store.items():
            parts.append(f"{name} {key}")
            try:
                # Our own test caches, filled in this test: trusted data.
                parts.append(repr(pickle.loads(value)))  # noqa: S301
            except Exception:
                parts.append(repr(value))
    return "\n".join(parts)


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_no_secret_reaches_a_visitor_anywhere(
    who: str,
    owner: Any,
    stranger: Any,
    make_post: Any,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Anonymous first pages of the post list are cached: the walk covers that cache too.
    settings.API_ANONYMOUS_CACHE_SECONDS = 300
    places = secret_recipes(owner, make_post)
    stored = Recipe.objects.get(post_id=places["post"])
    assert SECRETS["model"] in str(stored.params) and SECRETS["seed"] in str(
        stored.structured_settings
    )
    # The owner's own bad write echoes their values to them, but must not put them in the log.
    owner_client = Client()
    owner_client.force_login(owner)
    owner_client.put(
        f"/api/v1/posts/{places['post']}/recipe/",
        {"prompt": SECRETS["prompt"], "params": {"seed": SECRETS["prompt"]}},
        content_type="application/json",
    )

    client = Client()
    if who == "stranger":
        client.force_login(stranger)
    walked = crawl(client, fill(PAGES, places))
    assert len(walked) >= len(PAGES)
    for url in fill(API_GETS, places):
        walked[url] = response_text(client.get(url, HTTP_ACCEPT="application/json"))
    for method, template, data in BAD_WRITES:
        url = template.format(**places)
        if url.startswith("/api/"):
            response = getattr(client, method)(url, data, content_type="application/json")
        else:
            response = getattr(client, method)(url, data or {})
        assert response.status_code in (302, 400, 401, 403, 404, 405), (
            f"{method} {url} -> {response.status_code}"
        )
        walked[f"{method.upper()} {url}"] = response_text(response)

    for where, text in walked.items():
        assert_no_secret(where, text)
        if "q=" in where:
            # A search for a secret word lists no card: the Recipe's text is not searchable.
            assert "Harbour lights" not in text and "Moon garden" not in text, where
    assert_no_secret("the cache", everything_in_the_cache())
    assert_no_secret(
        "the log", caplog.text + "\n".join(repr(record.args) for record in caplog.records)
    )
    # Searching for a secret word finds nothing: recipe text is not in the search index.
    for secret in ("xylofrostprompt", "xylofrostnotes", "xylofrostmodel", "xylofrostmoonlight"):
        assert client.get(f"/api/v1/posts/?q={secret}").json()["results"] == []
    assert client.get("/api/v1/posts/?q=harbour").json()["results"][0]["id"] == places["post"]
    # Nothing the stranger sent changed the Recipe.
    assert Recipe.objects.get(post_id=places["post"]).prompt == stored.prompt


def test_the_owner_does_see_every_secret(owner: Any, make_post: Any) -> None:
    places = secret_recipes(owner, make_post)
    client = Client()
    client.force_login(owner)
    page = response_text(client.get(f"/posts/{places['post']}/")) + response_text(
        client.get(f"/posts/{places['free_post']}/")
    )
    api = response_text(client.get(f"/api/v1/posts/{places['post']}/recipe/")) + response_text(
        client.get(f"/api/v1/posts/{places['free_post']}/recipe/")
    )
    assert sorted(find_secrets(page)) == sorted(SECRETS.values())
    assert sorted(find_secrets(api)) == sorted(SECRETS.values())


def test_the_walk_detects_a_leak() -> None:
    # Guards the guard: escaping in HTML or JSON does not hide a secret from the check.
    assert find_secrets("<pre>harbour, xylofrostprompt</pre>") == ["xylofrostprompt"]
    assert find_secrets('{"sref": "https:\\/\\/example.test\\/xylofrostsref.png"}') == [
        SECRETS["sref"]
    ]
    assert find_secrets("&lt;lora:xylofrostlora:0.7&gt;") == ["xylofrostlora"]
    with pytest.raises(AssertionError):
        assert_no_secret("a page", "seed 8675309421")
    assert_no_secret("/?q=xylofrostprompt", 'value="xylofrostprompt"')
    with pytest.raises(AssertionError):
        assert_no_secret("/?q=xylofrostprompt", 'value="xylofrostprompt" xylofrostnotes')
