"""What can be bought: a product reference resolved to its price, seller and post.

Prices are read here, from the database, and nowhere else: a checkout request names products
by type and id only.
"""

from __future__ import annotations

from dataclasses import dataclass

from blueprints.models import Blueprint, BlueprintVersion, VersionState
from marketplace.commerce.errors import CheckoutError
from marketplace.commerce.models import ProductKind
from marketplace.gallery.models import Post, PostStatus
from marketplace.recipes.models import Recipe


@dataclass(frozen=True)
class ProductRef:
    kind: str  # "recipe" | "blueprint"
    id: int


@dataclass(frozen=True)
class Product:
    """A product on sale now, with its current price."""

    kind: str
    recipe: Recipe | None
    blueprint: Blueprint | None
    version: BlueprintVersion | None
    post: Post
    price_minor: int
    currency: str

    @property
    def seller_id(self) -> int:
        return self.post.creator_id

    @property
    def title(self) -> str:
        label = (
            "Recipe"
            if self.kind == ProductKind.RECIPE
            else f"Blueprint v{self.version.number if self.version else ''}"
        )
        return f"{self.post.title} — {label}"[:200]


def product_resolve(*, ref: ProductRef, field: str) -> Product:
    """The product ``ref`` names, if it is on sale; ``CheckoutError`` naming ``field`` if not."""
    if ref.kind == ProductKind.RECIPE:
        recipe = Recipe.objects.select_related("post").filter(pk=ref.id).first()
        if recipe is None or recipe.post.status != PostStatus.PUBLISHED:
            raise CheckoutError(
                f"No Recipe with id {ref.id} is on sale.", field=field, code="not_found"
            )
        return Product(
            kind=ProductKind.RECIPE,
            recipe=recipe,
            blueprint=None,
            version=None,
            post=recipe.post,
            price_minor=recipe.price_minor,
            currency=recipe.currency,
        )
    if ref.kind == ProductKind.BLUEPRINT:
        blueprint = Blueprint.objects.select_related("post").filter(pk=ref.id).first()
        version = (
            BlueprintVersion.objects.filter(blueprint_id=ref.id, state=VersionState.LISTED)
            .order_by("-number")
            .first()
        )
        if blueprint is None or version is None or blueprint.post.status != PostStatus.PUBLISHED:
            raise CheckoutError(
                f"No Blueprint with id {ref.id} has a listed (verified) version on sale.",
                field=field,
                code="not_found",
            )
        # Blueprint.price_minor is what publishing copied from the listed version.
        return Product(
            kind=ProductKind.BLUEPRINT,
            recipe=None,
            blueprint=blueprint,
            version=version,
            post=blueprint.post,
            price_minor=blueprint.price_minor,
            currency=blueprint.currency,
        )
    raise CheckoutError(
        f"type={ref.kind!r} is not a product type; accepted: 'recipe', 'blueprint'.",
        field=field,
        code="invalid_choice",
    )
