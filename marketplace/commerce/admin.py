from django.contrib import admin

from marketplace.commerce.models import (
    Download,
    Entitlement,
    Order,
    OrderEvent,
    OrderItem,
    Review,
    StripeEvent,
)


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    readonly_fields = [f.name for f in OrderItem._meta.fields]
    can_delete = False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    readonly_fields = [f.name for f in OrderEvent._meta.fields]
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    # Read-only: states change only through services (webhooks, refunds), never by hand here.
    list_display = [
        "id",
        "buyer",
        "seller",
        "state",
        "total_minor",
        "currency",
        "disputed",
        "created_at",
    ]
    list_filter = ["state", "disputed"]
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderItemInline, OrderEventInline]


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):
    list_display = ["id", "buyer", "kind", "post", "order", "revoked_at", "frozen_at"]
    readonly_fields = [f.name for f in Entitlement._meta.fields]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "endpoint", "status", "received_at", "processed_at"]
    list_filter = ["status", "type"]
    readonly_fields = [f.name for f in StripeEvent._meta.fields]


admin.site.register(Download)
admin.site.register(Review)
