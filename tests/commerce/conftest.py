"""Commerce fixtures: a started Stripe stand-in wired to Django, an onboarded seller, and a
post selling a Recipe and a listed Blueprint.

Integration tests use ``live_server`` (so the stand-in's signed webhooks reach the real
views) and therefore ``transactional_db``; Celery runs eagerly, so the ``stripe`` queue's
task runs inside the webhook request, after commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from blueprints.models import (
    Blueprint,
    BlueprintResource,
    BlueprintVersion,
    ModelAsset,
    ModelVersion,
    VersionState,
)
from marketplace.commerce.services import connect
from marketplace.commerce.stripe_standin import StandInControl, StripeStandIn
from marketplace.gallery.services import post_product_facets_refresh
from marketplace.recipes import services as recipe_services
from marketplace.recipes.models import Recipe

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "workflows" / "handwritten"
CHECKPOINT_SHA = "ab" * 32


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Stripe:
    standin: StripeStandIn
    control: StandInControl


@pytest.fixture
def stripe_standin(settings: Any, live_server: Any) -> Iterator[Stripe]:
    """A stand-in on a free port whose webhooks go to this test's live server."""
    standin = StripeStandIn(
        webhook_url=f"{live_server.url}/stripe/webhook/",
        webhook_secret=django_settings.STRIPE_WEBHOOK_SECRET,
        connect_webhook_url=f"{live_server.url}/stripe/connect-webhook/",
        connect_webhook_secret=django_settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        retry_delays_seconds=(0.05, 0.1, 0.2),
    )
    standin.start()
    settings.STRIPE_API_BASE = standin.url
    settings.SITE_URL = live_server.url
    try:
        yield Stripe(standin=standin, control=StandInControl(base_url=standin.url))
    finally:
        standin.stop()


def onboard(user: Any, stripe: Stripe) -> None:
    """Create the seller's Express account and finish onboarding (``account.updated`` then
    reaches the Connect webhook, which stores the flags)."""
    account_id = connect.connect_account_ensure(user=user)
    stripe.control.onboard_account(account_id=account_id)
    stripe.control.wait_for_webhooks()
    user.profile.refresh_from_db()
    assert user.profile.can_sell_paid_items


@dataclass
class Shop:
    post: Any
    recipe: Recipe
    blueprint: Blueprint
    version: BlueprintVersion


def make_shop(
    owner: Any,
    make_post: Any,
    *,
    recipe_price: int = 499,
    blueprint_price: int = 1500,
    title: str = "Amber dunes at dusk",
) -> Shop:
    post = make_post(owner, title=title)
    recipe = recipe_services.recipe_upsert(
        post=post,
        user=owner,
        data={
            "tool": "midjourney",
            "prompt": "amber dunes, long shadows, secret-prompt-words",
            "params": {},
            "price": {"amount": recipe_price, "currency": "usd"},
        },
    ).recipe
    asset = ModelAsset.objects.create(name="SD 1.5 pruned", kind="checkpoint")
    model = ModelVersion.objects.get_or_create(
        sha256=CHECKPOINT_SHA,
        defaults={
            "asset": asset,
            "label": "emaonly",
            "filename": "v1-5-pruned-emaonly.safetensors",
            "autov1": "abababab",
            "autov2": "abababab",
            "size_bytes": 10,
            "air": "urn:air:sd1:checkpoint:kiln:1@1",
            "source_url": "https://example.test/sd15",
            "licence_name": "CreativeML OpenRAIL-M",
            "commercial_use": True,
        },
    )[0]
    blueprint = Blueprint.objects.create(post=post, price_minor=blueprint_price, currency="usd")
    version = BlueprintVersion.objects.create(
        blueprint=blueprint,
        number=1,
        state=VersionState.LISTED,
        source_format="ui",
        source_sha256="0" * 64,
        workflow_ui=json.loads((CORPUS / "comfy_default_sd15.ui.json").read_text()),
        graph_api=json.loads((CORPUS / "comfy_default_sd15.api.json").read_text()),
        analysis={"seeds": [{"node": "3", "value": 8566257}]},
        notes="Use a low CFG.",
        price_minor=blueprint_price,
        currency="usd",
    )
    BlueprintResource.objects.create(
        version=version,
        kind="checkpoint",
        name="v1-5-pruned-emaonly.safetensors",
        model_version=model,
    )
    post_product_facets_refresh(post_id=post.pk)
    post.refresh_from_db()
    return Shop(post=post, recipe=recipe, blueprint=blueprint, version=version)


def set_onboarded(user: Any, *, account_id: str = "acct_unit_test") -> None:
    """Unit tests without a stand-in: flags as if onboarding finished."""
    profile = user.profile
    profile.stripe_account_id = account_id
    profile.charges_enabled = profile.payouts_enabled = profile.details_submitted = True
    profile.save()


@pytest.fixture
def shop_factory(make_post: Any) -> Any:
    def factory(owner: Any, **kwargs: Any) -> Shop:
        return make_shop(owner, make_post, **kwargs)

    return factory


@pytest.fixture
def onboarded_shop(owner: Any, stripe_standin: Stripe, shop_factory: Any) -> Shop:
    """The owner, onboarded at the stand-in, selling a Recipe ($4.99) and a Blueprint ($15)."""
    onboard(owner, stripe_standin)
    return shop_factory(owner)


@pytest.fixture
def onboarded_owner(owner: Any) -> Any:
    """The owner with Connect flags set as if onboarding finished (no stand-in needed)."""
    set_onboarded(owner)
    return owner
