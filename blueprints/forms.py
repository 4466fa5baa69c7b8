"""Web forms of the Blueprint wizard and the model upload page.

Forms only turn widgets into service arguments (a typed amount into minor units, one identity
box into sha256/autov2/air); the services check everything, as they do for the API, and their
errors are put next to the field they name.
"""

from __future__ import annotations

from typing import Any

from django import forms

from blueprints.catalog import identity_from_text
from blueprints.models import BaseModelFamily, ModelKind
from marketplace.core.errors import DomainError
from marketplace.recipes.pricing import (
    ACCEPTED_CURRENCIES,
    DEFAULT_CURRENCY,
    PriceInputError,
    major_to_minor,
)


def attach_error(form: forms.Form, error: DomainError) -> None:
    """Show a service error next to the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class BlueprintUploadForm(forms.Form):
    file = forms.FileField(
        label="Workflow",
        help_text="A ComfyUI workflow JSON (UI or API format), or the PNG/WebP ComfyUI saved "
        "with the workflow inside. Kiln reads the settings from the graph.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.png,.webp,application/json,image/png,image/webp"}
        ),
    )
    notes = forms.CharField(
        label="Notes for buyers",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown. Shown only to buyers.",
    )
    price = forms.CharField(
        label="Price",
        required=False,
        max_length=20,
        help_text="Empty or 0 for free, e.g. 4.99.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(
        choices=[(code, code.upper()) for code in ACCEPTED_CURRENCIES],
        initial=DEFAULT_CURRENCY,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        currency = cleaned["currency"] = cleaned.get("currency") or DEFAULT_CURRENCY
        try:
            cleaned["price_minor"] = major_to_minor(
                text=cleaned.get("price") or "", currency=currency
            )
        except PriceInputError as error:
            self.add_error("price", str(error))
        return cleaned


class ResourceLinkForm(forms.Form):
    """One box: a SHA-256, an AutoV2 hash or an AIR; the kind is told from its shape."""

    identity = forms.CharField(
        label="SHA-256, AutoV2 or AIR",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_identity(self) -> dict[str, str]:
        try:
            return identity_from_text(self.cleaned_data["identity"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


class ModelUploadForm(forms.Form):
    file = forms.FileField(
        label="Model file",
        help_text=".safetensors only; pickle checkpoints (.ckpt, .pt, .bin) are refused.",
        widget=forms.ClearableFileInput(attrs={"accept": ".safetensors"}),
    )
    name = forms.CharField(max_length=200, help_text="The model's name, e.g. Juggernaut XL.")
    kind = forms.ChoiceField(choices=ModelKind.choices)
    base_model = forms.ChoiceField(
        choices=[("", "Unknown"), *BaseModelFamily.choices], required=False
    )
    label = forms.CharField(
        max_length=120, required=False, label="Version", help_text="e.g. v9 or 1.0."
    )
    source_url = forms.CharField(
        max_length=500, required=False, label="Source URL", help_text="Where the file comes from."
    )
    air = forms.CharField(
        max_length=200, required=False, label="AIR", help_text="urn:air:…, if the model has one."
    )
    licence_name = forms.CharField(max_length=120, required=False, label="Licence")
    commercial_use = forms.BooleanField(required=False, label="Commercial use allowed")
    credit_required = forms.BooleanField(required=False, initial=True, label="Credit required")
    derivatives_allowed = forms.BooleanField(required=False, label="Derivatives allowed")

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {"upload": data.pop("file"), **data}
