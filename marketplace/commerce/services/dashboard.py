"""The creator dashboard: sales, revenue after fees, views→sales conversion, a daily chart,
the verification state of each Blueprint, and the CSV of sales."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from blueprints.models import BlueprintVersion
from marketplace.commerce.models import OrderItem, OrderState
from marketplace.gallery.models import Post

CHART_DAYS = 30
CSV_LIMIT = 10_000


@dataclass(frozen=True)
class ChartBar:
    day: date
    sales: int
    x: int
    y: int
    height: int


def _sold_items(seller: Any) -> Any:
    return OrderItem.objects.filter(seller_id=seller.pk, order__state=OrderState.PAID)


def dashboard_summary(*, seller: Any) -> dict[str, Any]:
    """Totals per currency, conversion, the last 30 days as SVG bars, and Blueprint states."""
    items = _sold_items(seller)
    totals = list(
        items.values("currency")
        .annotate(sales=Count("id"), gross=Sum("price_minor"), fees=Sum("fee_minor"))
        .order_by("currency")
    )
    for row in totals:
        row["net"] = row["gross"] - row["fees"]
    sales = sum(row["sales"] for row in totals)
    views = Post.objects.filter(creator_id=seller.pk).aggregate(v=Sum("view_count"))["v"] or 0
    start = timezone.now().date() - timedelta(days=CHART_DAYS - 1)
    per_day = dict(
        items.filter(order__paid_at__date__gte=start)
        .annotate(day=TruncDate("order__paid_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    peak = max(per_day.values(), default=0) or 1
    bars = []
    for index in range(CHART_DAYS):
        day = start + timedelta(days=index)
        count = per_day.get(day, 0)
        height = round(100 * count / peak)
        bars.append(ChartBar(day=day, sales=count, x=index * 20, y=100 - height, height=height))
    versions = list(
        BlueprintVersion.objects.filter(blueprint__post__creator_id=seller.pk)
        .select_related("blueprint__post")
        .order_by("-created_at")[:100]
    )
    return {
        "totals": totals,
        "sales": sales,
        "views": views,
        "conversion_percent": round(100 * sales / views, 2) if views else None,
        "bars": bars,
        "chart_width": CHART_DAYS * 20,
        "versions": versions,
    }


def dashboard_sales_csv(*, seller: Any) -> str:
    """One row per sold item: date, order, product, price, fee, net, currency."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["paid_at", "order", "kind", "title", "price_minor", "fee_minor", "net_minor", "currency"]
    )
    for item in (
        _sold_items(seller).select_related("order").order_by("-order__paid_at", "-id")[:CSV_LIMIT]
    ):
        writer.writerow(
            [
                item.order.paid_at.isoformat() if item.order.paid_at else "",
                item.order_id,
                item.kind,
                item.title,
                item.price_minor,
                item.fee_minor,
                item.seller_net_minor,
                item.currency,
            ]
        )
    return buffer.getvalue()
