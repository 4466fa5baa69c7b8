"""OpenAPI shapes and light input parsing for the Blueprint and model catalog endpoints.

The services validate (the same code path as the web wizard); these describe requests and
responses for the schema, and parse multipart strings into typed values.
"""

from __future__ import annotations

from rest_framework import serializers

from blueprints.models import BaseModelFamily, ModelKind
from marketplace.api.serializers import AcceptedChoiceField

# --- Requests ------------------------------------------------------------------------------------


class AnalyzeRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A ComfyUI workflow JSON (UI or API format), a ComfyUI PNG/WebP, or an image "
        "with Automatic1111 parameters. Nothing is saved."
    )


class VersionCreateRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The workflow JSON or ComfyUI PNG/WebP.")
    notes = serializers.CharField(
        required=False, allow_blank=True, help_text="Markdown, for buyers."
    )
    price = serializers.IntegerField(
        required=False, default=0, help_text="Minor units (cents), 0 to 1000000; 0 = free."
    )
    currency = serializers.CharField(
        required=False, default="usd", help_text="usd, eur, gbp, cad, aud or jpy."
    )


class ResourceLinkRequestSerializer(serializers.Serializer):
    sha256 = serializers.CharField(required=False, help_text="64 hex characters.")
    autov2 = serializers.CharField(required=False, help_text="10 hex characters.")
    air = serializers.CharField(
        required=False, help_text="urn:air:{ecosystem}:{type}:{source}:{id}[@{version}]"
    )


class ModelLookupQuerySerializer(serializers.Serializer):
    sha256 = serializers.CharField(required=False)
    autov2 = serializers.CharField(required=False)
    air = serializers.CharField(required=False)
    name = serializers.CharField(
        required=False, help_text="File name (exact) or model name (contains)."
    )


class ModelUploadSerializer(serializers.Serializer):
    """Multipart fields of a model upload; booleans accept true/false/1/0/on/off."""

    file = serializers.FileField(
        help_text=".safetensors only; pickles (.ckpt/.pt/.bin) are refused."
    )
    name = serializers.CharField(max_length=200, help_text="The model's name, e.g. Juggernaut XL.")
    kind = AcceptedChoiceField(choices=ModelKind.choices)
    base_model = AcceptedChoiceField(
        choices=BaseModelFamily.choices, required=False, allow_blank=True, default=""
    )
    label = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    source_url = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    air = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    licence_name = serializers.CharField(
        required=False, allow_blank=True, max_length=120, default=""
    )
    commercial_use = serializers.BooleanField(required=False, default=False)
    credit_required = serializers.BooleanField(required=False, default=True)
    derivatives_allowed = serializers.BooleanField(required=False, default=False)


# --- Responses -----------------------------------------------------------------------------------


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    commercial_use = serializers.BooleanField()
    credit_required = serializers.BooleanField()
    derivatives_allowed = serializers.BooleanField()


class ModelVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    base_model = serializers.CharField(allow_null=True)
    label = serializers.CharField(allow_blank=True)
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    autov1 = serializers.CharField()
    autov2 = serializers.CharField()
    autov3 = serializers.CharField(allow_null=True)
    size_bytes = serializers.IntegerField()
    source_url = serializers.CharField(allow_null=True)
    air = serializers.CharField(allow_null=True)
    licence = LicenceSerializer()
    created_at = serializers.DateTimeField()


class ModelListSerializer(serializers.Serializer):
    results = ModelVersionSerializer(many=True)


class BlueprintPriceSerializer(serializers.Serializer):
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    label = serializers.CharField()
    is_free = serializers.BooleanField()


class AnalysisResourceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    node_ids = serializers.ListField(child=serializers.CharField())
    uses = serializers.JSONField(help_text="Per node: class, input, LoRA strengths.")
    declared_sha256 = serializers.CharField(allow_null=True)
    found = serializers.BooleanField()
    resolved_by = serializers.CharField(allow_null=True)
    model = ModelVersionSerializer(allow_null=True)
    message = serializers.CharField(help_text='"not found — upload or link it" when not found.')


class AnalysisSerializer(serializers.Serializer):
    source = serializers.JSONField(
        help_text="format (ui, api, api+ui, a1111), image format and size."
    )
    node_count = serializers.IntegerField()
    class_types = serializers.ListField(child=serializers.CharField())
    base_model_family = serializers.CharField()
    family_evidence = serializers.ListField(child=serializers.CharField())
    sampler_family = serializers.CharField()
    resources = AnalysisResourceSerializer(many=True)
    seeds = serializers.JSONField()
    samplers = serializers.JSONField(
        help_text="Per sampler node: steps, cfg, sampler, scheduler, denoise, size."
    )
    prompts = serializers.JSONField()
    unsupported = serializers.JSONField(
        help_text="Nodes the worker cannot run, each with a reason."
    )
    problems = serializers.JSONField()
    runnable = serializers.BooleanField()
    can_be_blueprint = serializers.BooleanField(
        help_text="False for Automatic1111 settings (no graph)."
    )


class VersionSerializer(serializers.Serializer):
    """A version: the private fields appear only for its creator (`full` true)."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.CharField()
    full = serializers.BooleanField()
    post_id = serializers.IntegerField()
    price = BlueprintPriceSerializer()
    verification = serializers.JSONField()
    node_count = serializers.IntegerField(required=False, help_text="Public view.")
    base_model_family = serializers.CharField(required=False, help_text="Public view.")
    sampler_family = serializers.CharField(required=False, help_text="Public view.")
    resources = serializers.JSONField()
    listed_at = serializers.DateTimeField(allow_null=True)
    state_label = serializers.CharField(required=False)
    notes = serializers.CharField(required=False, help_text="Creator only.")
    notes_html = serializers.CharField(required=False, help_text="Creator only.")
    source = serializers.JSONField(required=False, help_text="Creator only.")
    settings = serializers.JSONField(
        required=False, help_text="Creator only: seeds, samplers, prompts."
    )
    unsupported = serializers.JSONField(required=False)
    problems = serializers.JSONField(required=False)
    licence = serializers.JSONField(required=False)
    submit_blockers = serializers.JSONField(required=False)
    can_submit = serializers.BooleanField(required=False)
    can_publish = serializers.BooleanField(required=False)
    events = serializers.JSONField(required=False)
    verification_runs = serializers.JSONField(required=False)
