"""Artist partition keys: readable, assigned once, never changed.

A key is the artist's slug at the time it was first requested ("radiohead", "sigur-ros"), or, when the
request carries no name, the strongest external id ("tm-K8vZ9171oZ7", "spotify-4Z8W4fKeB5YxbusRsdQVPb",
"mbid-a74b1b7f-..."). Collisions get a numeric suffix. `pipelines.artist_keys` maps the key to the
`artists` row (once the profile sync has created or found it) and to every external id learned since,
so a later request by any of those ids, or by the app's artists.id, lands on the same partition.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields

import psycopg
from psycopg.rows import class_row

from .text import slugify, unique_slug

# Strongest first: the app's own id, then the ids the matching order in external-apis.md trusts most.
_ID_COLUMNS = ("artist_id", "tm_attraction_id", "spotify_id", "mbid")
_KEY_PREFIX = {"tm_attraction_id": "tm", "spotify_id": "spotify", "mbid": "mbid"}


@dataclass(frozen=True)
class ArtistRequest:
    """What a request knows about an artist; at least one field must be set."""

    artist_id: str | None = None
    tm_attraction_id: str | None = None
    spotify_id: str | None = None
    mbid: str | None = None
    name: str | None = None

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class ArtistIdentity:
    partition_key: str
    artist_id: str | None
    tm_attraction_id: str | None
    spotify_id: str | None
    mbid: str | None
    name: str | None


class UnknownArtistKey(LookupError):
    pass


def register(conn: psycopg.Connection, requests: list[ArtistRequest]) -> list[str]:
    """The partition key of each request (same order), creating keys for artists never seen before.

    Idempotent, and safe against a concurrent registration: the whole batch runs under one
    transaction-level advisory lock. An invalid request raises ValueError before anything is written.
    """
    for request in requests:
        validate(request)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('pipelines.artist_keys'))")
        return [_register_one(conn, request) for request in requests]


def lookup(conn: psycopg.Connection, partition_key: str) -> ArtistIdentity:
    with conn.cursor(row_factory=class_row(ArtistIdentity)) as cur:
        row = cur.execute(
            "SELECT partition_key, artist_id::text, tm_attraction_id, spotify_id, mbid, name "
            "FROM pipelines.artist_keys WHERE partition_key = %s",
            (partition_key,),
        ).fetchone()
    if row is None:
        raise UnknownArtistKey(
            f"artist partition {partition_key!r} is not registered; request the artist through a "
            "sync_jobs row or `mysetlist import` first"
        )
    return row


def link(conn: psycopg.Connection, partition_key: str, artist_id: str, **ids: str | None) -> None:
    """Record what the profile sync learned: the artists row and external ids. Known values are
    never overwritten with null, and an id another key already holds is left alone."""
    _fill(conn, partition_key, {"artist_id": artist_id, **ids})


def validate(request: ArtistRequest) -> None:
    if request.is_empty():
        raise ValueError("an artist request needs an artists.id, an external id or a name")
    if request.artist_id:
        try:
            uuid.UUID(request.artist_id)
        except ValueError:
            raise ValueError(f"artist id {request.artist_id!r} is not a valid artists.id (a uuid)") from None


def _register_one(conn: psycopg.Connection, request: ArtistRequest) -> str:
    request = _with_artist_row(conn, request)
    for column in _ID_COLUMNS:
        value = getattr(request, column)
        if value:
            row = conn.execute(
                f"SELECT partition_key FROM pipelines.artist_keys WHERE {column} = %s", (value,)
            ).fetchone()
            if row:
                _fill(conn, row[0], _ids(request))
                return row[0]
    key = _new_key(conn, request)
    conn.execute(
        "INSERT INTO pipelines.artist_keys (partition_key, name) VALUES (%s, %s)", (key, request.name)
    )
    _fill(conn, key, _ids(request))
    return key


def _with_artist_row(conn: psycopg.Connection, request: ArtistRequest) -> ArtistRequest:
    """Complete the request from an existing `artists` row found by any of its ids."""
    clauses = [(c, getattr(request, c)) for c in _ID_COLUMNS if getattr(request, c)]
    for column, value in clauses:
        column = "id" if column == "artist_id" else column
        row = conn.execute(
            f"SELECT id::text, tm_attraction_id, spotify_id, mbid, name FROM artists WHERE {column} = %s",
            (value,),
        ).fetchone()
        if row:
            known = dict(
                zip(("artist_id", "tm_attraction_id", "spotify_id", "mbid", "name"), row, strict=True)
            )
            merged = {f.name: getattr(request, f.name) or known[f.name] for f in fields(request)}
            return ArtistRequest(**merged)
    return request


def _ids(request: ArtistRequest) -> dict[str, str | None]:
    return {c: getattr(request, c) for c in _ID_COLUMNS}


def _new_key(conn: psycopg.Connection, request: ArtistRequest) -> str:
    if request.name:
        base = slugify(request.name, fallback="artist")
    else:
        column = next(c for c in ("tm_attraction_id", "spotify_id", "mbid") if getattr(request, c))
        base = f"{_KEY_PREFIX[column]}-{slugify(getattr(request, column))}"
    taken = {
        r[0]
        for r in conn.execute(
            "SELECT partition_key FROM pipelines.artist_keys WHERE partition_key = %s OR partition_key LIKE %s",
            (base, base + "-%"),
        )
    }
    return unique_slug(base, taken)


def _fill(conn: psycopg.Connection, key: str, ids: dict[str, str | None]) -> None:
    for column, value in ids.items():
        if not value:
            continue
        # Only fill a gap, and only with an id no other key holds (never steal or overwrite).
        conn.execute(
            f"UPDATE pipelines.artist_keys SET {column} = %s, updated_at = now() "
            f"WHERE partition_key = %s AND {column} IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM pipelines.artist_keys WHERE {column} = %s)",
            (value, key, value),
        )
