"""Finding the key a request already has: by artists.id, by an external id, by the id the app wants the
artist created with, or by name; and completing a request from an existing `artists` row.

Apart from registration (key_registration.py) because the intake's hold-back (settling.py) asks the
same question without opening a key.
"""

from __future__ import annotations

from dataclasses import fields, replace

import psycopg
from psycopg.rows import class_row

from ..text import normalize_name
from .key_records import EXTERNAL_COLUMNS, ArtistIdentity, ArtistRequest, UnknownArtistKey


def lookup(conn: psycopg.Connection, partition_key: str) -> ArtistIdentity:
    with conn.cursor(row_factory=class_row(ArtistIdentity)) as cur:
        row = cur.execute(
            "SELECT partition_key, artist_id::text, tm_attraction_id, spotify_id, mbid, name, "
            "requested_artist_id::text FROM pipelines.artist_keys WHERE partition_key = %s",
            (partition_key,),
        ).fetchone()
    if row is None:
        raise UnknownArtistKey(
            f"artist partition {partition_key!r} is not registered; request the artist through a "
            "sync_jobs row or `mysetlist import` first"
        )
    return row


def existing_key(conn: psycopg.Connection, request: ArtistRequest, requested_id: str | None) -> str | None:
    """The key the request already has: by artists.id, by an external id, by the id the app wants the
    artist created with, or by name (in that order)."""
    if request.artist_id:
        key = _key_where(conn, "artist_id", request.artist_id)
        if key:
            return key
    for column in EXTERNAL_COLUMNS:
        value = getattr(request, column)
        key = _key_where(conn, column, value) if value else None
        if key:
            return key
    if requested_id:
        key = _key_where(conn, "requested_artist_id", requested_id)
        if key:
            return key
    return _key_by_name(conn, request) if request.name else None


def with_artist_row(conn: psycopg.Connection, request: ArtistRequest) -> tuple[ArtistRequest, str | None]:
    """Complete the request from an existing `artists` row found by any of its ids. An artists.id
    with no row yet comes back separately, as the id the app wants the artist created with."""
    requested_id = None
    for column in ("artist_id", *EXTERNAL_COLUMNS):
        value = getattr(request, column)
        if not value:
            continue
        row = conn.execute(
            "SELECT id::text, tm_attraction_id, spotify_id, mbid, name FROM artists "
            f"WHERE {'id' if column == 'artist_id' else column} = %s",
            (value,),
        ).fetchone()
        if row:
            known = dict(zip(("artist_id", *EXTERNAL_COLUMNS, "name"), row, strict=True))
            merged = {f.name: getattr(request, f.name) or known[f.name] for f in fields(request)}
            if column != "artist_id" and request.artist_id and request.artist_id != known["artist_id"]:
                merged["artist_id"] = known["artist_id"]  # the row found by external id wins
            return ArtistRequest(**merged), None
        if column == "artist_id":
            requested_id = value
            request = replace(request, artist_id=None)
    return request, requested_id


def _key_where(conn: psycopg.Connection, column: str, value: str) -> str | None:
    row = conn.execute(
        f"SELECT partition_key FROM pipelines.artist_keys WHERE {column} = %s", (value,)
    ).fetchone()
    return row[0] if row else None


def _key_by_name(conn: psycopg.Connection, request: ArtistRequest) -> str | None:
    """A key whose artist has the same normalized name and no conflicting external id."""
    assert request.name
    rows = conn.execute(
        "SELECT partition_key, tm_attraction_id, spotify_id, mbid FROM pipelines.artist_keys "
        "WHERE name_key = %s ORDER BY created_at",
        (normalize_name(request.name),),
    ).fetchall()
    fitting = [
        r[0]
        for r in rows
        if all(
            not getattr(request, c) or stored in (None, getattr(request, c))
            for c, stored in zip(EXTERNAL_COLUMNS, r[1:], strict=True)
        )
    ]
    if len(fitting) > 1:
        raise ValueError(
            f"{len(fitting)} artists are named {request.name!r} ({', '.join(fitting)}); "
            "name the one you mean by its Spotify or Ticketmaster id"
        )
    return fitting[0] if fitting else None
