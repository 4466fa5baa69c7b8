"""The Blueprint wizard and panel in the browser: upload, review, link, submit, publish."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from blueprints.models import BlueprintVersion, ModelVersion, VersionState
from tests.blueprints.blueprint_helpers import (
    add_lora_stack_models,
    add_model,
    corpus_upload,
    create_version,
    make_seller,
    row_counts,
    safetensors_bytes,
    stored_files,
    verified_version,
)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_the_owner_sees_add_a_blueprint_on_the_post_page(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    page = text(logged_in(owner).get(f"/posts/{post.pk}/"))

    assert f'href="/posts/{post.pk}/blueprint/new/"' in page
    assert "Add a Blueprint" in page


def test_visitors_see_no_blueprint_yet_and_no_upload_link(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner)

    page = text(logged_in(stranger).get(f"/posts/{post.pk}/"))

    assert "No Blueprint for this image yet." in page
    assert "/blueprint/new/" not in page


def test_upload_then_review_everything_extracted(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    client = logged_in(owner)
    assert client.get(f"/posts/{post.pk}/blueprint/new/").status_code == 200

    response = client.post(
        f"/posts/{post.pk}/blueprint/new/",
        {
            "file": corpus_upload("generated/sd15_lora_stack.ui.json"),
            "notes": "Try *it*.",
            "price": "4.50",
            "currency": "usd",
        },
    )

    version = BlueprintVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/blueprint-versions/{version.pk}/"
    assert version.price_minor == 450
    page = text(client.get(response["Location"]))
    assert "Blueprint version 1" in page
    assert 'bp-state--draft">Draft<' in page
    assert page.count("not found — upload or link it") == 6
    assert "styles/ink_wash.safetensors" in page
    assert "model -0.5, clip 1.25" in page  # LoRA strengths of node 10
    assert "euler_ancestral" in page
    assert "<em>it</em>" in page
    assert "Submit for verification" in page
    assert page.count('action="/blueprint-versions/') >= 7  # a link form per resource, and submit
    assert "/models/upload/?kind=lora&amp;filename=styles%2Fink_wash.safetensors" in page
    assert "uploaded" in page  # the event log


def test_a_bad_file_is_shown_next_to_the_field_and_nothing_is_saved(
    owner: Any, make_post: Any, tmp_path: Path
) -> None:
    post = make_post(owner)

    response = logged_in(owner).post(
        f"/posts/{post.pk}/blueprint/new/",
        {"file": SimpleUploadedFile("w.json", b'{"nodes": ['), "price": ""},
    )

    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="id_file_error">(<p class="field__error">)?[^<]*JSON', page)
    assert row_counts()["versions"] == 0
    assert stored_files(tmp_path) == []


def test_a_bad_price_is_shown_next_to_the_price(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    response = logged_in(owner).post(
        f"/posts/{post.pk}/blueprint/new/",
        {
            "file": corpus_upload("handwritten/comfy_default_sd15.api.json"),
            "price": "4.999",
            "currency": "usd",
        },
    )

    assert response.status_code == 400
    assert 'id="id_price_error"' in text(response)
    assert "more than 2 decimals" in text(response)
    assert BlueprintVersion.objects.count() == 0


def test_graph_problems_are_all_listed(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    workflow = b'{"1": {"class_type": "KSampler", "inputs": {"model": ["9", 0], "steps": -3}}}'

    response = logged_in(owner).post(
        f"/posts/{post.pk}/blueprint/new/", {"file": SimpleUploadedFile("w.json", workflow)}
    )

    assert response.status_code == 400
    assert "More problems in this workflow" in text(response)
    assert BlueprintVersion.objects.count() == 0


def test_strangers_cannot_open_the_wizard_or_a_draft(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    client = logged_in(stranger)

    assert client.get(f"/posts/{post.pk}/blueprint/new/").status_code == 403
    assert (
        client.post(
            f"/posts/{post.pk}/blueprint/new/",
            {"file": corpus_upload("handwritten/comfy_default_sd15.api.json")},
        ).status_code
        == 403
    )
    assert client.get(f"/blueprint-versions/{version.pk}/").status_code == 404
    assert client.post(f"/blueprint-versions/{version.pk}/submit/").status_code == 404
    assert BlueprintVersion.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    response = Client().get(f"/posts/{post.pk}/blueprint/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_linking_a_resource_and_the_error_next_to_it(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    resource = version.resources.get(name="detail_tweaker.safetensors")
    model = add_model(owner, filename="tweaker-v2.safetensors", kind="lora", seed=21)
    client = logged_in(owner)
    url = f"/blueprint-versions/{version.pk}/resources/{resource.pk}/link/"

    bad = client.post(url, {f"r{resource.pk}-identity": "nonsense"})
    missing = client.post(url, {f"r{resource.pk}-identity": "f" * 64})
    good = client.post(url, {f"r{resource.pk}-identity": model.autov2})

    assert bad.status_code == 400 and "is not a model identity" in text(bad)
    assert f'id="id_r{resource.pk}-identity_error"' in text(bad)
    assert missing.status_code == 400 and "is in Kiln&#x27;s catalog" in text(missing)
    assert good.status_code == 302
    resource.refresh_from_db()
    assert (resource.model_version_id, resource.resolved_by) == (model.pk, "link")


def test_submit_shows_the_blockers_then_succeeds_once_resolved(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    client = logged_in(owner)

    blocked = client.post(f"/blueprint-versions/{version.pk}/submit/")
    assert blocked.status_code == 400
    assert "cannot be submitted yet" in text(blocked)
    assert text(blocked).count("is not in the catalog: upload or link it.") >= 6

    for index, resource in enumerate(version.resources.all()):
        model = add_model(
            owner, filename=f"file{index}.safetensors", kind=resource.kind, seed=30 + index
        )
        client.post(
            f"/blueprint-versions/{version.pk}/resources/{resource.pk}/link/",
            {f"r{resource.pk}-identity": model.sha256},
        )
    submitted = client.post(f"/blueprint-versions/{version.pk}/submit/")

    assert submitted.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    page = text(client.get(f"/blueprint-versions/{version.pk}/"))
    assert "Waiting for a GPU worker" in page
    assert "Submit for verification" not in page


def test_publish_puts_the_public_panel_on_the_post_page(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner)
    make_seller(owner)
    version = verified_version(post, owner, price_minor=650)
    client = logged_in(owner)
    assert "Publish at $6.50" in text(client.get(f"/blueprint-versions/{version.pk}/"))

    response = client.post(f"/blueprint-versions/{version.pk}/publish/")

    assert response.status_code == 302
    public = text(logged_in(stranger).get(f"/posts/{post.pk}/"))
    assert "$6.50" in public
    assert "Models it needs" in public
    checkpoint = ModelVersion.objects.get(filename="v1-5-pruned-emaonly.safetensors")
    assert f'title="{checkpoint.sha256}"' in public
    assert "styles/ink_wash.safetensors" in public
    assert "Verified" in public
    # A stranger opening the listed version's page is sent to the post.
    assert logged_in(stranger).get(f"/blueprint-versions/{version.pk}/").status_code == 404


def test_publish_of_an_unverified_version_shows_why(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    add_lora_stack_models(owner)
    version = create_version(post, owner)

    response = logged_in(owner).post(f"/blueprint-versions/{version.pk}/publish/")

    assert response.status_code == 400
    assert "Only a verified version can be published; this one is draft." in text(response)


def test_model_upload_page_prefills_and_returns_to_the_version(
    owner: Any, make_post: Any, django_capture_on_commit_callbacks: Any
) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    client = logged_in(owner)
    back = f"/blueprint-versions/{version.pk}/"

    form = text(
        client.get(
            "/models/upload/",
            {"kind": "lora", "filename": "styles/ink_wash.safetensors", "next": back},
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/models/upload/",
            {
                "file": SimpleUploadedFile("ink_wash.safetensors", safetensors_bytes(40)),
                "name": "Ink wash",
                "kind": "lora",
                "commercial_use": "on",
                "next": back,
            },
        )

    assert 'value="ink_wash"' in form and '<option value="lora" selected>' in form
    assert response.status_code == 302 and response["Location"] == back
    resource = version.resources.get(name="styles/ink_wash.safetensors")
    resource.refresh_from_db()
    assert resource.model_version is not None  # resolved by file name once uploaded


def test_model_upload_refuses_a_pickle_next_to_the_file_field(owner: Any, tmp_path: Path) -> None:
    response = logged_in(owner).post(
        "/models/upload/",
        {
            "file": SimpleUploadedFile("model.ckpt", b"\x80\x02}q\x00."),
            "name": "Old",
            "kind": "checkpoint",
        },
    )

    assert response.status_code == 400
    assert 'id="id_file_error"' in text(response) and "pickle" in text(response)
    assert ModelVersion.objects.count() == 0
    assert stored_files(tmp_path) == []


def test_model_upload_ignores_an_off_site_next(owner: Any) -> None:
    response = logged_in(owner).post(
        "/models/upload/",
        {
            "file": SimpleUploadedFile("a.safetensors", safetensors_bytes(41)),
            "name": "A",
            "kind": "vae",
            "next": "https://evil.test/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/models/upload/"
