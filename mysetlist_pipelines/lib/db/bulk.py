"""Bulk writes for tables without a unique key, plain inserts and updates by id: rows are COPYed into a
temporary stage table (staging.py), then merged in one statement or two. (`upsert`, for tables with a
unique key, is in upsert.py.)

- `merge`: for tables where the contract gives no unique key (`show_artists`, `setlists`): UPDATE the
  rows that match on the given columns and differ, then INSERT the ones no row matches (an anti-join).
  Callers serialize concurrent merges of the same rows with an advisory lock (see `lock`).
- `update_by_id`: UPDATE rows found earlier by id, only where they differ.

Every function must run inside the caller's transaction (one per asset): the stage tables are
`ON COMMIT DROP`. Each returns `WriteCounts` (inserted / updated / unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from .staging import Row, stage, staged_ids, table_name, unique_rows
from .write_counts import WriteCounts


def lock(conn: psycopg.Connection, *names: str) -> None:
    """Transaction-level advisory locks, always taken in the order given (callers keep one order:
    the artist first, then shared tables), so two runs never wait on each other in a cycle."""
    for name in names:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"mysetlist:{name}",))


def merge(
    conn: psycopg.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    match: Sequence[str],
    update: Sequence[str] = (),
    touch: bool = True,
) -> tuple[WriteCounts, dict[tuple[Any, ...], str]]:
    """Update-then-insert on `match` columns (non-null) for tables without a unique key there."""
    rows = unique_rows(rows, [columns.index(m) for m in match])
    if not rows:
        return WriteCounts(), {}
    staged = stage(conn, table, columns, rows)
    target = table_name(table)
    on = sql.SQL(" AND ").join(sql.SQL("t.{0} = s.{0}").format(sql.Identifier(m)) for m in match)
    updated = 0
    if update:
        sets = [sql.SQL("{0} = s.{0}").format(sql.Identifier(c)) for c in update]
        if touch:
            sets.append(sql.SQL("updated_at = now()"))
        old = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in update)
        new = sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in update)
        cur = conn.execute(
            sql.SQL(
                "UPDATE {} AS t SET {} FROM {} AS s WHERE {} AND ROW({}) IS DISTINCT FROM ROW({})"
            ).format(target, sql.SQL(", ").join(sets), staged, on, old, new)
        )
        updated = cur.rowcount
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    cur = conn.execute(
        sql.SQL(
            "INSERT INTO {t} ({cols}) SELECT {cols} FROM {s} AS s "
            "WHERE NOT EXISTS (SELECT 1 FROM {t} AS t WHERE {on})"
        ).format(t=target, cols=cols, s=staged, on=on)
    )
    inserted = cur.rowcount
    ids = staged_ids(conn, target, staged, match)
    return WriteCounts(inserted, updated, max(len(rows) - inserted - updated, 0)), ids


def insert(conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Sequence[Row]) -> WriteCounts:
    """Plain inserts of new rows (callers give them their ids, so they can refer to them at once)."""
    if not rows:
        return WriteCounts()
    staged = stage(conn, table, columns, rows)
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    cur = conn.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(table_name(table), cols, cols, staged)
    )
    return WriteCounts(inserted=cur.rowcount)


def update_by_id(
    conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Sequence[Row], *, touch: bool = True
) -> WriteCounts:
    """`rows` start with the row's id (`columns[0] == "id"`); a row is updated only where it differs."""
    rows = unique_rows(rows, [0])
    if not rows:
        return WriteCounts()
    staged = stage(conn, table, columns, rows)
    rest = [c for c in columns if c != "id"]
    sets = [sql.SQL("{0} = s.{0}").format(sql.Identifier(c)) for c in rest]
    if touch:
        sets.append(sql.SQL("updated_at = now()"))
    old = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in rest)
    new = sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in rest)
    cur = conn.execute(
        sql.SQL(
            "UPDATE {} AS t SET {} FROM {} AS s WHERE t.id = s.id AND ROW({}) IS DISTINCT FROM ROW({})"
        ).format(table_name(table), sql.SQL(", ").join(sets), staged, old, new)
    )
    return WriteCounts(0, cur.rowcount, len(rows) - cur.rowcount)
