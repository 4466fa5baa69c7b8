"""Full-text search over posts.

PostgreSQL: a stored generated ``tsvector`` column (title weight A, tags and creator B,
description C) with a GIN index, added by migration 0002 on PostgreSQL only. SQLite (the
embedded default): every word must appear in the title, tags, creator or description.

The ``ORDER BY published_at DESC LIMIT n`` trap (INFRA_NOTES): with a rare term PostgreSQL
walks the date index and filters for seconds. So a search first asks the GIN index whether
the term is rare (at most ``RARE_LIMIT`` matches, a cheap bounded probe); rare matches are
materialised and sorted in memory, common ones walk the sort index as usual.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

RARE_LIMIT = 2000
MAX_QUERY_LENGTH = 200
_WORDS = re.compile(r"\w+", re.UNICODE)


def matches(queryset: QuerySet, text: str) -> QuerySet:
    """Restrict ``queryset`` to posts matching ``text`` (websearch syntax on PostgreSQL)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if connection.vendor == "postgresql":
        table = queryset.model._meta.db_table
        condition = RawSQL(
            f"\"{table}\".\"search_vector\" @@ websearch_to_tsquery('english', %s)",
            (text,),
            output_field=BooleanField(),
        )
        return queryset.filter(condition)
    for word in _WORDS.findall(text.lower())[:10]:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(search_text__icontains=word) | Q(description__icontains=word)
        )
    return queryset


def rare_match_ids(queryset: QuerySet) -> list[int] | None:
    """The ids of all matches when there are at most RARE_LIMIT, else None (common term).

    Only meaningful on PostgreSQL; the probe's LIMIT bounds its cost for common terms.
    """
    if connection.vendor != "postgresql":
        return None
    ids = list(queryset.order_by().values_list("id", flat=True)[: RARE_LIMIT + 1])
    return None if len(ids) > RARE_LIMIT else ids
