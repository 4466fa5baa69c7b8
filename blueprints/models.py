"""Blueprints, their versions, and the model catalog they resolve against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from marketplace.gallery.models import Post
from marketplace.storage import private_storage


class ModelKind(models.TextChoices):
    CHECKPOINT = "checkpoint", "Checkpoint"
    UNET = "unet", "Diffusion model (UNet)"
    VAE = "vae", "VAE"
    LORA = "lora", "LoRA"
    EMBEDDING = "embedding", "Embedding"
    UPSCALER = "upscaler", "Upscaler"
    CONTROLNET = "controlnet", "ControlNet"
    CLIP = "clip", "Text encoder"


class BaseModelFamily(models.TextChoices):
    """Families as ``renderworker.workflow`` tells them apart (``Analysis.base_model_family``)."""

    SD15 = "sd15", "SD 1.x"
    SDXL = "sdxl", "SDXL"
    SD3 = "sd3", "SD3"
    FLUX = "flux", "Flux"
    VIDEO = "video", "Video"
    OTHER = "other", "Other"


class ModelAsset(models.Model):
    """A model as people name it (e.g. "Juggernaut XL"); files are its versions."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ModelKind.choices)
    base_model = models.CharField(
        max_length=24, blank=True, choices=BaseModelFamily.choices, help_text="Empty when unknown."
    )
    description = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class ModelVersion(models.Model):
    """One exact model file, identified by the SHA-256 of the whole file."""

    asset = models.ForeignKey(ModelAsset, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(max_length=120, blank=True)
    filename = models.CharField(max_length=255, help_text="The file name graphs refer to it by.")
    sha256 = models.CharField(max_length=64, unique=True)
    autov1 = models.CharField(max_length=8, db_index=True)
    autov2 = models.CharField(max_length=10, db_index=True)
    autov3 = models.CharField(max_length=64, blank=True, db_index=True)
    size_bytes = models.BigIntegerField()
    file = models.FileField(
        storage=private_storage, upload_to="models/", blank=True, max_length=300
    )
    source_url = models.URLField(blank=True, max_length=500)
    air = models.CharField(max_length=200, blank=True, db_index=True)
    commercial_use = models.BooleanField(default=False)
    credit_required = models.BooleanField(default=True)
    derivatives_allowed = models.BooleanField(default=False)
    licence_name = models.CharField(max_length=120, blank=True)
    safetensors_metadata = models.JSONField(default=dict, blank=True)
    tensor_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["filename"], name="modelversion_filename_idx")]

    def __str__(self) -> str:
        return f"{self.asset.name} {self.label}".strip()

    def licence_dict(self) -> dict[str, object]:
        return {
            "name": self.licence_name,
            "commercial_use": self.commercial_use,
            "credit_required": self.credit_required,
            "derivatives_allowed": self.derivatives_allowed,
        }


