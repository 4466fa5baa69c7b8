"""Downloads from a real S3 server (Ceph radosgw, started by scripts/s3-test-server): the
presigned URL works, and a tampered or expired one is refused by the server itself (moto
would accept both; see INFRA_NOTES "S3")."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from rest_framework.test import APIClient

from marketplace.commerce.models import Entitlement
from marketplace.commerce.services.bundle import buyer_fingerprint
from marketplace.commerce.services.catalog import ProductRef
from marketplace.commerce.services.checkout import checkout_start

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "s3-test-server"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[dict[str, str]]:
    """The server's environment: from the environment when the test command started it, else
    started here (the script is idempotent) and stopped at the end of the session."""
    if os.environ.get("S3_ENDPOINT_URL") and os.environ.get("KILN_TEST_S3_BUCKET"):
        keys = (
            "S3_ENDPOINT_URL",
            "S3_ACCESS_KEY_ID",
            "S3_SECRET_ACCESS_KEY",
            "KILN_TEST_S3_BUCKET",
        )
        yield {key: os.environ[key] for key in keys}
        return
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.fail(f"scripts/s3-test-server failed ({result.returncode}): {result.stderr[-2000:]}")
    env = {}
    for line in result.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = value
    yield env
    subprocess.run([str(SCRIPT), "stop"], capture_output=True, timeout=60, check=False)


@pytest.fixture
def s3_storage(settings: Any, s3_server: dict[str, str]) -> None:
    import boto3

    options = {
        "bucket_name": s3_server["KILN_TEST_S3_BUCKET"],
        "endpoint_url": s3_server["S3_ENDPOINT_URL"],
        "access_key": s3_server["S3_ACCESS_KEY_ID"],
        "secret_key": s3_server["S3_SECRET_ACCESS_KEY"],
        "region_name": "us-east-1",
        "signature_version": "s3v4",
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "location": "private",
    }
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name="us-east-1",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=options["bucket_name"])
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }


def fetch(url: str) -> tuple[int, bytes]:
    try:
        # Only http URLs of the local test server reach here.
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def owned_blueprint(owner: Any, buyer: Any, shop_factory: Any) -> Entitlement:
    shop = shop_factory(owner, recipe_price=0, blueprint_price=0)
    checkout_start(buyer=buyer, refs=[ProductRef("blueprint", shop.blueprint.pk)])
    return Entitlement.objects.get(buyer=buyer)


def download_location(buyer: Any, entitlement: Entitlement) -> str:
    client = APIClient()
    client.force_authenticate(buyer)
    response = client.get(f"/api/v1/library/{entitlement.pk}/download/")
    assert response.status_code == 302
    return str(response["Location"])


def test_a_presigned_download_serves_the_fingerprinted_zip(
    s3_storage: None, owned_blueprint: Entitlement, buyer: Any, s3_server: dict[str, str]
) -> None:
    url = download_location(buyer, owned_blueprint)

    status, body = fetch(url)

    assert url.startswith(s3_server["S3_ENDPOINT_URL"]) and "X-Amz-Signature=" in url
    assert status == 200
    workflow = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("workflow.json"))
    assert workflow["extra"]["kiln"]["fingerprint"] == buyer_fingerprint(
        entitlement=owned_blueprint
    )


def test_the_object_without_a_signature_is_private(
    s3_storage: None, owned_blueprint: Entitlement, buyer: Any
) -> None:
    url = download_location(buyer, owned_blueprint)

    assert fetch(url.split("?", 1)[0])[0] == 403


def test_a_tampered_presigned_url_is_refused(
    s3_storage: None, owned_blueprint: Entitlement, buyer: Any
) -> None:
    url = download_location(buyer, owned_blueprint)
    signature = url.split("X-Amz-Signature=", 1)[1].split("&", 1)[0]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]

    assert fetch(url.replace(signature, flipped))[0] == 403
    assert fetch(url.replace("X-Amz-Expires=300", "X-Amz-Expires=600"))[0] == 403
    assert fetch(url.replace(".zip?", ".zip.x?"))[0] == 403


def test_an_expired_presigned_url_is_refused(
    s3_storage: None, owned_blueprint: Entitlement, buyer: Any
) -> None:
    from django.core.files.storage import storages

    fresh = download_location(buyer, owned_blueprint)
    name = urllib.parse.unquote(fresh.split("?", 1)[0].split("/private/", 1)[1])
    # The same object's link, signed as if two hours ago with the five-minute lifetime Kiln
    # uses: expired, with no sleeping.
    two_hours_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=2)
    with mock.patch("botocore.auth.get_current_datetime", return_value=two_hours_ago):
        expired = storages["default"].url(name)
    # Control: signed in the past but still within its lifetime, the same kind of link works,
    # so the 403 below is the expiry and not the clock skew.
    with mock.patch(
        "botocore.auth.get_current_datetime", return_value=two_hours_ago + timedelta(minutes=118)
    ):
        still_valid = storages["default"].url(name)

    status, body = fetch(expired)

    assert (fetch(fresh)[0], fetch(still_valid)[0]) == (200, 200)
    assert "X-Amz-Expires=300" in expired
    assert status == 403
    assert b"AccessDenied" in body
