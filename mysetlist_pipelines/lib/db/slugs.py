"""Slugs for new rows (`venues`, `shows`): a slug per base, unique in the table and among the batch.

Apart from the writes because it only reads: the caller allocates, then writes the rows with them.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from ..text import unique_slug
from .staging import table_name


def allocate_slugs(conn: psycopg.Connection, table: str, bases: Sequence[str]) -> list[str]:
    """A slug per base, unique in `table` and among themselves (`base`, `base-2`, ...). Callers hold a
    lock that serializes slug allocation for the table."""
    if not bases:
        return []
    distinct = sorted(set(bases))
    # "base" itself, and "base-..." as the byte-wise range ["base-", "base.") ('.' follows '-'):
    # the pattern operators use the text_pattern_ops index (sql/0012) once per base, where
    # `slug LIKE ANY(...)` scanned the table. Bases are slugs ([a-z0-9-]), so the two read the same.
    taken = {
        r[0]
        for r in conn.execute(
            sql.SQL(
                "SELECT t.slug FROM {t} t WHERE t.slug = ANY(%s) UNION ALL "
                "SELECT t.slug FROM unnest(%s::text[], %s::text[]) AS b(lo, hi) "
                "JOIN {t} t ON t.slug ~>=~ b.lo AND t.slug ~<~ b.hi"
            ).format(t=table_name(table)),
            (distinct, [b + "-" for b in distinct], [b + "." for b in distinct]),
        )
    }
    slugs = []
    for base in bases:
        slug = unique_slug(base, taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs
