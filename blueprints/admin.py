"""Admin for the model catalog and Blueprints: read-mostly; states change only via services."""

from __future__ import annotations

from django.contrib import admin

from blueprints.models import (
    Blueprint,
    BlueprintResource,
    BlueprintVersion,
    BlueprintVersionEvent,
    ModelAsset,
    ModelVersion,
)


class ModelVersionInline(admin.TabularInline):
    model = ModelVersion
    fields = (
        "label",
        "filename",
        "sha256",
        "autov2",
        "size_bytes",
        "commercial_use",
        "credit_required",
    )
    readonly_fields = ("filename", "sha256", "autov2", "size_bytes")
    extra = 0
    show_change_link = True


@admin.register(ModelAsset)
class ModelAssetAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "base_model", "created_at")
    list_filter = ("kind", "base_model")
    search_fields = ("name",)
    inlines = [ModelVersionInline]


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "filename",
        "asset",
        "label",
        "autov2",
        "size_bytes",
        "commercial_use",
        "created_at",
    )
    list_filter = ("asset__kind", "commercial_use", "derivatives_allowed")
    search_fields = ("filename", "sha256", "autov2", "air", "asset__name")
    list_select_related = ("asset",)
    # Identities come from the file; editing them would break resolution by hash.
    readonly_fields = (
        "sha256",
        "autov1",
        "autov2",
        "autov3",
        "size_bytes",
        "file",
        "safetensors_metadata",
        "tensor_count",
        "uploaded_by",
        "created_at",
    )


class BlueprintResourceInline(admin.TabularInline):
    model = BlueprintResource
    fields = ("kind", "name", "model_version", "resolved_by", "declared_sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False


class BlueprintVersionEventInline(admin.TabularInline):
    model = BlueprintVersionEvent
    fields = ("created_at", "from_state", "to_state", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(BlueprintVersion)
class BlueprintVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state", "source_format", "price_minor", "currency", "created_at")
    list_filter = ("state", "source_format")
    search_fields = ("blueprint__post__title", "source_sha256")
    list_select_related = ("blueprint__post",)
    # The state is read-only: changes go through services.version_transition (event log).
    readonly_fields = (
        "blueprint",
        "number",
        "state",
        "source_file",
        "source_format",
        "source_sha256",
        "workflow_ui",
        "graph_api",
        "analysis",
        "public_summary",
        "notes_html",
        "created_at",
        "submitted_at",
        "verified_at",
        "listed_at",
    )
    inlines = [BlueprintResourceInline, BlueprintVersionEventInline]


@admin.register(Blueprint)
class BlueprintAdmin(admin.ModelAdmin):
    list_display = ("__str__", "price_minor", "currency", "created_at")
    list_select_related = ("post",)
    raw_id_fields = ("post",)
