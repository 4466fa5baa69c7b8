"""A Recipe: the prompt and settings behind a post, sold on the post (SPEC §3)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from marketplace.gallery.models import Post
from marketplace.recipes.pricing import ACCEPTED_CURRENCIES, DEFAULT_CURRENCY, MAX_PRICE_MINOR

MAX_PROMPT_CHARACTERS = 10_000
MAX_NOTES_CHARACTERS = 20_000


class Recipe(models.Model):
    """One per post. Written only through ``services.recipe_upsert``, which validates ``params``
    with the tool registry's ``validate_params`` (the same validator as the form and the API).

    ``tool`` has no ``choices=`` on purpose: the registry is the one list of tools, and adding a
    tool must not need a migration.
    """

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="recipe")
    tool = models.CharField(max_length=32)
    prompt = models.TextField(max_length=MAX_PROMPT_CHARACTERS)
    negative_prompt = models.TextField(blank=True, max_length=MAX_PROMPT_CHARACTERS)
    # The cleaned output of validate_params(tool, ...): only the parameters the creator set.
    params = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True, max_length=MAX_NOTES_CHARACTERS)
    # Sanitised HTML rendered from the Markdown notes at save time.
    notes_html = models.TextField(blank=True)
    price_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    # For tools Kiln can re-run (automatic1111, comfyui): the settings in the structured form of
    # the Blueprint analysis (renderworker.workflow.a1111.ComfySettings.as_json); else null.
    structured_settings = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(price_minor__gte=0) & Q(price_minor__lte=MAX_PRICE_MINOR),
                name="recipe_price_in_range",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=ACCEPTED_CURRENCIES), name="recipe_currency_accepted"
            ),
        ]

    def __str__(self) -> str:
        # Never the prompt: this string ends up in logs and the admin's history.
        return f"Recipe for post {self.post_id} ({self.tool})"

    @property
    def is_free(self) -> bool:
        """Zero-priced Recipes are acquired without checkout."""
        return self.price_minor == 0
