"""The `artists` row of a profile sync, its match decisions and the artist's sync state.

One artist is one row: these are single statements, not bulk ones. A known id is never overwritten with
null, an id another artists row already holds is left with that row (and the conflict recorded), the
slug is chosen once (accents folded, a numeric suffix on collision) and never changed afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from ..rules.matching import MatchDecision
from ..text import slugify, unique_slug
from .bulk import WriteCounts

ID_COLUMNS = ("tm_attraction_id", "spotify_id", "mbid")
SERVICE_COLUMN = {"ticketmaster": "tm_attraction_id", "spotify": "spotify_id", "setlistfm": "mbid"}
# The app's slugs are URL parts: a very long provider name still gets a short one.
SLUG_MAX_LENGTH = 100


@dataclass(frozen=True)
class ArtistProfile:
    name: str
    tm_attraction_id: str | None = None
    spotify_id: str | None = None
    mbid: str | None = None
    image_url: str | None = None
    small_image_url: str | None = None
    genres: tuple[str, ...] = ()
    external_urls: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredArtist:
    id: str
    name: str
    slug: str
    tm_attraction_id: str | None
    spotify_id: str | None
    mbid: str | None
    profile_synced_at: datetime | None


def find(conn: psycopg.Connection, artist_id: str | None, **ids: str | None) -> StoredArtist | None:
    """The artists row by its id, else by the strongest external id that finds one."""
    probes: list[tuple[str, str]] = [("a.id", artist_id)] if artist_id else []
    probes += [(f"a.{c}", v) for c in ID_COLUMNS if (v := ids.get(c))]
    for column, value in probes:
        row = conn.execute(
            "SELECT a.id::text, a.name, a.slug, a.tm_attraction_id, a.spotify_id, a.mbid, s.profile_synced_at "
            f"FROM artists a LEFT JOIN pipelines.artist_sync_state s ON s.artist_id = a.id WHERE {column} = %s",
            (value,),
        ).fetchone()
        if row:
            return StoredArtist(*row)
    return None


def free_ids(conn: psycopg.Connection, artist_id: str | None, ids: dict[str, str | None]) -> dict[str, str]:
    """The ids no other artists row holds; the others are returned with the row that holds them."""
    taken: dict[str, str] = {}
    for column, value in ids.items():
        if not value:
            continue
        row = conn.execute(
            f"SELECT id::text FROM artists WHERE {column} = %s AND id IS DISTINCT FROM %s::uuid",
            (value, artist_id),
        ).fetchone()
        if row:
            taken[column] = row[0]
    return taken


def save(
    conn: psycopg.Connection, artist_id: str | None, profile: ArtistProfile, *, new_id: str | None = None
) -> tuple[str, WriteCounts]:
    """Insert or update the artists row; returns its id. A new row takes `new_id` (the id the app
    asked for) when given and still free. Caller holds the transaction."""
    genres = json.dumps(list(profile.genres)) if profile.genres else None
    urls = json.dumps(dict(sorted(profile.external_urls.items()))) if profile.external_urls else None
    values: dict[str, Any] = {
        "name": profile.name,
        "tm_attraction_id": profile.tm_attraction_id,
        "spotify_id": profile.spotify_id,
        "mbid": profile.mbid,
        "image_url": profile.image_url,
        "small_image_url": profile.small_image_url,
        "genres": genres,
        "external_urls": urls,
    }
    if artist_id is None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('mysetlist:artists.slug'))")
        base = slugify(profile.name, fallback="artist", max_length=SLUG_MAX_LENGTH)
        taken = {
            r[0]
            for r in conn.execute(
                "SELECT slug FROM artists WHERE slug = %s OR slug LIKE %s", (base, base + "-%")
            )
        }
        cols = [*values, "slug"]
        params = [*values.values(), unique_slug(base, taken)]
        if new_id and not conn.execute("SELECT 1 FROM artists WHERE id = %s", (new_id,)).fetchone():
            cols.append("id")
            params.append(new_id)
        row = conn.execute(
            f"INSERT INTO artists ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))}) RETURNING id::text",
            params,
        ).fetchone()
        assert row is not None
        return row[0], WriteCounts(inserted=1)
    # Known ids and images survive a null; the name follows the strongest service.
    sets = ", ".join(f"{c} = COALESCE(%({c})s, {c})" for c in values)
    changed = ", ".join(f"COALESCE(%({c})s, {c})" for c in values)
    current = ", ".join(values)
    cur = conn.execute(
        f"UPDATE artists SET {sets}, updated_at = now() WHERE id = %(id)s "
        f"AND ROW({current}) IS DISTINCT FROM ROW({changed})",
        {**values, "id": artist_id},
    )
    return artist_id, WriteCounts(updated=cur.rowcount, unchanged=1 - cur.rowcount)


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
