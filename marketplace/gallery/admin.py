from django.contrib import admin

from marketplace.gallery.models import Post, PostImage, PostStatus


class PostImageInline(admin.StackedInline):
    model = PostImage
    readonly_fields = (
        "original_format",
        "original_sha256",
        "width",
        "height",
        "derivatives",
        "dominant_color",
    )
    exclude = ("placeholder",)
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "creator_handle",
        "tool",
        "status",
        "rating",
        "published_at",
        "like_count",
    )
    list_filter = ("status", "tool", "rating", "has_recipe", "has_verified_blueprint")
    search_fields = ("title", "creator_handle")
    raw_id_fields = ("creator",)
    readonly_fields = (
        "description_html",
        "search_text",
        "trending_score",
        "top_score",
        "like_count",
        "sale_count",
    )
    inlines = [PostImageInline]
    actions = ["remove_posts"]

    @admin.action(description="Remove from the gallery (moderation)")
    def remove_posts(self, request, queryset):  # type: ignore[no-untyped-def]
        queryset.update(status=PostStatus.REMOVED)
