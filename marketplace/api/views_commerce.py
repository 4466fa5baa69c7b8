"""Commerce endpoints: checkout, orders, the library, downloads and reviews.

Checkout and reviews read only product references from the body; unknown fields (a price,
an amount, a fee) are rejected, so nothing a client sends can change a price.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.api import serializers as s
from marketplace.api.permissions import TokenScopePermission
from marketplace.commerce import selectors
from marketplace.commerce.models import Entitlement, Order
from marketplace.commerce.services.catalog import ProductRef
from marketplace.commerce.services.checkout import checkout_start
from marketplace.commerce.services.downloads import download_link_issue
from marketplace.commerce.services.reviews import review_create


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare (a client-sent price is an error, not ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {unknown[0]: [f"Unknown field; accepted: {', '.join(sorted(self.fields))}."]}
                )
        return super().to_internal_value(data)


class CheckoutItemSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=["recipe", "blueprint"])
    id = serializers.IntegerField(min_value=1)


class CheckoutInSerializer(StrictSerializer):
    items = CheckoutItemSerializer(many=True, allow_empty=False)


class CheckoutOutSerializer(serializers.Serializer):
    order_id = serializers.IntegerField()
    checkout_url = serializers.CharField()
    state = serializers.CharField()


def order_dict(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "state": order.state,
        "currency": order.currency,
        "subtotal": order.subtotal_minor,
        "fee": order.fee_minor,
        "total": order.total_minor,
        "disputed": order.disputed,
        "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "items": [
            {
                "type": item.kind,
                "id": item.recipe_id or item.blueprint_id,
                "post_id": item.post_id,
                "title": item.title,
                "price": item.price_minor,
                "currency": item.currency,
            }
            for item in order.items.all()
        ],
    }


def entitlement_dict(entitlement: Entitlement, request: Request) -> dict[str, Any]:
    latest = getattr(entitlement, "latest_version", None)
    return {
        "id": entitlement.pk,
        "type": entitlement.kind,
        "product_id": entitlement.recipe_id or entitlement.blueprint_id,
        "post_id": entitlement.post_id,
        "title": entitlement.post.title,
        "order_id": entitlement.order_id,
        "acquired_at": entitlement.created_at.isoformat(),
        "latest_version": {"id": latest.pk, "number": latest.number} if latest else None,
        "download_url": request.build_absolute_uri(
            reverse("api:library-download", args=[entitlement.pk])
        ),
    }


class CheckoutView(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]
    required_scope = "purchase"

    @extend_schema(
        request=CheckoutInSerializer,
        responses={201: CheckoutOutSerializer, 400: s.ErrorSerializer, 403: s.ErrorSerializer},
        summary="Start a purchase",
        description="Prices are read server-side; any other field (price, amount, fee) is a 400. "
        "Free items are acquired at once (`state` paid); otherwise send the buyer to "
        "`checkout_url`.",
    )
    def post(self, request: Request) -> Response:
        data = CheckoutInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refs = [
            ProductRef(kind=item["type"], id=item["id"]) for item in data.validated_data["items"]
        ]
        result = checkout_start(buyer=cast(User, request.user), refs=refs)
        return Response(
            {
                "order_id": result.order.pk,
                "checkout_url": result.checkout_url,
                "state": result.order.state,
            },
            status=status.HTTP_201_CREATED,
        )


class OrderView(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]

    @extend_schema(
        responses={200: OpenApiResponse(description="The order."), 404: s.ErrorSerializer},
        summary="An order",
    )
    def get(self, request: Request, order_id: int) -> Response:
        return Response(
            order_dict(selectors.order_get_for_buyer(buyer=request.user, order_id=order_id))
        )


class LibraryView(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]

    @extend_schema(
        responses={200: OpenApiResponse(description="What I own.")}, summary="My library"
    )
    def get(self, request: Request) -> Response:
        entitlements = selectors.library_for_buyer(buyer=request.user)
        return Response({"results": [entitlement_dict(e, request) for e in entitlements]})


class LibraryDownloadView(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]

    @extend_schema(
        responses={
            302: OpenApiResponse(description="Redirect to a short-lived signed URL."),
            403: s.ErrorSerializer,
            404: s.ErrorSerializer,
            429: s.ErrorSerializer,
        },
        summary="Download something I own",
    )
    def get(self, request: Request, entitlement_id: int) -> HttpResponseRedirect:
        entitlement = selectors.entitlement_for_download(
            buyer=request.user, entitlement_id=entitlement_id
        )
        url = download_link_issue(
            entitlement=entitlement, ip_address=request.META.get("REMOTE_ADDR")
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response


class ReviewInSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=["recipe", "blueprint"])
    id = serializers.IntegerField(min_value=1)
    rating = serializers.IntegerField()
    text = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewsView(APIView):
    permission_classes = [IsAuthenticated, TokenScopePermission]

    @extend_schema(
        request=ReviewInSerializer,
        responses={201: OpenApiResponse(description="The review.")},
        summary="Review something I bought",
    )
    def post(self, request: Request) -> Response:
        data = ReviewInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        review = review_create(
            buyer=request.user,
            kind=values["type"],
            product_id=values["id"],
            rating=values["rating"],
            text=values["text"],
        )
        return Response(
            {
                "id": review.pk,
                "type": review.kind,
                "post_id": review.post_id,
                "rating": review.rating,
                "text": review.text,
            },
            status=status.HTTP_201_CREATED,
        )
