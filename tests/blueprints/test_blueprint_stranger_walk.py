"""The paywall walk for Blueprints: before purchase nobody but the creator sees a Blueprint's
prompts, seeds, LoRA weights, sampler values, workflow JSON or notes — in any page, API answer,
search, error, cache or log.

It reuses the crawler of tests/test_paywall_stranger_walk.py (the Recipes walk) with its own
marker values: a listed Blueprint and a private draft each carry a secret in every secret
place; an anonymous visitor and a logged-in stranger walk every page and endpoint, try every
write, and search for the markers.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from blueprints import services
from blueprints.models import BlueprintVersion, VersionState
from tests.blueprints.blueprint_helpers import (
    add_lora_stack_models,
    corpus_bytes,
    force_state,
    make_seller,
)
from tests.test_paywall_stranger_walk import crawl, everything_in_the_cache, response_text

SECRETS = {
    "prompt": "zyglowpromptword",
    "negative": "zyglownegativeword",
    "notes": "zyglownotesword",
    "workflow": "zyglowworkflowword",
    "filename_prefix": "zyglowprefixword",
    "seed": "918273645501",
    "lora_strength": "0.8173",
    "clip_strength": "1.3791",
    "cfg": "6.4321",
}
# Seen only in the stored workflow, never in any answer (the owner's included): the download.
WORKFLOW_ONLY = {SECRETS["workflow"], SECRETS["filename_prefix"]}

PAGES = [
    "/",
    "/?has=blueprint",
    "/?has=verified",
    "/?base_model=sd15",
    "/?q={secret}",
    "/posts/{listed_post}/",
    "/posts/{draft_post}/",
    "/creators/{handle}/",
    "/creators/{handle}/?q={secret}",
    "/blueprint-versions/{listed}/",
    "/blueprint-versions/{draft}/",
    "/blueprint-versions/{listed}/verification/",
    "/blueprint-versions/{draft}/verification/",
    "/posts/{listed_post}/blueprint/new/",
    "/models/upload/",
]
API_GETS = [
    "/api/v1/posts/",
    "/api/v1/posts/?has=verified",
    "/api/v1/posts/?has=blueprint&base_model=sd15",
    "/api/v1/posts/?q={secret}",
    "/api/v1/posts/{listed_post}/",
    "/api/v1/posts/{draft_post}/",
    "/api/v1/blueprint-versions/{listed}/",
    "/api/v1/blueprint-versions/{draft}/",
    "/api/v1/blueprint-versions/{listed}/submit/",
    "/api/v1/models/?name=ink",
    "/api/v1/models/?name=v1-5-pruned-emaonly.safetensors",
    "/api/v1/schema/?format=json",
]
# (method, path, data, multipart): writes a stranger may try; all must fail and tell nothing.
BAD_WRITES: list[tuple[str, str, Any, bool]] = [
    ("post", "/api/v1/posts/{listed_post}/blueprint/versions/", {"notes": "mine"}, True),
    ("post", "/api/v1/posts/{draft_post}/blueprint/versions/", {}, True),
    ("post", "/api/v1/blueprint-versions/{listed}/submit/", None, False),
    ("post", "/api/v1/blueprint-versions/{listed}/publish/", None, False),
    ("post", "/api/v1/blueprint-versions/{draft}/submit/", None, False),
    ("post", "/api/v1/blueprint-versions/{draft}/publish/", None, False),
    (
        "post",
        "/api/v1/blueprint-versions/{listed}/resources/{listed_resource}/link/",
        {"sha256": "0" * 64},
        False,
    ),
    (
        "post",
        "/api/v1/blueprint-versions/{draft}/resources/{draft_resource}/link/",
        {"sha256": "0" * 64},
        False,
    ),
    ("put", "/api/v1/blueprint-versions/{listed}/", {"notes": "x"}, False),
    ("delete", "/api/v1/blueprint-versions/{draft}/", None, False),
    ("post", "/posts/{listed_post}/blueprint/new/", {"notes": "mine"}, True),
    ("post", "/blueprint-versions/{draft}/submit/", {}, True),
    ("post", "/blueprint-versions/{listed}/publish/", {}, True),
    (
        "post",
        "/blueprint-versions/{draft}/resources/{draft_resource}/link/",
        {"identity": "0" * 64},
        True,
    ),
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def secret_workflow() -> bytes:
    """sd15_lora_stack with a marker in every secret place of the graph and the file."""
    workflow = json.loads(corpus_bytes("generated/sd15_lora_stack.ui.json"))
    for node in workflow["nodes"]:
        values = node.get("widgets_values")
        if node["id"] == 2:
            values[0] = f"a lighthouse, {SECRETS['prompt']}, embedding:fine_detail"
        elif node["id"] == 3:
            values[0] = f"blurry, {SECRETS['negative']}, embedding:easynegative"
        elif node["type"] == "KSampler":
            values[0], values[3] = int(SECRETS["seed"]), float(SECRETS["cfg"])
        elif node["id"] == 9:
            values[1], values[2] = float(SECRETS["lora_strength"]), float(SECRETS["clip_strength"])
        elif node["type"] == "SaveImage":
            values[0] = SECRETS["filename_prefix"]
    workflow["extra"][SECRETS["workflow"]] = "creator's private scratch"
    return json.dumps(workflow).encode()


def _pattern(secret: str) -> re.Pattern[str]:
    # Numeric secrets (seed, strengths, cfg) must stand alone: "1.3791" inside a throttle
    # timestamp such as 1795358881.37912 is not a leak.
    return re.compile(rf"(?<![\d.]){re.escape(secret)}(?![\d])")


def find_secrets(text: str) -> list[str]:
    plain = html.unescape(text).replace("\\/", "/")
    return [secret for secret in SECRETS.values() if _pattern(secret).search(plain)]


def assert_no_secret(where: str, text: str) -> None:
    typed = [secret for secret in SECRETS.values() if secret in html.unescape(where)]
    found = [secret for secret in find_secrets(text) if secret not in typed]
    assert found == [], f"{where} shows {found}"


def record_verified_run(version: BlueprintVersion) -> None:
    """What a worker records for a genuine showcase: every control of the secret graph."""
    from blueprints.models import RunStatus
    from renderworker.controls import control_variants

    metrics = {"psnr": 41.2, "ssim": 0.99, "perceptual": 0.001}
    controls = [
        {"name": c.name, "description": c.description, "to_showcase": metrics, "to_declared": metrics, "informative": True}
        for c in control_variants(version.graph_api)
    ]
    decision = {"accepted": True, "reason": "Reproduced", "declared": metrics, "controls": controls,
                "closest_control": controls[0]["name"], "margin": 0.1, "thresholds": {"ceiling": 0.005, "ratio": 0.5}}
    version.runs.update(status=RunStatus.VERIFIED, reason="Reproduced: perceptual distance 0.0010", decision=decision,
                        environment={"device": "cpu", "torch": "2.13.0+cpu"}, timings={"total": 1.0})


def secret_blueprints(owner: Any, make_post: Any) -> dict[str, Any]:
    """A listed Blueprint and a private draft, both built from the secret workflow."""
    add_lora_stack_models(owner)
    make_seller(owner)
    listed_post = make_post(owner, title="Lighthouse at dusk", tags="sea")
    version = services.blueprint_version_create(
        post=listed_post,
        user=owner,
        data=secret_workflow(),
        filename="lighthouse.json",
        notes=f"Keep the **{SECRETS['notes']}** trick.",
        price_minor=900,
    )
    version = services.blueprint_version_submit(version=version, user=owner)
    record_verified_run(version)  # the verification report is walked too
    version = force_state(version, VersionState.VERIFYING, VersionState.VERIFIED)
    version = services.blueprint_version_publish(version=version, user=owner)
    draft_post = make_post(owner, title="Quiet harbour", tags="sea")
    draft = services.blueprint_version_create(
        post=draft_post,
        user=owner,
        data=secret_workflow(),
        filename="harbour.json",
        notes=SECRETS["notes"],
    )
    return {
        "listed_post": listed_post.pk,
        "draft_post": draft_post.pk,
        "listed": version.pk,
        "draft": draft.pk,
        "listed_resource": version.resources.first().pk,
        "draft_resource": draft.resources.first().pk,
        "handle": "owner",
    }


def fill(templates: list[str], places: dict[str, Any]) -> list[str]:
    urls: list[str] = []
    for template in templates:
        if "{secret}" in template:
            urls.extend(template.format(**places, secret=secret) for secret in SECRETS.values())
        else:
            urls.append(template.format(**places))
    return urls


def test_the_secrets_are_really_stored(owner: Any, make_post: Any) -> None:
    places = secret_blueprints(owner, make_post)
    stored = BlueprintVersion.objects.get(pk=places["listed"])

    assert sorted(find_secrets(json.dumps(stored.workflow_ui) + stored.notes)) == sorted(
        SECRETS.values()
    )
    assert stored.state == VersionState.LISTED


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_no_blueprint_secret_reaches_a_visitor_anywhere(
    who: str, owner: Any, stranger: Any, make_post: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    places = secret_blueprints(owner, make_post)
    client = Client()
    if who == "stranger":
        client.force_login(stranger)

    walked = crawl(client, fill(PAGES, places))
    for url in fill(API_GETS, places):
        walked[url] = response_text(client.get(url, HTTP_ACCEPT="application/json"))
    for method, template, data, multipart in BAD_WRITES:
        url = template.format(**places)
        payload = copy.copy(data)
        if multipart:
            payload = {**(data or {}), "file": SimpleUploadedFile("w.json", secret_workflow())}
            response = getattr(client, method)(url, payload)
        else:
            response = getattr(client, method)(url, payload, content_type="application/json")
        assert response.status_code in (302, 400, 401, 403, 404, 405), (
            f"{method} {url} -> {response.status_code}"
        )
        walked[f"{method.upper()} {url}"] = response_text(response)

    for where, text in walked.items():
        assert_no_secret(where, text)
    assert_no_secret("the cache", everything_in_the_cache())
    assert_no_secret(
        "the log", caplog.text + "\n".join(repr(record.args) for record in caplog.records)
    )
    # The public view is there, with what a buyer needs to know.
    public = client.get(f"/api/v1/posts/{places['listed_post']}/").json()["blueprint"]
    assert public["listed"] is True and public["latest_version"] == 1
    assert {resource["name"] for resource in public["version"]["resources"]} >= {
        "styles/ink_wash.safetensors"
    }
    assert client.get(f"/api/v1/posts/{places['draft_post']}/").json()["blueprint"] is None
    # Nothing the visitor sent changed anything.
    assert BlueprintVersion.objects.count() == 2
    assert BlueprintVersion.objects.get(pk=places["draft"]).state == VersionState.DRAFT


def test_the_owner_sees_every_secret_but_the_raw_workflow(owner: Any, make_post: Any) -> None:
    places = secret_blueprints(owner, make_post)
    client = Client()
    client.force_login(owner)

    api = response_text(client.get(f"/api/v1/blueprint-versions/{places['draft']}/"))
    page = response_text(client.get(f"/blueprint-versions/{places['listed']}/"))

    expected = sorted(set(SECRETS.values()) - WORKFLOW_ONLY)
    assert sorted(find_secrets(api)) == expected
    assert sorted(find_secrets(page)) == expected


def test_the_walk_detects_a_leak() -> None:
    assert find_secrets('{"strength_model": 0.8173}') == ["0.8173"]
    with pytest.raises(AssertionError):
        assert_no_secret("/api/v1/posts/1/", "seed 918273645501")
    assert_no_secret("/?q=zyglowpromptword", 'value="zyglowpromptword"')
