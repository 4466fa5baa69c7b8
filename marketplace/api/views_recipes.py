"""Recipe endpoints: read or write a post's Recipe, and a dry run of paste-to-fill.

Thin: the service validates (the same code path as the web form), the selector decides what
the viewer may see, the presenters shape it. OpenAPI examples use made-up text only.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import serializers as s
from marketplace.api.errors import error_body
from marketplace.gallery import selectors as gallery_selectors
from marketplace.recipes import presenters, selectors, services
from marketplace.recipes.paste import PasteError, PasteResult, parse_pasted
from marketplace.recipes.recipe_input import RecipeValidationError
from marketplace.recipes.tools import TOOLS

ERRORS = {
    400: OpenApiResponse(
        s.ErrorSerializer,
        description="Bad input; `field` names the culprit, "
        "`details` lists every problem with its value and what is accepted.",
    ),
    401: OpenApiResponse(s.ErrorSerializer, description="Authentication required."),
    403: OpenApiResponse(
        s.ErrorSerializer, description="Not the post's creator, or the token lacks the scope."
    ),
    404: OpenApiResponse(s.ErrorSerializer, description="No such post, or it has no Recipe."),
    429: OpenApiResponse(s.ErrorSerializer, description="Rate limited."),
}


# --- OpenAPI shapes (the service does the validation, not these) ----------------------------


class RecipePriceInSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=0, help_text="Minor units (cents); 0 = free.")
    currency = serializers.CharField(default="usd", help_text="usd, eur, gbp, cad, aud or jpy.")


class RecipeWriteSerializer(serializers.Serializer):
    tool = serializers.CharField(
        required=False, help_text="A tool slug; defaults to the post's tool."
    )
    prompt = serializers.CharField(required=False)
    negative_prompt = serializers.CharField(required=False, allow_blank=True)
    params = serializers.DictField(required=False, help_text="Parameters per the tool's schema.")
    notes = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    price = RecipePriceInSerializer(required=False)
    pasted = serializers.CharField(
        required=False,
        help_text="An Automatic1111 parameters block or a Midjourney prompt, instead of "
        "prompt/negative_prompt/params: it fills them, and what it cannot use is returned in "
        "`paste.unparsed`.",
    )


class RecipePriceOutSerializer(serializers.Serializer):
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    label = serializers.CharField(  # type: ignore[assignment]  # a field named "label"
        help_text='"Free" for 0, else e.g. "$4.99".'
    )
    is_free = serializers.BooleanField()


class RecipePromptLengthSerializer(serializers.Serializer):
    characters = serializers.IntegerField()
    words = serializers.IntegerField()


class PasteUnparsedSerializer(serializers.Serializer):
    text = serializers.CharField()
    reason = serializers.CharField()


class PasteReportSerializer(serializers.Serializer):
    format = serializers.CharField(help_text="automatic1111, midjourney or plain.")
    unparsed = PasteUnparsedSerializer(many=True)


class RecipeSerializer(serializers.Serializer):
    tool = serializers.CharField()
    tool_name = serializers.CharField()
    reproducible = serializers.BooleanField()
    full = serializers.BooleanField(help_text="False: the teaser a visitor sees before purchase.")
    param_names = serializers.ListField(child=serializers.CharField())
    prompt_length = RecipePromptLengthSerializer()
    has_negative_prompt = serializers.BooleanField()
    price = RecipePriceOutSerializer()
    prompt = serializers.CharField(required=False, help_text="Only when `full`.")
    negative_prompt = serializers.CharField(required=False, help_text="Only when `full`.")
    params = serializers.DictField(required=False, help_text="Only when `full`.")
    notes = serializers.CharField(required=False, help_text="Only when `full`.")
    notes_html = serializers.CharField(required=False, help_text="Only when `full`.")
    structured_settings = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Only when `full`: for automatic1111/comfyui, the settings in the Blueprint "
        "analysis form.",
    )
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)
    paste = PasteReportSerializer(required=False, help_text="Only in a PUT answer with `pasted`.")


class RecipeParseRequestSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The pasted block or prompt.")
    tool = serializers.CharField(
        required=False,
        help_text="Read the text for this tool; detected from the text when left out.",
    )


class RecipeParseResultSerializer(serializers.Serializer):
    tool = serializers.CharField(allow_null=True)
    format = serializers.CharField()
    prompt = serializers.CharField(allow_blank=True)
    negative_prompt = serializers.CharField(allow_blank=True)
    params = serializers.DictField()
    unparsed = PasteUnparsedSerializer(many=True)
    structured_settings = serializers.JSONField(allow_null=True)


# Made-up, harmless example text: never copy a real Recipe into the schema.
_WRITE_EXAMPLES = [
    OpenApiExample(
        "Structured",
        value={
            "tool": "automatic1111",
            "prompt": "example prompt text",
            "negative_prompt": "example negative text",
            "params": {
                "steps": 20,
                "sampler": "DPM++ 2M",
                "schedule_type": "Karras",
                "cfg_scale": 7,
                "size": "512x768",
            },
            "notes": "Example *notes*.",
            "price": {"amount": 300, "currency": "usd"},
        },
        request_only=True,
    ),
    OpenApiExample(
        "Pasted",
        value={
            "pasted": "example prompt text --ar 3:2 --stylize 250 --v 6.1",
            "price": {"amount": 0, "currency": "usd"},
        },
        request_only=True,
    ),
]


def _validation_error_response(error: RecipeValidationError) -> Response:
    return Response(
        error_body(code=error.code, message=error.message, field=error.field, details=error.issues),
        status=status.HTTP_400_BAD_REQUEST,
    )


def _private(response: Response) -> Response:
    # Full content is the product: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


def _paste_report(paste: PasteResult) -> dict[str, Any]:
    return {"format": paste.format, "unparsed": presenters.unparsed_list(paste.unparsed)}


class PostRecipeView(APIView):
    def get_permissions(self) -> list[Any]:
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated(), *super().get_permissions()]
        return list(super().get_permissions())

    @extend_schema(
        operation_id="posts_recipe_retrieve",
        responses={200: RecipeSerializer, **ERRORS},
        description="The post's Recipe: everything for its creator (and, later, buyers); "
        "otherwise the teaser: tool, parameter names, prompt length, price.",
    )
    def get(self, request: Request, post_id: int) -> Response:
        post = gallery_selectors.post_get(post_id=post_id, viewer=request.user)
        data = selectors.recipe_for_viewer(post=post, viewer=request.user)
        response = Response(data)
        return _private(response) if data["full"] else response

    @extend_schema(
        operation_id="posts_recipe_update",
        request=RecipeWriteSerializer,
        examples=_WRITE_EXAMPLES,
        responses={200: RecipeSerializer, 201: RecipeSerializer, **ERRORS},
        description="Create (201) or replace (200) the post's Recipe. Only the post's creator. "
        "Fields left out take their defaults (no negative prompt, no parameters, free).",
    )
    def put(self, request: Request, post_id: int) -> Response:
        post = gallery_selectors.post_get(post_id=post_id, viewer=request.user)
        try:
            result = services.recipe_upsert(
                post=post,
                user=request.user,  # type: ignore[arg-type]  # authenticated: IsAuthenticated
                data=request.data,
            )
        except RecipeValidationError as error:
            return _validation_error_response(error)
        data = presenters.recipe_full(result.recipe)
        if result.paste is not None:
            data["paste"] = _paste_report(result.paste)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return _private(Response(data, status=code))

    @extend_schema(
        operation_id="posts_recipe_destroy", request=None, responses={204: None, **ERRORS}
    )
    def delete(self, request: Request, post_id: int) -> Response:
        post = gallery_selectors.post_get(post_id=post_id, viewer=request.user)
        services.recipe_delete(post=post, user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecipeParseView(APIView):
    permission_classes = [IsAuthenticated]
    # A dry run changes nothing, so a read-scoped token may use it.
    required_scope = "read"

    @extend_schema(
        operation_id="recipes_parse",
        request=RecipeParseRequestSerializer,
        examples=[
            OpenApiExample(
                "Automatic1111",
                value={
                    "text": "example prompt\nNegative prompt: example negative\nSteps: 20, "
                    "Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1, Size: 512x768"
                },
                request_only=True,
            )
        ],
        responses={200: RecipeParseResultSerializer, **ERRORS},
        description="Paste-to-fill without saving: what the text fills, and every piece it "
        "could not use with the reason.",
    )
    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        text, tool = body.get("text"), body.get("tool") or None
        if tool is not None and (not isinstance(tool, str) or tool not in TOOLS):
            return Response(
                error_body(
                    code="invalid_choice",
                    field="tool",
                    message=(
                        f"tool: {str(tool)[:40]!r} is not a known tool; "
                        f"accepted: {', '.join(TOOLS)}"
                    ),
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if text is not None and not isinstance(text, str):
            return Response(
                error_body(
                    code="invalid",
                    field="text",
                    message=(
                        f"text: got {type(text).__name__}, not text; accepted: an Automatic1111 "
                        "parameters block, a Midjourney prompt or plain text"
                    ),
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if isinstance(text, str) and "\x00" in text:
            # Saving it as a Recipe would be refused; the dry run must not promise otherwise.
            return Response(
                error_body(
                    code="invalid",
                    field="text",
                    message="text: contains a NUL character; accepted: text without NUL characters",
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not isinstance(text, str) or not text.strip():
            return Response(
                error_body(
                    code="required",
                    field="text",
                    message=(
                        "text: missing or empty; accepted: an Automatic1111 parameters block, a "
                        "Midjourney prompt or plain text"
                    ),
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = parse_pasted(text, tool=tool)
        except PasteError as error:
            return Response(
                error_body(code="invalid", field="text", message=str(error)),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return _private(
            Response(
                {
                    "tool": result.tool,
                    "format": result.format,
                    "prompt": result.prompt,
                    "negative_prompt": result.negative_prompt,
                    "params": result.params,
                    "unparsed": presenters.unparsed_list(result.unparsed),
                    "structured_settings": result.comfy_settings,
                }
            )
        )
