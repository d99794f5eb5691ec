"""The `artists` row of a profile sync (the match decisions and the artist's sync state:
artist_state.py).

One artist is one row: these are single statements, not bulk ones. A known id is never overwritten with
null, an id another artists row already holds is left with that row (and the conflict recorded), the
slug is chosen once (accents folded, a numeric suffix on collision) and never changed afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from ..text import slugify, unique_slug
from .write_counts import WriteCounts

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
