"""`upsert`: the staged rows INSERTed ... ON CONFLICT (key) DO UPDATE ... WHERE the row IS DISTINCT
FROM what it would become, so an unchanged row is not touched and keeps its `updated_at`; returns the
counts and key -> id.

Apart from the other bulk writes (bulk.py) because it is the one for tables with a unique key, and the
one that returns ids without a second pass when every row was written. Runs inside the caller's
transaction (staging.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from .staging import Row, stage, staged_ids, table_name, unique_rows
from .write_counts import WriteCounts


def upsert(
    conn: psycopg.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
    keep_known: Sequence[str] = (),
    touch: bool = True,
    ids: bool = True,
) -> tuple[WriteCounts, dict[tuple[Any, ...], str]]:
    """Insert or update on `key` (a unique key of `table`); returns the counts and key -> id (empty
    with `ids=False`, for tables without an id column).

    `update`: the columns a conflict updates (default: every non-key column; () = DO NOTHING).
    `keep_known`: columns where a null never overwrites a stored value. `touch`: set updated_at."""
    rows = unique_rows(rows, [columns.index(k) for k in key])
    if not rows:
        return WriteCounts(), {}
    update = [c for c in columns if c not in key] if update is None else list(update)
    staged = stage(conn, table, columns, rows)
    target = table_name(table)
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    keys = sql.SQL(", ").join(map(sql.Identifier, key))
    if update:
        new = [_new_value(c, keep_known, "excluded") for c in update]
        old = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in update)
        sets = [sql.SQL("{} = {}").format(sql.Identifier(c), v) for c, v in zip(update, new, strict=True)]
        if touch:
            sets.append(sql.SQL("updated_at = now()"))
        action = sql.SQL("DO UPDATE SET {} WHERE ROW({}) IS DISTINCT FROM ROW({})").format(
            sql.SQL(", ").join(sets), old, sql.SQL(", ").join(new)
        )
    else:
        action = sql.SQL("DO NOTHING")
    insert = sql.SQL(
        "INSERT INTO {t} AS t ({cols}) SELECT {cols} FROM {s} ORDER BY {keys} ON CONFLICT ({keys}) {action} "
    ).format(t=target, cols=cols, s=staged, keys=keys, action=action)
    if not ids:
        inserted, updated = conn.execute(
            sql.SQL(
                "WITH w AS ({} RETURNING (xmax = 0) AS inserted) "
                "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM w"
            ).format(insert)
        ).fetchone() or (0, 0)
        return WriteCounts(inserted, updated, len(rows) - inserted - updated), {}
    # The rows written return their ids; only when some were left unchanged is the stage joined
    # back to find theirs (a second pass over every row, which a first import never needs).
    returning = sql.SQL(", ").join(
        [
            sql.SQL("(xmax = 0)"),
            *(sql.SQL("t.{}::text").format(sql.Identifier(k)) for k in key),
            sql.SQL("t.id::text"),
        ]
    )
    written = conn.execute(sql.SQL("{} RETURNING {}").format(insert, returning)).fetchall()
    inserted = sum(1 for r in written if r[0])
    updated = len(written) - inserted
    if len(written) < len(rows):
        found = staged_ids(conn, target, staged, key)
    else:
        found = {tuple(r[1:-1]): r[-1] for r in written}
    return WriteCounts(inserted, updated, len(rows) - inserted - updated), found


def _new_value(column: str, keep_known: Sequence[str], source: str) -> sql.Composable:
    value = sql.SQL("{}.{}").format(sql.Identifier(source), sql.Identifier(column))
    if column in keep_known:
        return sql.SQL("COALESCE({}, t.{})").format(value, sql.Identifier(column))
    return value
