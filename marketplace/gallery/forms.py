"""HTML input of the gallery: the filter query string and the upload form.

Validation of the values themselves stays in the domain (``PostFilters.from_params``,
``services.post_create``); these only turn browser input into what the domain expects.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict

from marketplace.core.errors import DomainError
from marketplace.gallery.models import ContentRating
from marketplace.gallery.selectors import PostFilters
from marketplace.recipes.tools import TOOLS

FILTER_NAMES = ("q", "tool", "has", "creator", "rating", "tag", "base_model", "sort")
# The HTML pages take prices in dollars (what people type); the domain and the API use cents.
PRICE_NAMES = ("min_price", "max_price")
MAX_PRICE_DOLLARS = Decimal(1_000_000)


def dollars_to_minor(raw: str, *, field: str) -> int | None:
    """``"4.99"`` → ``499``; empty → ``None``. Decimal all the way: never through float."""
    text = raw.strip().lstrip("$").strip()
    label = field.replace("_", " ").capitalize()
    if not text:
        return None
    try:
        dollars = Decimal(text)
    except InvalidOperation as error:
        raise DomainError(
            f"{label} {raw!r} is not an amount; type dollars like 4.99.",
            field=field,
            code="invalid_price",
        ) from error
    if (
        not dollars.is_finite()
        or not 0 <= dollars <= MAX_PRICE_DOLLARS
        or dollars != dollars.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            f"{label} {raw!r} is out of range; "
            f"accepted 0 to {MAX_PRICE_DOLLARS:,} dollars with at most two decimals.",
            field=field,
            code="invalid_price",
        )
    return int(dollars * 100)


def gallery_filters(query: QueryDict, *, creator: str = "") -> PostFilters:
    """The gallery filters from a page's query string; ``creator`` pins the creator page's."""
    params = {name: query.get(name, "") for name in FILTER_NAMES}
    for name in PRICE_NAMES:
        minor = dollars_to_minor(query.get(name, ""), field=name)
        params[name] = "" if minor is None else str(minor)
    if creator:
        params["creator"] = creator
    return PostFilters.from_params(params)


def tool_choices() -> list[tuple[str, str]]:
    """The fourteen tools as (slug, display name), sorted by name for menus."""
    return sorted(
        ((slug, tool.name) for slug, tool in TOOLS.items()), key=lambda item: item[1].lower()
    )


class PostUploadForm(forms.Form):
    image = forms.FileField(
        help_text="PNG, JPEG or WebP. Kiln publishes a re-encoded copy with all metadata removed; "
        "your original stays private.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    title = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: **bold**, *italic*, lists, links.",
    )
    tool = forms.ChoiceField(choices=())
    tags = forms.CharField(
        required=False,
        max_length=600,
        help_text="Comma-separated, up to 12: landscape, watercolor, portrait",
    )
    rating = forms.ChoiceField(choices=ContentRating.choices, initial=ContentRating.GENERAL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tool_field = self.fields["tool"]
        assert isinstance(tool_field, forms.ChoiceField)
        tool_field.choices = [("", "Choose the tool you used…"), *tool_choices()]

    def clean_image(self) -> Any:
        upload = self.cleaned_data["image"]
        # Checked before the bytes are read into memory; the service checks the content.
        if upload.size > settings.MAX_IMAGE_BYTES:
            limit = settings.MAX_IMAGE_BYTES
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {limit:,} bytes."
            )
        return upload

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``services.post_create`` (without ``creator``)."""
        data = self.cleaned_data
        upload = data["image"]
        return {
            "title": data["title"],
            "description": data["description"],
            "tool": data["tool"],
            "tags": data["tags"],
            "rating": data["rating"],
            "image_bytes": upload.read(),
            "image_name": upload.name or "",
        }

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's error next to the field it names (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
