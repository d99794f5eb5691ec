"""The stage table every bulk write goes through: rows COPYed into a temporary table with the target's
column types (`ON COMMIT DROP`, so it must run inside the caller's transaction), the rows made unique
per key, and the ids of the staged rows found back in the target.

Apart from the writes (bulk.py, upsert.py) because each of them stages the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

_names = itertools.count()
Row = Sequence[Any]


def stage(conn: psycopg.Connection, like: str, columns: Sequence[str], rows: Iterable[Row]) -> sql.Identifier:
    """A temporary table with `like`'s column types, filled by COPY; returns its name."""
    if conn.info.transaction_status == TransactionStatus.IDLE and conn.autocommit:
        raise RuntimeError("bulk writes run inside a transaction (with conn.transaction(): ...)")
    name = sql.Identifier(f"_stage_{like.replace('.', '_')}_{next(_names)}")
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            name, cols, table_name(like)
        )
    )
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, cols)) as copy:
        for row in rows:
            copy.write_row(row)
    # A temporary table has no statistics until analyzed (autovacuum never sees it): the planner
    # then guesses thousands of rows and joins a handful of staged rows to `shows` by hashing the
    # whole table, a full scan per write at fleet scale. Its real size lets it probe the indexes.
    conn.execute(sql.SQL("ANALYZE {}").format(name))
    return name


def table_name(name: str) -> sql.Identifier:
    """`"songs"` or `"pipelines"."spotify_releases"`."""
    return sql.Identifier(*name.split("."))


def unique_rows(rows: Sequence[Row], positions: list[int]) -> list[Row]:
    # ON CONFLICT cannot touch one row twice in a statement: the last row for a key wins.
    by_key = {tuple(row[p] for p in positions): row for row in rows}
    return list(by_key.values())


def staged_ids(
    conn: psycopg.Connection, target: sql.Identifier, staged: sql.Identifier, key: Sequence[str]
) -> dict[tuple[Any, ...], str]:
    on = sql.SQL(" AND ").join(sql.SQL("t.{0} = s.{0}").format(sql.Identifier(k)) for k in key)
    # Keys come back as text (uuids included), so callers can look them up with the strings they gave.
    cols = sql.SQL(", ").join(sql.SQL("s.{}::text").format(sql.Identifier(k)) for k in key)
    rows = conn.execute(
        sql.SQL("SELECT {}, t.id::text FROM {} AS t JOIN {} AS s ON {}").format(cols, target, staged, on)
    ).fetchall()
    return {tuple(r[:-1]): r[-1] for r in rows}
