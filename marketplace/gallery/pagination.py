"""Keyset pagination for the gallery, shared by the HTML pages and the API.

Pages are addressed by an opaque cursor holding the sort key of the last row seen. The next
page is a row comparison ``(key, id) < (last_key, last_id)``, which PostgreSQL answers from the
matching ``(key DESC, id DESC)`` index at any depth: no ``COUNT(*)``, no ``OFFSET``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from marketplace.core.errors import DomainError

SORT_KEYS = {"new": "published_at", "trending": "trending_score", "top": "top_score"}


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: float | int | str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.key, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, *, sort: str) -> Cursor:
        problem = DomainError(
            "The cursor is not valid; use the `next` link of a previous page.", field="cursor", code="invalid_cursor"
        )
        try:
            padded = token + "=" * (-len(token) % 4)
            value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError) as error:
            raise problem from error
        if not (isinstance(value, list) and len(value) == 3 and value[0] == sort and isinstance(value[2], int)):
            raise problem
        key = value[1]
        if sort == "new":
            if not isinstance(key, str):
                raise problem
            try:
                datetime.fromisoformat(key)
            except ValueError as error:
                raise problem from error
        elif isinstance(key, bool) or not isinstance(key, (int, float)):
            raise problem
        return cls(sort=sort, key=key, id=value[2])


def after_cursor(queryset: QuerySet, cursor: Cursor) -> QuerySet:
    column = SORT_KEYS[cursor.sort]
    table = queryset.model._meta.db_table
    # A row-value comparison, not Q(a<x)|Q(a=x,b<y): only this form walks the index.
    key = datetime.fromisoformat(cursor.key) if isinstance(cursor.key, str) else cursor.key
    # RawSQL skips the field's adaptation; do it here so SQLite compares like with like.
    key = queryset.model._meta.get_field(column).get_db_prep_value(key, connections[queryset.db])
    condition = RawSQL(
        f'("{table}"."{column}", "{table}"."id") < (%s, %s)',  # noqa: S611 - column names are fixed
        (key, cursor.id),
        output_field=BooleanField(),
    )
    return queryset.filter(condition)


def cursor_for(row: object, *, sort: str) -> Cursor:
    key = getattr(row, SORT_KEYS[sort])
    if isinstance(key, datetime):
        key = key.isoformat()
    return Cursor(sort=sort, key=key, id=row.pk)  # type: ignore[attr-defined]
