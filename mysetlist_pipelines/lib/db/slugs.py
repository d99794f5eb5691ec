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
    taken = {
        r[0]
        for r in conn.execute(
            sql.SQL("SELECT slug FROM {} WHERE slug = ANY(%s) OR slug LIKE ANY(%s)").format(
                table_name(table)
            ),
            (distinct, [b + "-%" for b in distinct]),
        )
    }
    slugs = []
    for base in bases:
        slug = unique_slug(base, taken)
        taken.add(slug)
        slugs.append(slug)
    return slugs
