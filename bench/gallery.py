#!/usr/bin/env python
"""Gallery benchmark: 200,000 posts in PostgreSQL, gunicorn on loopback, load from a second process.

Run from the repository root with the web interpreter::

    .venv/bin/python bench/gallery.py            # seeds once (~1-2 min), then measures (~1.5 min)

Environment: ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/kiln_bench, created
if missing; the benchmark owns that database and truncates it when it re-seeds) and
``REDIS_URL`` (default redis://127.0.0.1:6379/15). Prints, in one run:

1. gallery API requests/s (``GET /api/v1/posts/``) / minimal JSON view requests/s  (>= 0.25)
2. latency of a page 5,000 pages deep / latency of the first page                  (<= 1.5)
3. search p95 for a common, a rare and an absent term / plain list p95              (<= 5 each)
4. peak RSS of a gunicorn worker after the load                                     (<= 200 MB)

Throughput comes from ``wrk`` when it is installed (Debian package ``wrk``: a C client that
leaves the CPU to the server), else from a thread pool of ``http.client`` connections. The two
endpoints are measured in alternating rounds, so a neighbour's load on a shared machine hits
both alike. Latencies are sequential requests (no queueing) interleaved across the compared
URLs. Every load request carries its own ``X-Forwarded-For`` address from a pool of
thousands: the per-address throttle then sees many visitors, as in production, instead of one
address that it would (rightly) answer with 429.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlparse

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kiln_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
PAGE_SIZE = 24
MAX_REQUESTS_PER_ROUND = 100_000
DEEP_PAGES = 5_000
HEALTH_PATH = "/api/v1/health/"
LIST_PATH = "/api/v1/posts/"

TARGET_THROUGHPUT_RATIO = 0.25
TARGET_DEEP_RATIO = 1.5
TARGET_SEARCH_RATIO = 5.0
TARGET_RSS_MB = 200.0

# Search terms with controlled frequencies. None of the generated text stems to them except
# where placed on purpose (checked after seeding).
COMMON_TERM = "sunset"  # in about one post in five
RARE_TERM = "zeppelin"  # in exactly RARE_COUNT posts
RARE_COUNT = 60
ABSENT_TERM = "quokka"  # in none
COMMON_TITLE_SHARE = 0.12
COMMON_DESCRIPTION_SHARE = 0.10

CREATOR_COUNT = 2_000
ART_VARIANTS = 6
SEED_VERSION = "bench-seed-v2"


def words_of(paragraph: str) -> list[str]:
    """A paragraph of words reads better than a list literal of a hundred strings."""
    return paragraph.split()


ADJECTIVES = words_of(
    "amber azure bold bright calm cobalt cold crimson dark dawn deep dreamy dusky electric "
    "emerald faded fierce foggy frozen gentle gilded golden hazy hidden hollow icy indigo "
    "ivory jade lonely lucid luminous misty molten muted neon nocturnal pale pastel quiet "
    "radiant restless rustic scarlet serene shadowed silent silver soft solar stormy sunken "
    "tangled tender twilight velvet verdant violet vivid wandering warm wild windswept"
)
NOUNS = words_of(
    "abbey alley archipelago atlas avenue balcony bay beacon blossom canyon castle cathedral "
    "cliff cloud coast coral courtyard crater dune echo estuary fjord forest fountain garden "
    "glacier grove harbor horizon island lagoon lantern lighthouse marsh meadow mesa mirage "
    "monastery moon mountain nebula oasis orchard pagoda palace pier plateau portrait reef "
    "ridge river ruin shore skyline spire station steppe stream summit temple tide tower "
    "valley village volcano waterfall wharf willow"
)
DESCRIPTION_WORDS = words_of(
    "light colour colours texture layers brush study series palette composition shadow glow "
    "mood detail contrast depth painted rendered scene evening morning night winter spring "
    "summer autumn rain snow mist fog wind storm clouds reflections water stone glass metal "
    "paper ink grain soft sharp warm cool quiet busy city street window room figure portrait "
    "landscape still life abstract pattern geometry curves lines shapes experiment version "
    "final draft print poster wallpaper square wide tall crop upscale lighting rim backlit "
    "golden hour blue hour cinematic film analog digital painterly watercolour gouache "
    "charcoal pencil oil pastel sketch dramatic gentle vibrant muted inspired by travel "
    "memory dream childhood journey afternoon harbour market festival lanterns neon signs "
    "rooftop garden flowers leaves trees branches birds horses boats"
)
TAG_WORDS = words_of(
    "landscape portrait abstract fantasy scifi architecture nature city night space surreal "
    "minimal vintage cinematic anime illustration concept painterly photoreal ocean mountains "
    "forest flowers animals cyberpunk steampunk noir pastel neon moody wallpaper poster "
    "character interior"
)
TOOL_SLUGS = words_of(
    "comfyui automatic1111 midjourney dalle chatgpt-image leonardo ideogram flux stable- "
    "diffusion firefly imagen krea recraft invokeai"
)
BASE_MODELS = ("", "", "SD1.5", "SDXL", "Flux.1", "Pony")


# --- Environment -----------------------------------------------------------------------------


def bench_environment(*, database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # A pool per worker, as production runs it (settings: DATABASE_POOL).
            "DATABASE_POOL": "1",
            # Anonymous first pages may be served from the cache for this long (views_gallery).
            "API_ANONYMOUS_CACHE_SECONDS": "5",
            # The load driver simulates many visitors through X-Forwarded-For, as a proxy would.
            "TRUSTED_PROXY_COUNT": "1",
            "KILN_VAR_DIR": str(REPO / "var" / "bench"),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def ensure_database(database_url: str) -> None:
    """Create the benchmark database when it does not exist yet."""
    import psycopg

    parsed = urlparse(database_url)
    name = unquote(parsed.path.lstrip("/"))
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO,
        env=env,
        check=True,
    )


# --- Seeding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeededImage:
    width: int
    height: int
    original: str
    sha256: str
    derivatives: dict[str, str]
    placeholder: str
    dominant_color: str


def _make_images(count: int) -> list[SeededImage]:
    """A few real demo images and their public derivatives, shared by all the posts."""
    import hashlib

    from django.core.files.base import ContentFile

    from marketplace.gallery import demo_art, images
    from marketplace.storage import private_storage, public_storage

    made: list[SeededImage] = []
    for index in range(count):
        upload = demo_art.render_upload((4_200 + index, None, None, 1024))
        sha = hashlib.sha256(upload).hexdigest()
        original = private_storage().save(f"bench/{sha[:16]}.jpg", ContentFile(upload))
        derivatives = images.make_derivatives(upload)
        stored: dict[str, str] = {}
        for width, blob in derivatives.files.items():
            path = f"posts/bench/{sha[:16]}-{width}.webp"
            if not public_storage().exists(path):
                public_storage().save(path, ContentFile(blob))
            stored[str(width)] = path
        info = images.inspect_upload(upload, filename="x.jpg", max_bytes=10**9, max_pixels=10**9)
        made.append(
            SeededImage(
                width=info.width,
                height=info.height,
                original=original,
                sha256=sha,
                derivatives=stored,
                placeholder=derivatives.placeholder,
                dominant_color=derivatives.dominant_color,
            )
        )
    return made


def _words(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    # Zipf-like: a few words are everywhere, most are uncommon, as in real descriptions.
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    return rng.choices(vocabulary, weights=weights, k=count)


class _CopyRows:
    """COPY rows into one table, filling every column the generator does not set with the
    model field's default (so new nullable/defaulted columns do not break the benchmark)."""

    def __init__(self, model: Any, values: list[str]) -> None:
        from django.db import connection
        from psycopg.types.json import Jsonb

        self.model = model
        self.columns: list[str] = []
        self.defaults: list[Any] = []
        self.positions: list[int | None] = []
        self.json_positions: set[int] = set()
        for field in model._meta.concrete_fields:
            self.columns.append(field.column)
            if field.attname in values:
                self.positions.append(values.index(field.attname))
                self.defaults.append(None)
                if field.get_internal_type() == "JSONField":
                    self.json_positions.add(len(self.columns) - 1)
            else:
                self.positions.append(None)
                default = field.get_default()
                if field.get_internal_type() == "JSONField":
                    default = Jsonb(default)
                elif isinstance(default, bool | int | float | str | datetime) or default is None:
                    pass
                else:
                    default = field.get_db_prep_save(default, connection)
                self.defaults.append(default)
        self._jsonb = Jsonb

    def sql(self) -> str:
        table = self.model._meta.db_table
        names = ", ".join(f'"{column}"' for column in self.columns)
        return f'COPY "{table}" ({names}) FROM STDIN'

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for index, position in enumerate(self.positions):
            if position is None:
                out.append(self.defaults[index])
            elif index in self.json_positions:
                out.append(self._jsonb(values[position]))
            else:
                out.append(values[position])
        return tuple(out)


