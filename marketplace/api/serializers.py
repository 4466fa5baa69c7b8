"""Input validation and OpenAPI shapes for the gallery endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.gallery.models import ContentRating
from marketplace.gallery.pagination import SORT_KEYS
from marketplace.gallery.selectors import PRODUCT_FILTERS


class AcceptedChoiceField(serializers.ChoiceField):
    """A ChoiceField whose refusal lists the accepted values, not only the one refused."""

    default_error_messages = {
        "invalid_choice": '"{input}" is not a valid choice; accepted: {accepted}.'
    }

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            accepted = ", ".join(str(key) for key in self.choices)
            self.fail("invalid_choice", input=str(data)[:60], accepted=accepted)


class PostCreateSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or WebP; metadata is stripped from public copies.")
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    tool = serializers.CharField(max_length=32, help_text="One of the fourteen tool slugs, e.g. comfyui.")
    tags = serializers.CharField(required=False, allow_blank=True, default="", help_text="Comma-separated.")
    rating = AcceptedChoiceField(choices=ContentRating.choices, default=ContentRating.GENERAL)


class PostListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, help_text="Full-text search (title, description, tags, creator).")
    tool = serializers.CharField(required=False)
    has = AcceptedChoiceField(choices=list(PRODUCT_FILTERS), required=False)
    creator = serializers.CharField(required=False)
    base_model = serializers.CharField(required=False)
    rating = AcceptedChoiceField(choices=ContentRating.choices, required=False)
    tag = serializers.CharField(required=False)
    min_price = serializers.IntegerField(required=False, min_value=0, help_text="Minor units (cents).")
    max_price = serializers.IntegerField(required=False, min_value=0, help_text="Minor units (cents).")
    sort = AcceptedChoiceField(choices=list(SORT_KEYS), required=False, default="new")
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=24)


class MoneySerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units.")
    currency = serializers.CharField()


class ImageSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    src = serializers.CharField()
    srcset = serializers.CharField()
    sizes = serializers.DictField(child=serializers.CharField())
    placeholder = serializers.CharField()
    dominant_color = serializers.CharField()


class PostCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    title = serializers.CharField()
    creator = serializers.CharField()
    tool = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    rating = serializers.CharField()
    published_at = serializers.DateTimeField()
    like_count = serializers.IntegerField()
    sale_count = serializers.IntegerField()
    has_recipe = serializers.BooleanField()
    has_blueprint = serializers.BooleanField()
    verified = serializers.BooleanField()
    base_model = serializers.CharField(allow_null=True)
    min_price = MoneySerializer(allow_null=True)
    image = ImageSerializer(allow_null=True)


class PostPageSerializer(serializers.Serializer):
    results = PostCardSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="URL of the next page, or null.")
    next_cursor = serializers.CharField(allow_null=True)


class CreatorSerializer(serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()
    bio = serializers.CharField(allow_blank=True)
    avatar = serializers.CharField(allow_null=True)
    follower_count = serializers.IntegerField()
    post_count = serializers.IntegerField()
    joined_at = serializers.DateTimeField()
    url = serializers.CharField()


class PostDetailSerializer(PostCardSerializer):
    description = serializers.CharField(allow_blank=True)
    description_html = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    creator = CreatorSerializer()  # type: ignore[assignment]
    view_count = serializers.IntegerField()
    recipe = serializers.JSONField(allow_null=True, help_text="Recipe teaser (never the prompt).")
    blueprint = serializers.JSONField(allow_null=True, help_text="Blueprint summary (never the workflow).")


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
