"""Blueprint and model catalog endpoints. Thin: parse, call a service or selector, present.

Errors are the API's JSON errors; Blueprint errors also carry ``details`` (every graph problem,
the submit blockers, the dry run's report) next to the code, message and field.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blueprints import catalog, presenters, selectors, services
from blueprints.services import BlueprintError
from marketplace.api import serializers as s
from marketplace.api import serializers_blueprints as bs
from marketplace.api.errors import exception_handler
from marketplace.api.permissions import TokenScopePermission
from marketplace.core.errors import PermissionDenied
from marketplace.gallery import selectors as gallery_selectors
from renderworker.workflow import MAX_UPLOAD_BYTES

ERRORS = {
    400: OpenApiResponse(
        s.ErrorSerializer,
        description="Bad input: `code` and `field` name it; `details` lists every problem "
        "(graph problems, submit blockers).",
    ),
    401: OpenApiResponse(s.ErrorSerializer, description="Authentication required."),
    403: OpenApiResponse(
        s.ErrorSerializer, description="Not the creator, or the token lacks the scope."
    ),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found (or not visible to you)."),
    429: OpenApiResponse(s.ErrorSerializer, description="Rate limited."),
}


def _exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, BlueprintError) and exc.details is not None:
        response.data["error"]["details"] = exc.details
    return response


class BlueprintAPIView(APIView):
    def get_exception_handler(self) -> Any:
        return _exception_handler


def _private(response: Response) -> Response:
    # Prompts, seeds and weights are the product: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


def _upload_bytes(request: Request, *, limit: int = MAX_UPLOAD_BYTES) -> tuple[bytes, str]:
    upload = request.FILES.get("file")
    if not isinstance(upload, UploadedFile):
        raise BlueprintError(
            "No file: send the workflow as multipart field 'file' (JSON, or a ComfyUI PNG/WebP).",
            field="file",
            code="required",
        )
    if upload.size is not None and upload.size > limit:
        # Checked before reading: a huge upload is refused without loading it.
        raise BlueprintError(
            f"The file is {upload.size:,} bytes; at most {limit:,} are accepted.",
            field="file",
            code="file_too_large",
        )
    return upload.read(), upload.name or ""


def _price_minor(value: Any) -> int:
    text = str(value if value is not None else "0").strip() or "0"
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 12:
        raise BlueprintError(
            f"price={text[:20]!r} is not a whole number of minor units (cents); e.g. 499 for 4.99.",
            field="price",
            code="invalid_price",
        )
    return int(text)


class BlueprintAnalyzeView(BlueprintAPIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]
    parser_classes = [MultiPartParser, FormParser]
    # A dry run changes nothing, so a read-scoped token may use it.
    required_scope = "read"

    @extend_schema(
        operation_id="blueprints_analyze",
        request={"multipart/form-data": bs.AnalyzeRequestSerializer},
        responses={200: bs.AnalysisSerializer, **ERRORS},
        description="Analyse a workflow without saving anything: resources with their catalog "
        "match, seeds, sampler settings per node, base model family, unsupported nodes with "
        "reasons. A graph that cannot run (cycle, dangling link, unknown node, bad value) is a "
        "400 whose `details` hold every problem and the same report.",
    )
    def post(self, request: Request) -> Response:
        data, filename = _upload_bytes(request)
        report = services.blueprint_analyse(data=data, filename=filename)
        body = presenters.analysis_report(report)
        services.require_clean_graph(report.analysis, extra_details={"analysis": body})
        return _private(Response(body))


class PostBlueprintVersionsView(BlueprintAPIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="posts_blueprint_versions_create",
        request={"multipart/form-data": bs.VersionCreateRequestSerializer},
        responses={201: bs.VersionSerializer, **ERRORS},
        description="Upload a new draft version of the post's Blueprint (its creator only). "
        "Settings are read from the graph; `price` is in minor units.",
    )
    def post(self, request: Request, post_id: int) -> Response:
        post = gallery_selectors.post_get(post_id=post_id, viewer=request.user)
        if post.creator_id != request.user.pk:
            # Checked before the upload is read; the service checks again.
            raise PermissionDenied("Only the post's creator can upload its Blueprint.")
        price_minor = _price_minor(request.data.get("price"))
        data, filename = _upload_bytes(request)
        version = services.blueprint_version_create(
            post=post,
            user=request.user,
            data=data,
            filename=filename,
            notes=str(request.data.get("notes") or ""),
            price_minor=price_minor,
            currency=str(request.data.get("currency") or "usd"),
        )
        version = selectors.version_get_for_viewer(version_id=version.pk, viewer=request.user)
        return _private(
            Response(presenters.version_private(version), status=status.HTTP_201_CREATED)
        )


class BlueprintVersionView(BlueprintAPIView):
    @extend_schema(
        operation_id="blueprint_versions_retrieve",
        responses={200: bs.VersionSerializer, **ERRORS},
        description="Its creator sees everything (settings, resources and their resolution, "
        "licence summary, submit blockers, events, verification runs); anyone else sees a "
        "listed version's public view only, and a 404 for any other version.",
    )
    def get(self, request: Request, version_id: int) -> Response:
        version = selectors.version_get_for_viewer(version_id=version_id, viewer=request.user)
        data = presenters.version_for_viewer(version, viewer=request.user)
        response = Response(data)
        return _private(response) if data["full"] else response


def _owner_action_version(request: Request, version_id: int) -> Any:
    return selectors.version_get_for_viewer(version_id=version_id, viewer=request.user)


def _private_version_response(request: Request, version_id: int) -> Response:
    version = selectors.version_get_for_viewer(version_id=version_id, viewer=request.user)
    return _private(Response(presenters.version_private(version)))


class ResourceLinkView(BlueprintAPIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="blueprint_versions_resource_link",
        request=bs.ResourceLinkRequestSerializer,
        examples=[OpenApiExample("By SHA-256", value={"sha256": "0" * 64}, request_only=True)],
        responses={200: bs.VersionSerializer, **ERRORS},
        description="Point a resource of a draft at a catalog file, by exactly one of sha256, "
        "autov2 or air. Answers with the updated version.",
    )
    def post(self, request: Request, version_id: int, resource_id: int) -> Response:
        version = _owner_action_version(request, version_id)
        body = request.data if hasattr(request.data, "get") else {}
        services.resource_link(
            version=version,
            user=request.user,
            resource_id=resource_id,
            sha256=str(body.get("sha256") or ""),
            autov2=str(body.get("autov2") or ""),
            air=str(body.get("air") or ""),
        )
        return _private_version_response(request, version_id)


class VersionSubmitView(BlueprintAPIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]

    @extend_schema(
        operation_id="blueprint_versions_submit",
        request=None,
        responses={200: bs.VersionSerializer, **ERRORS},
        description="Submit a draft for verification. 400 `not_submittable` with "
        "`details.blockers` while a resource is unresolved, a node is unsupported or a licence "
        "forbids the price.",
    )
    def post(self, request: Request, version_id: int) -> Response:
        version = _owner_action_version(request, version_id)
        services.blueprint_version_submit(version=version, user=request.user)
        return _private_version_response(request, version_id)


class VersionPublishView(BlueprintAPIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]

    @extend_schema(
        operation_id="blueprint_versions_publish",
        request=None,
        responses={200: bs.VersionSerializer, **ERRORS},
        description="List a verified version on the post (400 `not_verified` otherwise).",
    )
    def post(self, request: Request, version_id: int) -> Response:
        version = _owner_action_version(request, version_id)
        services.blueprint_version_publish(version=version, user=request.user)
        return _private_version_response(request, version_id)


class ModelsView(BlueprintAPIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), *super().get_permissions()]
        return super().get_permissions()

    @extend_schema(
        operation_id="models_lookup",
        parameters=[bs.ModelLookupQuerySerializer],
        responses={200: bs.ModelListSerializer, **ERRORS},
        description="Find catalog files by exactly one of sha256, autov2, air or name.",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        found = catalog.model_version_lookup(
            sha256=params.get("sha256", ""),
            autov2=params.get("autov2", ""),
            air=params.get("air", ""),
            name=params.get("name", ""),
        )
        return Response({"results": [presenters.model_version_dict(model) for model in found]})

    @extend_schema(
        operation_id="models_upload",
        request={"multipart/form-data": bs.ModelUploadSerializer},
        responses={201: bs.ModelVersionSerializer, 200: bs.ModelVersionSerializer, **ERRORS},
        description="Upload a .safetensors file: it is streamed, hashed (SHA-256, AutoV1/2/3) "
        "and its header checked; pickles are refused. 201 when new, 200 when the catalog "
        "already has this exact file.",
    )
    def post(self, request: Request) -> Response:
        form = bs.ModelUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        upload = fields.pop("file")
        model, created = catalog.model_version_add(user=request.user, upload=upload, **fields)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(presenters.model_version_dict(model), status=code)