def _copy(cursor: Any, model: Any, names: list[str], rows: Any) -> int:
    copier = _CopyRows(model, names)
    written = 0
    with cursor.copy(copier.sql()) as copy:
        for values in rows:
            copy.write_row(copier.row(values))
            written += 1
    return written


def _secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """Indexes that back no constraint: dropped during COPY and rebuilt once (much faster)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        (tables,),
    )
    return list(cursor.fetchall())


def seed(*, post_count: int, seed_value: int, force: bool) -> dict[str, Any]:
    """Fill the benchmark database with ``post_count`` published posts (skipped when done)."""
    from django.db import connection, transaction

    from marketplace.accounts.models import CreatorProfile, User
    from marketplace.gallery.models import Post, PostImage, Tag, trending_score

    marker = f"{SEED_VERSION}-{post_count}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM gallery_tag WHERE name = %s", [marker])
        if cursor.fetchone() and not force:
            print(f"database already seeded ({marker}); --reseed to rebuild")
            return {"seeded": False}
    started = time.monotonic()
    rng = random.Random(seed_value)
    images = _make_images(ART_VARIANTS)
    now = datetime.now(UTC).replace(microsecond=0)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor, for COPY
        # Check foreign keys row by row during COPY: deferred checks would leave pending
        # trigger events, and PostgreSQL refuses CREATE INDEX on a table that has them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('TRUNCATE "accounts_user", "gallery_tag" RESTART IDENTITY CASCADE')
        users = [
            (i + 1, f"creator{i:04d}", f"creator{i:04d}@bench.test", "!", now, True)
            for i in range(CREATOR_COUNT)
        ]
        _copy(
            cursor, User, ["id", "username", "email", "password", "date_joined", "is_active"], users
        )
        display = [
            f"{rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()} Studio" for _ in users
        ]
        _copy(
            cursor,
            CreatorProfile,
            ["id", "user_id", "handle", "display_name", "bio", "post_count"],
            (
                (u[0], u[0], u[1], display[i], "Bench creator.", post_count // CREATOR_COUNT)
                for i, u in enumerate(users)
            ),
        )
        tags = [*TAG_WORDS, *ADJECTIVES[:20]]
        _copy(cursor, Tag, ["id", "name"], ((i + 1, name) for i, name in enumerate(tags)))
        rare_posts = set(rng.sample(range(post_count), RARE_COUNT))
        post_rows: list[tuple[Any, ...]] = []
        image_rows: list[tuple[Any, ...]] = []
        tag_rows: list[tuple[int, int, int]] = []
        published = now
        for index in range(post_count):
            post_id = index + 1
            creator = rng.randrange(CREATOR_COUNT)
            title_words = [rng.choice(ADJECTIVES).title(), rng.choice(NOUNS).title()]
            if rng.random() < COMMON_TITLE_SHARE:
                title_words.append(f"at {COMMON_TERM.title()}")
            if index in rare_posts:
                title_words.append(f"and the {RARE_TERM.title()}")
            description_words = _words(rng, DESCRIPTION_WORDS, rng.randint(12, 40))
            if rng.random() < COMMON_DESCRIPTION_SHARE:
                description_words.insert(rng.randrange(len(description_words)), COMMON_TERM)
            description = " ".join(description_words).capitalize() + "."
            tag_ids = rng.sample(range(len(tags)), rng.randint(2, 5))
            tag_names = [tags[t] for t in tag_ids]
            published -= timedelta(seconds=rng.randint(60, 600))
            likes = int(rng.paretovariate(1.3)) - 1
            sales = int(rng.paretovariate(2.5)) - 1 if rng.random() < 0.2 else 0
            has_recipe = rng.random() < 0.3
            has_blueprint = rng.random() < 0.12
            handle = users[creator][1]
            post_rows.append(
                (
                    post_id,
                    creator + 1,
                    " ".join(title_words),
                    description,
                    f"<p>{description}</p>",
                    rng.choice(TOOL_SLUGS),
                    "mature" if rng.random() < 0.08 else "general",
                    "published",
                    tag_names,
                    handle,
                    " ".join([*tag_names, handle, display[creator]]),
                    published - timedelta(seconds=5),
                    published,
                    likes,
                    sales,
                    trending_score(likes=likes, sales=sales, published_at=published),
                    likes + 3 * sales,
                    has_recipe,
                    has_blueprint,
                    has_blueprint and rng.random() < 0.7,
                    rng.choice(BASE_MODELS),
                    rng.choice((199, 499, 999, 1499, 2999))
                    if has_recipe or has_blueprint
                    else None,
                )
            )
            art = images[index % len(images)]
            image_rows.append(
                (
                    post_id,
                    post_id,
                    art.original,
                    "jpeg",
                    art.sha256,
                    art.width,
                    art.height,
                    art.derivatives,
                    art.placeholder,
                    art.dominant_color,
                )
            )
            first_row = len(tag_rows) + 1
            tag_rows.extend((first_row + k, post_id, t + 1) for k, t in enumerate(tag_ids))
        indexes = _secondary_indexes(cursor, ["gallery_post", "gallery_post_tags"])
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        _copy(
            cursor,
            Post,
            [
                "id",
                "creator_id",
                "title",
                "description",
                "description_html",
                "tool",
                "rating",
                "status",
                "tag_names",
                "creator_handle",
                "search_text",
                "created_at",
                "published_at",
                "like_count",
                "sale_count",
                "trending_score",
                "top_score",
                "has_recipe",
                "has_blueprint",
                "has_verified_blueprint",
                "base_model",
                "min_price_minor",
            ],
            post_rows,
        )
        _copy(
            cursor,
            PostImage,
            [
                "id",
                "post_id",
                "original",
                "original_format",
                "original_sha256",
                "width",
                "height",
                "derivatives",
                "placeholder",
                "dominant_color",
            ],
            image_rows,
        )
        through = Post.tags.through
        _copy(cursor, through, ["id", "post_id", "tag_id"], tag_rows)
        for _name, definition in indexes:
            cursor.execute(definition)
        for table in (
            "accounts_user",
            "accounts_creatorprofile",
            "gallery_tag",
            "gallery_post",
            "gallery_postimage",
            through._meta.db_table,
        ):
            # Table names are our own constants, not input.
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cursor.execute(f'SELECT setval({sequence}, (SELECT max(id) FROM "{table}"))')  # noqa: S608
        cursor.execute("INSERT INTO gallery_tag (name) VALUES (%s)", [marker])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE gallery_post")
        cursor.execute("ANALYZE")
    seconds = time.monotonic() - started
    print(f"seeded {post_count:,} posts, {len(tag_rows):,} post tags in {seconds:.0f} s")
    return {"seeded": True, "seconds": seconds}


def term_counts() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for term in (COMMON_TERM, RARE_TERM, ABSENT_TERM):
            cursor.execute(
                "SELECT count(*) FROM gallery_post "
                "WHERE search_vector @@ websearch_to_tsquery('english', %s)",
                [term],
            )
            counts[term] = cursor.fetchone()[0]
    return counts


def bench_tokens(count: int) -> list[str]:
    """Read tokens for the latency phase: signed-in requests skip the anonymous first-page
    cache, so the latency ratios compare real query paths. Several tokens, so the per-token
    throttle (600/min) is not what gets measured."""
    from marketplace.accounts.models import ApiToken, User
    from marketplace.accounts.services import api_token_create

    user = User.objects.get(username="creator0000")
    ApiToken.objects.filter(user=user).delete()
    return [
        api_token_create(user=user, name=f"bench {n}", scopes=["read"])[1] for n in range(count)
    ]


def deep_cursor(pages: int) -> tuple[str, int]:
    """The cursor that the API's ``next`` link would carry after ``pages`` pages, and the id
    the following page must start with. Computed with one OFFSET query here, in set-up, so
    the benchmark does not spend 5,000 requests walking there."""
    from types import SimpleNamespace

    from django.db import connection

    from marketplace.gallery.pagination import cursor_for

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, published_at FROM gallery_post WHERE status = 'published' "
            "ORDER BY published_at DESC, id DESC OFFSET %s LIMIT 2",
            [pages * PAGE_SIZE - 1],
        )
        rows = cursor.fetchall()
    if len(rows) < 2:
        raise SystemExit(f"fewer than {pages * PAGE_SIZE + 1} posts: cannot reach page {pages + 1}")
    last = SimpleNamespace(pk=rows[0][0], published_at=rows[0][1])
    return cursor_for(last, sort="new").encode(), rows[1][0]


# --- Server ----------------------------------------------------------------------------------


def wsgi_application() -> Any:
    """Gunicorn entry point (``bench.gallery:wsgi_application()``): Kiln's WSGI app, with the
    health URL routed even where marketplace/api/urls.py does not list it yet."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()  # before the URL modules below import models
    from django.urls import Resolver404, clear_url_caches, path, resolve

    from marketplace import urls
    from marketplace.api import views_health
    from marketplace.wsgi import application

    try:
        routed = resolve(HEALTH_PATH).func is views_health.health
    except Resolver404:
        routed = False
    if not routed:
        urls.urlpatterns.insert(0, path(HEALTH_PATH.lstrip("/"), views_health.health))
        clear_url_caches()
    return application


