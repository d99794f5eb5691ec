"""Bulk writes: rows are COPYed into a temporary stage table, then merged in one statement or two.

- `upsert`: INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE the row IS DISTINCT FROM what it would
  become, so an unchanged row is not touched and keeps its `updated_at`.
- `merge`: for tables where the contract gives no unique key (`show_artists`, `setlists`): UPDATE the
  rows that match on the given columns and differ, then INSERT the ones no row matches (an anti-join).
  Callers serialize concurrent merges of the same rows with an advisory lock (see `lock`).
- `update_by_id`: UPDATE rows found earlier by id, only where they differ.

Every function must run inside the caller's transaction (one per asset): the stage tables are
`ON COMMIT DROP`. Each returns `WriteCounts` (inserted / updated / unchanged).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

from ..text import unique_slug

_names = itertools.count()
Row = Sequence[Any]


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def changed(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def lock(conn: psycopg.Connection, *names: str) -> None:
    """Transaction-level advisory locks, always taken in the order given (callers keep one order:
    the artist first, then shared tables), so two runs never wait on each other in a cycle."""
    for name in names:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"mysetlist:{name}",))


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
    rows = _unique(rows, [columns.index(k) for k in key])
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
        found = _ids(conn, target, staged, key)
    else:
        found = {tuple(r[1:-1]): r[-1] for r in written}
    return WriteCounts(inserted, updated, len(rows) - inserted - updated), found


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
    rows = _unique(rows, [columns.index(m) for m in match])
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
    ids = _ids(conn, target, staged, match)
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


def update_by_id(
    conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Sequence[Row], *, touch: bool = True
) -> WriteCounts:
    """`rows` start with the row's id (`columns[0] == "id"`); a row is updated only where it differs."""
    rows = _unique(rows, [0])
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


def table_name(name: str) -> sql.Identifier:
    """`"songs"` or `"pipelines"."spotify_releases"`."""
    return sql.Identifier(*name.split("."))


def _new_value(column: str, keep_known: Sequence[str], source: str) -> sql.Composable:
    value = sql.SQL("{}.{}").format(sql.Identifier(source), sql.Identifier(column))
    if column in keep_known:
        return sql.SQL("COALESCE({}, t.{})").format(value, sql.Identifier(column))
    return value


def _unique(rows: Sequence[Row], positions: list[int]) -> list[Row]:
    # ON CONFLICT cannot touch one row twice in a statement: the last row for a key wins.
    by_key = {tuple(row[p] for p in positions): row for row in rows}
    return list(by_key.values())


def _ids(
    conn: psycopg.Connection, target: sql.Identifier, staged: sql.Identifier, key: Sequence[str]
) -> dict[tuple[Any, ...], str]:
    on = sql.SQL(" AND ").join(sql.SQL("t.{0} = s.{0}").format(sql.Identifier(k)) for k in key)
    # Keys come back as text (uuids included), so callers can look them up with the strings they gave.
    cols = sql.SQL(", ").join(sql.SQL("s.{}::text").format(sql.Identifier(k)) for k in key)
    rows = conn.execute(
        sql.SQL("SELECT {}, t.id::text FROM {} AS t JOIN {} AS s ON {}").format(cols, target, staged, on)
    ).fetchall()
    return {tuple(r[:-1]): r[-1] for r in rows}
