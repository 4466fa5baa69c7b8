"""Blueprint versions through the API: upload, permissions, resolution, linking, submit, publish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from blueprints.models import Blueprint, BlueprintResource, BlueprintVersion, VersionState
from marketplace.gallery.models import Post
from tests.blueprints.blueprint_helpers import (
    LORA_STACK_FILES,
    add_lora_stack_models,
    add_model,
    bearer,
    client_for,
    corpus_upload,
    create_version,
    force_state,
    make_seller,
    row_counts,
    stored_files,
    verified_version,
)
from tests.renderworker.workflow.upload_samples import png_with_text, raw_png


def versions_url(post: Post) -> str:
    return f"/api/v1/posts/{post.pk}/blueprint/versions/"


def version_url(version: BlueprintVersion | int, action: str = "") -> str:
    pk = version if isinstance(version, int) else version.pk
    return f"/api/v1/blueprint-versions/{pk}/" + (f"{action}/" if action else "")


def upload_version(
    client: APIClient,
    post: Post,
    relative: str = "generated/sd15_lora_stack.ui.json",
    **fields: Any,
) -> Any:
    return client.post(
        versions_url(post), {"file": corpus_upload(relative), **fields}, format="multipart"
    )


# --- Upload and permissions ----------------------------------------------------------------------


def test_owner_uploads_a_draft_with_everything_extracted(
    owner: Any, make_post: Any, tmp_path: Path
) -> None:
    post = make_post(owner)

    response = upload_version(
        client_for(owner), post, notes="Use *low* denoise.", price="450", currency="EUR"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1
    assert body["state"] == "draft"
    assert body["full"] is True
    assert body["price"] == {"amount": 450, "currency": "eur", "label": "€4.50", "is_free": False}
    assert body["notes"] == "Use *low* denoise."
    assert body["notes_html"] == "<p>Use <em>low</em> denoise.</p>"
    assert {(r["kind"], r["name"]) for r in body["resources"]} == LORA_STACK_FILES
    assert all(r["resolved"] is False for r in body["resources"])
    assert body["settings"]["seeds"][0]["value"] == 7
    assert body["settings"]["samplers"][0]["steps"] == 25
    assert [event["to_state"] for event in body["events"]] == ["draft"]
    assert body["verification_runs"] == []
    assert body["can_submit"] is False
    assert {b["code"] for b in body["submit_blockers"]} == {"unresolved_resource"}
    assert body["licence"]["unresolved_count"] == 6
    version = BlueprintVersion.objects.get()
    assert version.graph_api["5"]["inputs"]["seed"] == 7
    assert version.source_file.name.startswith("blueprints/")
    assert len(stored_files(tmp_path)) == 1
    assert Blueprint.objects.get().price_minor == 450
    # A draft is private: nothing changes on the post's public facets.
    post.refresh_from_db()
    assert (post.has_blueprint, post.has_verified_blueprint, post.min_price_minor) == (
        False,
        False,
        None,
    )


def test_second_upload_is_version_two(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    client = client_for(owner)
    upload_version(client, post)

    response = upload_version(client, post, relative="generated/sd15_default.png")

    assert response.status_code == 201
    assert response.json()["number"] == 2
    assert response.json()["source"]["format"] == "api+ui"
    assert list(BlueprintVersion.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]


def test_stranger_gets_403_json_and_nothing_is_saved(
    owner: Any, stranger: Any, make_post: Any, tmp_path: Path
) -> None:
    post = make_post(owner)
    before = row_counts()

    response = upload_version(client_for(stranger), post)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert row_counts() == before
    assert stored_files(tmp_path) == []


def test_anonymous_upload_is_refused(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    response = upload_version(APIClient(), post)

    assert response.status_code in (401, 403)
    assert BlueprintVersion.objects.count() == 0


def test_read_only_token_cannot_upload(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    response = upload_version(bearer(owner, "read"), post)

    assert response.status_code == 403
    assert BlueprintVersion.objects.count() == 0


def test_write_token_can_upload(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    assert upload_version(bearer(owner, "read", "write"), post).status_code == 201


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"price": "-1"}, "invalid_price", "price"),
        ({"price": "4.99"}, "invalid_price", "price"),
        ({"price": "1000001"}, "invalid_price", "price"),
        ({"price": "99999999999999999999"}, "invalid_price", "price"),
        ({"currency": "btc"}, "invalid_currency", "currency"),
        ({"notes": "x" * 20_001}, "too_long", "notes"),
    ],
)
def test_bad_fields_are_specific_errors_and_save_nothing(
    owner: Any, make_post: Any, tmp_path: Path, fields: dict[str, str], code: str, field: str
) -> None:
    post = make_post(owner)

    response = upload_version(client_for(owner), post, **fields)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    assert BlueprintVersion.objects.count() == 0
    assert Blueprint.objects.count() == 0
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("bomb.png", raw_png(100_000, 100_000)), "image_too_large"),
        (SimpleUploadedFile("plain.png", png_with_text({})), "no_metadata"),
        (SimpleUploadedFile("w.webp", b'{"1": {}}'), "extension_mismatch"),
        (
            SimpleUploadedFile(
                "w.json", b'{"1": {"class_type": "KSampler", "inputs": {"model": ["9", 0]}}}'
            ),
            "dangling_link",
        ),
        (SimpleUploadedFile("w.json", b'{"a":' * 100 + b"1" + b"}" * 100), "json_too_deep"),
        (
            SimpleUploadedFile(
                "a.png",
                png_with_text(
                    {
                        "parameters": "a cat\nSteps: 20, Sampler: Euler, CFG scale: 7, "
                        "Seed: 1, Size: 512x512"
                    }
                ),
            ),
            "no_graph",
        ),
    ],
)
def test_bad_files_save_nothing(
    owner: Any, make_post: Any, tmp_path: Path, upload: SimpleUploadedFile, code: str
) -> None:
    post = make_post(owner)

    response = client_for(owner).post(versions_url(post), {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == "file"
    assert row_counts()["versions"] == 0 and row_counts()["blueprints"] == 0
    assert stored_files(tmp_path) == []


def test_unknown_custom_node_is_refused_with_every_problem(owner: Any, make_post: Any) -> None:
    post = make_post(owner)

    response = upload_version(
        client_for(owner), post, relative="generated/custom_node_mappable.ui.json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_node_type"
    assert "Seed (rgthree)" in error["message"]
    assert [p["code"] for p in error["details"]["problems"]] == ["unknown_node_type"]
    assert "analysis" not in error["details"]
    assert BlueprintVersion.objects.count() == 0


def test_upload_on_missing_or_foreign_draft_post_is_404(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    response = client_for(owner).post(
        "/api/v1/posts/999999/blueprint/versions/",
        {"file": corpus_upload("handwritten/comfy_default_sd15.api.json")},
        format="multipart",
    )

    assert response.status_code == 404


# --- Resolution ----------------------------------------------------------------------------------


def test_resources_resolve_by_file_name_kind_and_embedding_stem(owner: Any, make_post: Any) -> None:
    models = add_lora_stack_models(owner)
    post = make_post(owner)

    version = create_version(post, owner)

    resolved = {
        (r.kind, r.name): (r.model_version_id, r.resolved_by) for r in version.resources.all()
    }
    assert resolved[("lora", "styles/ink_wash.safetensors")] == (
        models["ink_wash.safetensors"].pk,
        "filename",
    )
    assert resolved[("embedding", "fine_detail")] == (
        models["fine_detail.safetensors"].pk,
        "filename",
    )
    assert all(how == "filename" for _, how in resolved.values())


def test_same_file_name_of_another_kind_does_not_resolve(owner: Any, make_post: Any) -> None:
    add_model(owner, filename="detail_tweaker.safetensors", kind="checkpoint", seed=3)
    post = make_post(owner)

    version = create_version(post, owner)

    assert version.resources.get(name="detail_tweaker.safetensors").model_version is None


def test_two_catalog_files_with_the_same_name_leave_it_unresolved(
    owner: Any, make_post: Any
) -> None:
    add_model(owner, filename="detail_tweaker.safetensors", kind="lora", seed=3)
    add_model(owner, filename="detail_tweaker.safetensors", kind="lora", seed=4)
    post = make_post(owner)

    version = create_version(post, owner)

    assert version.resources.get(name="detail_tweaker.safetensors").model_version is None


def test_models_list_sha256_resolves_even_under_another_file_name(
    owner: Any, make_post: Any
) -> None:
    renamed = add_model(owner, filename="my-own-name.safetensors", kind="checkpoint", seed=9)
    ui = corpus_upload("handwritten/comfy_default_sd15.ui.json").read()
    import json

    workflow = json.loads(ui)
    workflow["models"] = [
        {
            "name": "v1-5-pruned-emaonly.safetensors",
            "hash": renamed.sha256.upper(),
            "hash_type": "SHA256",
            "directory": "checkpoints",
        }
    ]
    post = make_post(owner)

    response = client_for(owner).post(
        versions_url(post),
        {"file": SimpleUploadedFile("w.json", json.dumps(workflow).encode())},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    (resource,) = [r for r in response.json()["resources"] if r["kind"] == "checkpoint"]
    assert (resource["resolved"], resource["resolved_by"], resource["model"]["sha256"]) == (
        True,
        "sha256",
        renamed.sha256,
    )


def test_declared_hash_resolves_when_the_file_is_uploaded_later(
    owner: Any, make_post: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import json

    from tests.blueprints.blueprint_helpers import safetensors_bytes

    data = safetensors_bytes(42)
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    workflow = json.loads(corpus_upload("handwritten/comfy_default_sd15.ui.json").read())
    workflow["models"] = [
        {
            "name": "v1-5-pruned-emaonly.safetensors",
            "hash": digest,
            "hash_type": "SHA256",
            "directory": "checkpoints",
        }
    ]
    post = make_post(owner)
    client = client_for(owner)
    client.post(
        versions_url(post),
        {"file": SimpleUploadedFile("w.json", json.dumps(workflow).encode())},
        format="multipart",
    )
    resource = BlueprintResource.objects.get(kind="checkpoint")
    assert (resource.model_version, resource.declared_sha256) == (None, digest)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/models/",
            {
                "file": SimpleUploadedFile("other-name.safetensors", data),
                "name": "SD 1.5",
                "kind": "checkpoint",
            },
            format="multipart",
        )

    assert response.status_code == 201
    resource.refresh_from_db()
    assert (resource.model_version_id, resource.resolved_by) == (response.json()["id"], "sha256")


# --- Linking -------------------------------------------------------------------------------------


@pytest.mark.parametrize("identity", ["sha256", "autov2", "air"])
def test_owner_links_an_unresolved_resource_by_any_identity(
    owner: Any, make_post: Any, identity: str
) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    model = add_model(
        owner,
        filename="renamed.safetensors",
        kind="lora",
        seed=11,
        air="urn:air:sd1:lora:civitai:58390@62833",
    )
    resource = version.resources.get(name="detail_tweaker.safetensors")

    response = client_for(owner).post(
        version_url(version, f"resources/{resource.pk}/link"),
        {identity: getattr(model, identity)},
        format="json",
    )

    assert response.status_code == 200, response.json()
    linked = next(r for r in response.json()["resources"] if r["id"] == resource.pk)
    assert (linked["resolved"], linked["resolved_by"], linked["model"]["sha256"]) == (
        True,
        "link",
        model.sha256,
    )


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "one_identity", "sha256"),
        ({"sha256": "a" * 64, "autov2": "b" * 10}, "one_identity", "autov2"),
        ({"sha256": "zz"}, "invalid_hash", "sha256"),
        ({"sha256": "a" * 64}, "model_not_found", "sha256"),
        ({"air": "not-an-air"}, "invalid_air", "air"),
    ],
)
def test_bad_links_are_specific_errors_and_change_nothing(
    owner: Any, make_post: Any, body: dict[str, str], code: str, field: str
) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    resource = version.resources.get(name="detail_tweaker.safetensors")

    response = client_for(owner).post(
        version_url(version, f"resources/{resource.pk}/link"), body, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    resource.refresh_from_db()
    assert resource.model_version is None


def test_linking_a_file_of_another_kind_is_refused(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    vae = add_model(owner, filename="some.vae.safetensors", kind="vae", seed=12)
    resource = version.resources.get(name="detail_tweaker.safetensors")

    response = client_for(owner).post(
        version_url(version, f"resources/{resource.pk}/link"), {"sha256": vae.sha256}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "kind_mismatch"


def test_linking_outside_draft_is_refused(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = verified_version(post, owner)
    other = add_model(owner, filename="x.safetensors", kind="lora", seed=77)
    resource = version.resources.get(name="detail_tweaker.safetensors")

    response = client_for(owner).post(
        version_url(version, f"resources/{resource.pk}/link"),
        {"sha256": other.sha256},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_draft"
    resource.refresh_from_db()
    assert resource.model_version.sha256 != other.sha256


def test_stranger_cannot_link_or_even_see_a_draft(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner)
    version = create_version(post, owner)
    model = add_model(stranger, filename="detail_tweaker.safetensors", kind="lora", seed=13)
    resource = version.resources.get(name="detail_tweaker.safetensors")

    response = client_for(stranger).post(
        version_url(version, f"resources/{resource.pk}/link"),
        {"sha256": model.sha256},
        format="json",
    )

    assert response.status_code == 404
    resource.refresh_from_db()
    assert resource.model_version is None


# --- Licences and submit -------------------------------------------------------------------------


def test_a_non_commercial_resource_blocks_a_paid_submit(owner: Any, make_post: Any) -> None:
    add_lora_stack_models(owner)
    add_model(owner, filename="nc.safetensors", kind="lora", seed=50, commercial_use=False)
    post = make_post(owner)
    version = create_version(post, owner, price_minor=500)
    resource = version.resources.get(name="detail_tweaker.safetensors")
    client = client_for(owner)
    client.post(
        version_url(version, f"resources/{resource.pk}/link"),
        {
            "sha256": add_model(
                owner, filename="nc2.safetensors", kind="lora", seed=51, commercial_use=False
            ).sha256
        },
        format="json",
    )

    detail = client.get(version_url(version)).json()
    response = client.post(version_url(version, "submit"))

    assert detail["licence"]["commercial_use"] is False
    assert detail["licence"]["selling_blocked_by"] == [
        "lora 'detail_tweaker.safetensors' forbids commercial use"
    ]
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_submittable"
    assert [b["code"] for b in error["details"]["blockers"]] == ["licence_forbids_sale"]
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_a_non_commercial_resource_is_fine_for_a_free_blueprint(owner: Any, make_post: Any) -> None:
    add_lora_stack_models(owner, commercial_use=False)
    post = make_post(owner)
    version = create_version(post, owner, price_minor=0)

    response = client_for(owner).post(version_url(version, "submit"))

    assert response.status_code == 200, response.json()
    assert response.json()["licence"]["commercial_use"] is False
    assert response.json()["state"] == "submitted"


def test_submit_with_unresolved_resources_lists_each_one(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = create_version(post, owner)

    response = client_for(owner).post(version_url(version, "submit"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("not_submittable", "resources")
    assert sorted(b["message"] for b in error["details"]["blockers"]) == sorted(
        f"{kind} {name!r} is not in the catalog: upload or link it."
        for kind, name in LORA_STACK_FILES
    )
    assert version.events.count() == 1


def test_unsupported_nodes_block_submit(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = create_version(post, owner, "generated/flux_unet_dual_clip.ui.json")
    for index, resource in enumerate(version.resources.all()):
        model = add_model(
            owner, filename=f"f{index}.safetensors", kind=resource.kind, seed=60 + index
        )
        client_for(owner).post(
            version_url(version, f"resources/{resource.pk}/link"),
            {"sha256": model.sha256},
            format="json",
        )

    response = client_for(owner).post(version_url(version, "submit"))

    assert response.status_code == 400
    assert {b["code"] for b in response.json()["error"]["details"]["blockers"]} == {
        "unsupported_node"
    }


def test_submit_moves_a_complete_draft_to_submitted_and_logs_it(owner: Any, make_post: Any) -> None:
    add_lora_stack_models(owner)
    post = make_post(owner)
    version = create_version(post, owner, price_minor=300)

    response = client_for(owner).post(version_url(version, "submit"))

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted"
    assert [(e["from_state"], e["to_state"], e["actor"]) for e in body["events"]] == [
        (None, "draft", "owner"),
        ("draft", "submitted", "owner"),
    ]
    assert body["submitted_at"] is not None
    # Submitted Blueprints are public as "on their way", not yet for sale.
    post.refresh_from_db()
    assert (post.has_blueprint, post.has_verified_blueprint, post.min_price_minor) == (
        True,
        False,
        None,
    )


def test_submitting_twice_is_refused(owner: Any, make_post: Any) -> None:
    add_lora_stack_models(owner)
    post = make_post(owner)
    version = create_version(post, owner)
    client = client_for(owner)
    client.post(version_url(version, "submit"))

    response = client.post(version_url(version, "submit"))

    assert response.status_code == 400
    assert [b["code"] for b in response.json()["error"]["details"]["blockers"]] == [
        "invalid_transition"
    ]
    assert version.events.count() == 2


# --- Publish -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [(), (VersionState.SUBMITTED,), (VersionState.SUBMITTED, VersionState.VERIFYING)]
)
def test_only_verified_versions_can_be_published(
    owner: Any, make_post: Any, path: tuple[str, ...]
) -> None:
    add_lora_stack_models(owner)
    post = make_post(owner)
    version = force_state(create_version(post, owner), *path)

    response = client_for(owner).post(version_url(version, "publish"))

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "not_verified",
        "state",
    )
    version.refresh_from_db()
    assert version.state == (path[-1] if path else VersionState.DRAFT)


def test_publishing_lists_the_version_and_updates_the_post_facets(
    owner: Any, make_post: Any
) -> None:
    post = make_post(owner)
    make_seller(owner)
    version = verified_version(post, owner, price_minor=799)

    response = client_for(owner).post(version_url(version, "publish"))

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "listed"
    assert [e["to_state"] for e in response.json()["events"]] == [
        "draft",
        "submitted",
        "verifying",
        "verified",
        "listed",
    ]
    post.refresh_from_db()
    assert (
        post.has_blueprint,
        post.has_verified_blueprint,
        post.min_price_minor,
        post.currency,
        post.base_model,
    ) == (
        True,
        True,
        799,
        "usd",
        "sd15",
    )


def test_min_price_is_the_cheapest_of_recipe_and_blueprint(owner: Any, make_post: Any) -> None:
    from marketplace.recipes import services as recipe_services

    post = make_post(owner)
    make_seller(owner)
    version = verified_version(post, owner, price_minor=799)
    client_for(owner).post(version_url(version, "publish"))
    recipe_services.recipe_upsert(
        post=post,
        user=owner,
        data={"tool": "comfyui", "prompt": "a dune", "price": {"amount": 1200, "currency": "usd"}},
    )
    post.refresh_from_db()
    assert (post.min_price_minor, post.has_recipe, post.has_verified_blueprint) == (799, True, True)

    recipe_services.recipe_upsert(
        post=post,
        user=owner,
        data={"tool": "comfyui", "prompt": "a dune", "price": {"amount": 100, "currency": "usd"}},
    )

    post.refresh_from_db()
    assert post.min_price_minor == 100


def test_a_new_draft_does_not_reprice_the_listed_version(owner: Any, make_post: Any) -> None:
    post = make_post(owner)
    make_seller(owner)
    version = verified_version(post, owner, price_minor=799)
    client = client_for(owner)
    client.post(version_url(version, "publish"))

    upload_version(client, post, price="5000")

    post.refresh_from_db()
    assert Blueprint.objects.get().price_minor == 799
    assert post.min_price_minor == 799
    assert (
        APIClient().get(f"/api/v1/posts/{post.pk}/").json()["blueprint"]["price"]["amount"] == 799
    )


def test_stranger_cannot_publish_a_verified_version(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner)
    version = verified_version(post, owner)

    response = client_for(stranger).post(version_url(version, "publish"))

    assert response.status_code == 404
    version.refresh_from_db()
    assert version.state == VersionState.VERIFIED


def test_stranger_cannot_submit_a_listed_version_either(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    post = make_post(owner)
    version = verified_version(post, owner)
    client_for(owner).post(version_url(version, "publish"))

    response = client_for(stranger).post(version_url(version, "submit"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


# --- Reading a version ---------------------------------------------------------------------------


def test_others_get_404_for_unlisted_versions(owner: Any, stranger: Any, make_post: Any) -> None:
    post = make_post(owner)
    version = verified_version(post, owner)

    for client in (APIClient(), client_for(stranger)):
        response = client.get(version_url(version))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_version_detail_has_a_fixed_number_of_queries(
    owner: Any, make_post: Any, django_assert_max_num_queries: Any
) -> None:
    add_lora_stack_models(owner)
    post = make_post(owner)
    version = create_version(post, owner)
    client = client_for(owner)

    with django_assert_max_num_queries(8):
        response = client.get(version_url(version))

    assert response.status_code == 200
    assert len(response.json()["resources"]) == 6


def test_files_uploaded_later_resolve_waiting_drafts_by_name(
    owner: Any, make_post: Any, django_capture_on_commit_callbacks: Any
) -> None:
    post = make_post(owner)
    version = create_version(post, owner)

    with django_capture_on_commit_callbacks(execute=True):
        embedding = add_model(owner, filename="fine_detail.safetensors", kind="embedding", seed=80)
        lora = add_model(owner, filename="ink_wash.safetensors", kind="lora", seed=81)
        add_model(owner, filename="unrelated.safetensors", kind="lora", seed=82)

    resolved = {
        r.name: (r.model_version_id, r.resolved_by)
        for r in version.resources.filter(model_version__isnull=False)
    }
    assert resolved == {
        "fine_detail": (embedding.pk, "filename"),
        "styles/ink_wash.safetensors": (lora.pk, "filename"),
    }


def test_a_creator_without_payouts_can_publish_free_but_not_paid(
    owner: Any, make_post: Any
) -> None:
    paid = verified_version(make_post(owner), owner, price_minor=500)
    free = verified_version(make_post(owner), owner, price_minor=0)
    client = client_for(owner)

    refused = client.post(version_url(paid, "publish"))
    listed = client.post(version_url(free, "publish"))

    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (
        "payouts_not_ready",
        "price",
    )
    assert "Set up payouts" in refused.json()["error"]["message"]
    paid.refresh_from_db()
    assert paid.state == VersionState.VERIFIED
    assert listed.status_code == 200 and listed.json()["state"] == "listed"


def test_a_listed_version_shows_others_exactly_the_public_fields(
    owner: Any, stranger: Any, make_post: Any
) -> None:
    make_seller(owner)
    post = make_post(owner)
    version = verified_version(post, owner, price_minor=250, notes="secret notes")
    client_for(owner).post(version_url(version, "publish"))

    body = client_for(stranger).get(version_url(version)).json()

    assert set(body) == {
        "id", "number", "state", "full", "post_id", "price", "verification", "node_count",
        "base_model_family", "sampler_family", "resources", "listed_at",
    }  # fmt: skip
    assert body["full"] is False
    assert (body["node_count"], body["base_model_family"], body["sampler_family"]) == (
        11,
        "sd15",
        "ancestral",
    )
    ink = next(r for r in body["resources"] if r["name"] == "styles/ink_wash.safetensors")
    assert set(ink) == {"kind", "name", "model"}
    assert set(ink["model"]) == {
        "name",
        "version",
        "sha256",
        "autov2",
        "air",
        "source_url",
        "licence",
    }


def test_post_detail_with_a_listed_blueprint_has_a_fixed_number_of_queries(
    owner: Any, make_post: Any, django_assert_max_num_queries: Any
) -> None:
    make_seller(owner)
    post = make_post(owner)
    version = verified_version(post, owner, price_minor=250)
    client_for(owner).post(version_url(version, "publish"))
    client = APIClient()

    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/posts/{post.pk}/")

    blueprint = response.json()["blueprint"]
    assert (blueprint["listed"], blueprint["latest_version"], blueprint["verified"]) == (
        True,
        1,
        True,
    )
    assert blueprint["price"]["amount"] == 250
    assert len(blueprint["version"]["resources"]) == 6