def start_gunicorn(
    *, env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", "bench.gallery:wsgi_application()",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--backlog", "2048", "--timeout", "60", "--log-level", "warning",
        "--error-logfile", str(log),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            status, _, _ = fetch("127.0.0.1", port, HEALTH_PATH)
            if status == 200 and len(worker_pids(server.pid)) == workers:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    raise SystemExit(f"gunicorn did not answer {HEALTH_PATH} within 60 s; see {log}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most memory the process ever had resident."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- Load (runs in the driver process) -------------------------------------------------------


def fetch(
    host: str, port: int, path: str, *, forwarded_for: str | None = None
) -> tuple[int, float, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        return request(connection, path, forwarded_for=forwarded_for)
    finally:
        connection.close()


def request(
    connection: http.client.HTTPConnection,
    path: str,
    *,
    forwarded_for: str | None = None,
    token: str | None = None,
) -> tuple[int, float, bytes]:
    headers = {"Accept": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.will_close:
        connection.close()  # gunicorn's sync workers close after each response
    return response.status, elapsed, body


def visitor_address(number: int) -> str:
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def throughput_threads(
    host: str, port: int, path: str, *, seconds: float, concurrency: int
) -> dict[str, Any]:
    """Requests/s from ``concurrency`` keep-alive-capable http.client connections, for at
    most ``seconds`` and at most MAX_REQUESTS_PER_ROUND requests."""
    deadline = time.perf_counter() + seconds
    counts = [0] * concurrency
    failures = [0] * concurrency
    per_thread = MAX_REQUESTS_PER_ROUND // concurrency

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        number = slot * 1_000_003
        while time.perf_counter() < deadline and counts[slot] < per_thread:
            number += 1
            status, _, _ = request(connection, path, forwarded_for=visitor_address(number % 60_000))
            counts[slot] += 1
            failures[slot] += status != 200
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"rps": sum(counts) / elapsed, "requests": sum(counts), "non_200": sum(failures)}


WRK_SCRIPT = """
local n = math.random(0, 60000)
request = function()
  n = (n + 1) % 60000
  local ip = "10.0." .. math.floor(n / 256) .. "." .. (n % 256)
  return wrk.format("GET", nil, {["X-Forwarded-For"] = ip, ["Accept"] = "application/json"})
end
"""


def throughput_wrk(url: str, *, seconds: float, concurrency: int, script: Path) -> dict[str, Any]:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{seconds:.0f}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests_done = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*timeout (\d+)", output)
    return {
        "rps": rps,
        "requests": requests_done,
        "non_200": int(non_2xx.group(1)) if non_2xx else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def latencies(
    host: str, port: int, paths: dict[str, str], *, samples: int, tokens: list[str]
) -> dict[str, dict[str, float]]:
    """Sequential signed-in requests, round-robin over ``paths`` so that drift in the
    machine's load affects all of them alike."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    times: dict[str, list[float]] = {name: [] for name in paths}
    for round_number in range(samples + 5):
        for name, path in paths.items():
            status, elapsed, body = request(
                connection,
                path,
                forwarded_for=visitor_address(round_number),
                token=tokens[round_number % len(tokens)],
            )
            if status != 200:
                raise SystemExit(f"{name}: GET {path} answered {status}: {body[:300]!r}")
            if round_number >= 5:  # the first rounds warm caches and the connection pool
                times[name].append(elapsed * 1000)
    connection.close()
    return {
        name: {
            "p50_ms": statistics.median(values),
            "p95_ms": percentile(values, 0.95),
            "mean_ms": statistics.fmean(values),
        }
        for name, values in times.items()
    }


def drive(plan: dict[str, Any]) -> dict[str, Any]:
    """Everything that sends load; runs in its own process (``--drive``)."""
    host, port = plan["host"], plan["port"]
    use_wrk = plan["use_wrk"]
    results: dict[str, Any] = {"client": "wrk" if use_wrk else "python threads", "rounds": []}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "visitors.lua"
        script.write_text(WRK_SCRIPT)
        for _ in range(plan["rounds"]):
            this_round = {}
            for name, path in (
                ("health", HEALTH_PATH),
                ("gallery", LIST_PATH),
                ("gallery_page2", plan["page2_path"]),
            ):
                if use_wrk:
                    this_round[name] = throughput_wrk(
                        f"http://{host}:{port}{path}",
                        seconds=plan["seconds"],
                        concurrency=plan["concurrency"],
                        script=script,
                    )
                else:
                    this_round[name] = throughput_threads(
                        host, port, path, seconds=plan["seconds"], concurrency=plan["concurrency"]
                    )
            results["rounds"].append(this_round)
    results["latency_pages"] = latencies(
        host,
        port,
        {"first": LIST_PATH, "deep": plan["deep_path"]},
        samples=plan["samples"],
        tokens=plan["tokens"],
    )
    results["latency_search"] = latencies(
        host, port, plan["search_paths"], samples=plan["samples"], tokens=plan["tokens"]
    )
    return results


# --- Report ----------------------------------------------------------------------------------


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(results: dict[str, Any], *, rss: list[float], context: dict[str, Any]) -> bool:
    rounds = results["rounds"]
    health = sum(r["health"]["requests"] for r in rounds)
    gallery = sum(r["gallery"]["requests"] for r in rounds)
    health_rps = statistics.fmean(r["health"]["rps"] for r in rounds)
    gallery_rps = statistics.fmean(r["gallery"]["rps"] for r in rounds)
    bad = sum(r[name]["non_200"] for r in rounds for name in ("health", "gallery", "gallery_page2"))
    throughput_ratio = gallery / health if health else 0.0
    pages = results["latency_pages"]
    deep_ratio = pages["deep"]["p50_ms"] / pages["first"]["p50_ms"]
    search = results["latency_search"]
    plain = search["list"]["p95_ms"]
    checks: list[tuple[str, bool]] = []

    print()
    print(
        f"Gallery benchmark — {context['posts']:,} posts, "
        f"{context['workers']} gunicorn sync workers, "
        f"load from {results['client']} ({context['concurrency']} connections)"
    )
    print(f"machine: {context['machine']}")
    print(f"search terms: {context['term_counts']}")
    print()
    print(
        f"(1) throughput   health {health_rps:8.1f} req/s   gallery API {gallery_rps:8.1f} req/s"
        f"   ({len(rounds)} alternating rounds of {context['seconds']:.0f} s; non-200: {bad})"
    )
    ok = throughput_ratio >= TARGET_THROUGHPUT_RATIO and bad == 0
    checks.append(("throughput", ok))
    print(
        f"    gallery / health = {throughput_ratio:.3f}   "
        f"target >= {TARGET_THROUGHPUT_RATIO}   {verdict(ok)}"
    )
    page2 = sum(r["gallery_page2"]["requests"] for r in rounds)
    page2_rps = statistics.fmean(r["gallery_page2"]["rps"] for r in rounds)
    print(
        f"    (page 2, never cached: {page2_rps:.1f} req/s, / health = {page2 / health:.3f}; "
        "information, no target)"
    )
    print(
        f"(2) first page p50 {pages['first']['p50_ms']:.2f} ms, "
        f"page {context['deep_pages'] + 1} p50 "
        f"{pages['deep']['p50_ms']:.2f} ms"
    )
    ok = deep_ratio <= TARGET_DEEP_RATIO
    checks.append(("deep page", ok))
    print(f"    deep / first = {deep_ratio:.3f}   target <= {TARGET_DEEP_RATIO}   {verdict(ok)}")
    print(f"(3) plain list p95 {plain:.2f} ms")
    for name in ("common", "rare", "absent"):
        ratio = search[name]["p95_ms"] / plain
        ok = ratio <= TARGET_SEARCH_RATIO
        checks.append((f"search {name}", ok))
        print(
            f"    search {name:6s} p95 {search[name]['p95_ms']:7.2f} ms   / list = {ratio:.3f}"
            f"   target <= {TARGET_SEARCH_RATIO}   {verdict(ok)}"
        )
    peak = max(rss)
    ok = peak <= TARGET_RSS_MB
    checks.append(("rss", ok))
    print(f"(4) peak RSS per worker: {', '.join(f'{value:.1f}' for value in rss)} MB")
    print(f"    max = {peak:.1f} MB   target <= {TARGET_RSS_MB:.0f} MB   {verdict(ok)}")
    passed = all(ok for _, ok in checks)
    print()
    print(f"overall: {verdict(passed)}")
    return passed


def machine_description() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = os.getloadavg()
    return f"{os.cpu_count()} CPUs ({model}), load average {load[0]:.1f} at start"


# --- Main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--reseed", action="store_true", help="rebuild the data even if seeded")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--concurrency", type=int, default=0, help="default: 4 per worker")
    parser.add_argument("--seconds", type=float, default=5.0, help="per throughput round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200, help="latency samples per URL")
    parser.add_argument("--deep-pages", type=int, default=DEEP_PAGES, help="depth of the deep page")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--drive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.drive:  # the load-generating second process
        plan = json.loads(args.drive.read_text())
        Path(plan["out"]).write_text(json.dumps(drive(plan)))
        return 0

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    env = bench_environment(database_url=database_url, redis_url=redis_url)
    machine = machine_description()
    ensure_database(database_url)
    migrate(env)
    # Seeding and set-up run in this process (no pool: one connection, COPY).
    os.environ.update({**env, "DATABASE_POOL": "0"})
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    seed(post_count=args.posts, seed_value=2026, force=args.reseed)
    counts = term_counts()
    if counts[ABSENT_TERM] != 0 or counts[RARE_TERM] != RARE_COUNT:
        raise SystemExit(f"unexpected search term counts {counts}")
    cursor, expected_first = deep_cursor(args.deep_pages)
    page2_cursor, _ = deep_cursor(1)
    tokens = bench_tokens(40)
    from django.db import connections

    connections.close_all()
    subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=False, capture_output=True)

    concurrency = args.concurrency or 4 * args.workers
    if not args.port:
        args.port = free_port()
    log = REPO / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(env=env, port=args.port, workers=args.workers, log=log)
    try:
        deep_path = f"{LIST_PATH}?{urlencode({'cursor': cursor})}"
        status, _, body = fetch("127.0.0.1", args.port, deep_path)
        first_id = json.loads(body)["results"][0]["id"] if status == 200 else None
        if first_id != expected_first:
            raise SystemExit(
                f"deep page starts at {first_id}, expected {expected_first}: {body[:300]!r}"
            )
        plan = {
            "host": "127.0.0.1",
            "port": args.port,
            "use_wrk": bool(shutil.which("wrk")) and not args.python_client,
            "rounds": args.rounds,
            "seconds": args.seconds,
            "concurrency": concurrency,
            "samples": args.samples,
            "deep_path": deep_path,
            "page2_path": f"{LIST_PATH}?{urlencode({'cursor': page2_cursor})}",
            "tokens": tokens,
            "search_paths": {
                "list": LIST_PATH,
                "common": f"{LIST_PATH}?q={COMMON_TERM}",
                "rare": f"{LIST_PATH}?q={RARE_TERM}",
                "absent": f"{LIST_PATH}?q={ABSENT_TERM}",
            },
        }
        with tempfile.TemporaryDirectory() as folder:
            plan["out"] = str(Path(folder) / "results.json")
            plan_file = Path(folder) / "plan.json"
            plan_file.write_text(json.dumps(plan))
            subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--drive", str(plan_file)],
                check=True,
            )
            results = json.loads(Path(plan["out"]).read_text())
        rss = [peak_rss_mb(pid) for pid in worker_pids(server.pid)]
    finally:
        stop(server)
    context = {
        "posts": args.posts,
        "deep_pages": args.deep_pages,
        "workers": args.workers,
        "concurrency": concurrency,
        "seconds": args.seconds,
        "machine": machine,
        "term_counts": counts,
    }
    passed = report(results, rss=rss, context=context)
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "rss_mb": rss, "context": context}, indent=2)
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
