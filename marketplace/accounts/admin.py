from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from marketplace.accounts.models import ApiToken, CreatorProfile, User


@admin.register(User)
class KilnUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_staff", "date_joined")
    search_fields = ("username", "email")


@admin.register(CreatorProfile)
class CreatorProfileAdmin(admin.ModelAdmin):
    list_display = ("handle", "display_name", "follower_count", "post_count", "charges_enabled")
    search_fields = ("handle", "display_name")
    raw_id_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "hint", "scopes", "created_at", "last_used_at", "revoked_at")
    raw_id_fields = ("user",)
    # The hash is useless to a person and the raw token is never stored.
    exclude = ("key_hash",)
    readonly_fields = ("hint", "created_at", "last_used_at")
