"""What the pipelines record about an artist beside its row: the match decision per service
(`pipelines.artist_matches`), when each part was synced (`pipelines.artist_sync_state` and the app's
own `*_synced_at` columns) and the artist's counters (total_songs, total_shows, ...).

Apart from the row itself (artists.py) because every per-artist step reads the decisions and stamps
its part, while only the profile step writes the row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import psycopg

from ..rules.match_decisions import MatchDecision


def record_decisions(conn: psycopg.Connection, artist_id: str, decisions: Sequence[MatchDecision]) -> None:
    """One row per service; a decision that did not change keeps its `decided_at`."""
    for d in decisions:
        candidates = json.dumps([asdict(c) for c in d.candidates])
        conn.execute(
            "INSERT INTO pipelines.artist_matches AS m "
            "(artist_id, service, external_id, method, status, reason, candidates) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (artist_id, service) DO UPDATE SET "
            "external_id = excluded.external_id, method = excluded.method, status = excluded.status, "
            "reason = excluded.reason, candidates = excluded.candidates, decided_at = now() "
            "WHERE ROW(m.external_id, m.method, m.status, m.reason, m.candidates) IS DISTINCT FROM "
            "ROW(excluded.external_id, excluded.method, excluded.status, excluded.reason, excluded.candidates)",
            (artist_id, d.service, d.external_id, d.method, d.status, d.reason, candidates),
        )


def decisions(conn: psycopg.Connection, artist_id: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        "SELECT service, external_id, method, status, reason FROM pipelines.artist_matches WHERE artist_id = %s",
        (artist_id,),
    ).fetchall()
    return {r[0]: {"external_id": r[1], "method": r[2], "status": r[3], "reason": r[4]} for r in rows}


# The app's own "when was this synced" column for each part (none for setlists).
_APP_SYNCED_COLUMN = {
    "profile": "last_synced_at",
    "catalog": "song_catalog_synced_at",
    "shows": "shows_synced_at",
    "setlists": None,
}


def mark_synced(conn: psycopg.Connection, artist_id: str, part: str, *, full_sync: bool = False) -> None:
    """Stamp when `part` (profile, catalog, shows, setlists) was synced, in our state table and in the
    app's column. A timestamp is not a data change: `artists.updated_at` is left alone, so a second
    run of an unchanged artist touches no `updated_at`."""
    if part not in _APP_SYNCED_COLUMN:
        raise ValueError(part)
    column = f"{part}_synced_at"
    conn.execute(
        f"INSERT INTO pipelines.artist_sync_state (artist_id, {column}) VALUES (%s, now()) "
        f"ON CONFLICT (artist_id) DO UPDATE SET {column} = now(), updated_at = now()",
        (artist_id,),
    )
    stamps = [c for c in (_APP_SYNCED_COLUMN[part], "last_full_sync_at" if full_sync else None) if c]
    if part != "profile":
        stamps.append("last_synced_at")
    if stamps:
        sets = ", ".join(f"{c} = now()" for c in dict.fromkeys(stamps))
        conn.execute(f"UPDATE artists SET {sets} WHERE id = %s", (artist_id,))


def mark_synced_many(conn: psycopg.Connection, part: str, artist_ids: Sequence[str]) -> int:
    """`mark_synced` for many artists in two statements: the pipelines' sync state and
    the app's columns (`shows_synced_at`, `song_catalog_synced_at`; setlists and profile
    have none) and `last_synced_at`, as a per-artist step stamps them."""
    app_column = {"shows": "shows_synced_at", "catalog": "song_catalog_synced_at", "setlists": None,
                  "profile": None}[part]  # fmt: skip
    if not artist_ids:
        return 0
    ids = list(artist_ids)
    conn.execute(
        f"INSERT INTO pipelines.artist_sync_state (artist_id, {part}_synced_at) SELECT unnest(%s::uuid[]), now() "
        f"ON CONFLICT (artist_id) DO UPDATE SET {part}_synced_at = now(), updated_at = now()",
        (ids,),
    )
    # As mark_synced: every part stamps last_synced_at (the profile's own app column).
    sets = ", ".join(
        c for c in (f"{app_column} = now()" if app_column else None, "last_synced_at = now()") if c
    )
    return conn.execute(f"UPDATE artists SET {sets} WHERE id = ANY(%s::uuid[])", (ids,)).rowcount


def set_totals(conn: psycopg.Connection, artist_id: str, **totals: int) -> bool:
    """Update the artist's counters (total_songs, total_shows, ...) only where they changed."""
    cols = list(totals)
    sets = ", ".join(f"{c} = %({c})s" for c in cols)
    old = ", ".join(cols)
    new = ", ".join(f"%({c})s::int" for c in cols)
    cur = conn.execute(
        f"UPDATE artists SET {sets}, updated_at = now() WHERE id = %(id)s AND ROW({old}) IS DISTINCT FROM ROW({new})",
        {**totals, "id": artist_id},
    )
    return cur.rowcount > 0
