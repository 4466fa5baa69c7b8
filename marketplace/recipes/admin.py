from django.contrib import admin

from marketplace.recipes.models import Recipe


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    """Staff may read Recipes (moderation); writes go through the creator's form or the API."""

    list_display = ("post", "tool", "price_minor", "currency", "updated_at")
    list_filter = ("tool", "currency")
    search_fields = ("post__title", "post__creator_handle")
    raw_id_fields = ("post",)
    readonly_fields = ("notes_html", "structured_settings", "created_at", "updated_at")