class Blueprint(models.Model):
    """What a post sells as a Blueprint; its content lives in versions."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="blueprint")
    price_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Blueprint of {self.post}"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VERIFYING = "verifying", "Verifying"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    UNSUPPORTED = "unsupported", "Unsupported"
    ERROR = "error", "Error"
    LISTED = "listed", "Listed"


# Every state change goes through BlueprintVersion.transition, which checks this map.
VERSION_TRANSITIONS: dict[str, frozenset[str]] = {
    VersionState.DRAFT: frozenset({VersionState.SUBMITTED}),
    VersionState.SUBMITTED: frozenset(
        {VersionState.VERIFYING, VersionState.ERROR, VersionState.UNSUPPORTED}
    ),
    VersionState.VERIFYING: frozenset(
        {
            VersionState.VERIFIED,
            VersionState.REJECTED,
            VersionState.UNSUPPORTED,
            VersionState.ERROR,
            VersionState.SUBMITTED,
        }
    ),
    # A run that erred may be submitted again; a rejection is final for that version.
    VersionState.ERROR: frozenset({VersionState.SUBMITTED}),
    VersionState.VERIFIED: frozenset({VersionState.LISTED, VersionState.VERIFYING}),
    VersionState.LISTED: frozenset({VersionState.VERIFYING}),
    VersionState.REJECTED: frozenset(),
    VersionState.UNSUPPORTED: frozenset(),
}


class BlueprintVersionQuerySet(models.QuerySet["BlueprintVersion"]):
    def listed(self) -> BlueprintVersionQuerySet:
        return self.filter(state=VersionState.LISTED)

    def purchasable(self) -> BlueprintVersionQuerySet:
        return self.filter(
            Q(state=VersionState.LISTED) | Q(state=VersionState.VERIFIED, listed_at__isnull=False)
        )


class BlueprintVersion(models.Model):
    """One uploaded workflow, what Kiln extracted from it, and where it is in its life."""

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    source_file = models.FileField(
        storage=private_storage, upload_to="blueprints/%Y/%m/", max_length=300
    )
    source_format = models.CharField(max_length=16)  # ui | api | api+ui | a1111
    source_sha256 = models.CharField(max_length=64)
    workflow_ui = models.JSONField(null=True, blank=True)
    graph_api = models.JSONField(default=dict)
    # The full analysis (private: prompts, seeds, weights) and the public summary.
    analysis = models.JSONField(default=dict)
    public_summary = models.JSONField(default=dict)
    notes = models.TextField(blank=True, max_length=20_000)
    # The price this version is offered at once listed. It lives on the version, not only on the
    # Blueprint, so uploading a new draft never reprices what is on sale; publishing copies it
    # to Blueprint.price_minor (what checkout charges).
    price_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    notes_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)

    objects = BlueprintVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blueprint", "number"], name="version_number_once")
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.blueprint} v{self.number}"

    def can_transition(self, to_state: str) -> bool:
        return to_state in VERSION_TRANSITIONS.get(self.state, frozenset())


class BlueprintVersionEvent(models.Model):
    """Append-only log of a version's state changes."""

    version = models.ForeignKey(BlueprintVersion, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class BlueprintResource(models.Model):
    """A model file the version's graph needs, and the catalog version it resolved to."""

    version = models.ForeignKey(
        BlueprintVersion, on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(max_length=16, choices=ModelKind.choices)
    name = models.CharField(max_length=255)
    node_ids = models.JSONField(default=list)
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A SHA-256 the upload itself declared for this file (ComfyUI's ``models[]``): when the file
    # is not in the catalog yet, it resolves as soon as someone uploads it.
    declared_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    resolved_by = models.CharField(
        max_length=16, blank=True
    )  # filename | sha256 | autov2 | air | link

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "name"], name="resource_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    UNSUPPORTED = "unsupported", "Unsupported"
    ERROR = "error", "Error"


FINISHED_RUN_STATUSES = frozenset({RunStatus.VERIFIED, RunStatus.REJECTED, RunStatus.UNSUPPORTED, RunStatus.ERROR})
RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, *FINISHED_RUN_STATUSES}),
    # RUNNING → QUEUED: the reaper hands a silent run back to the queue (within the cap).
    RunStatus.RUNNING: frozenset({RunStatus.QUEUED, RunStatus.RUNNING, *FINISHED_RUN_STATUSES}),
    **{status: frozenset() for status in FINISHED_RUN_STATUSES},
}


class VerificationRun(models.Model):
    """One attempt by the GPU queue to reproduce a version's showcase, and its verdict."""

    version = models.ForeignKey(BlueprintVersion, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(max_length=16, default="submit")  # submit | reverify | retry
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    job = models.JSONField(default=dict)
    behaviour_version = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    decision = models.JSONField(default=dict, blank=True)
    images = models.JSONField(default=dict, blank=True)  # role → private storage key
    unsupported_nodes = models.JSONField(default=list, blank=True)
    environment = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    peak_memory_bytes = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="run_status_idx")]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.version} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_RUN_STATUSES
