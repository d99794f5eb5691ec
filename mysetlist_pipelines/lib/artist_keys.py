"""Artist partition keys: readable, assigned once, never changed.

A key is the artist's slug at the time it was first requested ("radiohead", "sigur-ros"), or, when the
request carries no name, the strongest external id ("tm-K8vZ9171oZ7", "spotify-4Z8W4fKeB5YxbusRsdQVPb",
"mbid-a74b1b7f-..."). Collisions get a numeric suffix. `pipelines.artist_keys` maps the key to the
`artists` row (once the profile sync has created or found it) and to every external id learned since,
so a later request by any of those ids, by the app's artists.id, or by the same name, lands on the same
partition.

The app may send an `entity_id` for an artist whose row it has not created yet; that id is kept as the
key's `requested_artist_id`, and the profile sync creates the `artists` row with it, so the app's own
link to the artist keeps working.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace

import psycopg
from psycopg.rows import class_row

from .text import normalize_name, slugify, unique_slug

# Strongest first: the ids the matching order in external-apis.md trusts most.
_EXTERNAL_COLUMNS = ("tm_attraction_id", "spotify_id", "mbid")
_KEY_PREFIX = {"tm_attraction_id": "tm", "spotify_id": "spotify", "mbid": "mbid"}
# A key made from a name is cut at a word boundary: keys are Dagster partition keys and URL parts.
MAX_KEY_LENGTH = 64
# How long a new key being settled (its profile not done) makes a request that may be the same artist
# wait (settling_rival); past it the request registers anyway (the first import is stuck or queued).
SETTLING_SECONDS = 600


@dataclass(frozen=True)
class ArtistRequest:
    """What a request knows about an artist: the app's artists.id (existing or intended), external
    ids, a name. It must identify the artist by an existing artists.id, an external id or a name."""

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
    requested_artist_id: str | None = None


class UnknownArtistKey(LookupError):
    pass


def validate(request: ArtistRequest) -> None:
    """The checks that need no database: something to go on, and a well-formed artists.id. (The
    formats of a sync_jobs row's external ids are checked at intake: tracking/requests.py.)"""
    if request.is_empty():
        raise ValueError("an artist request needs an artists.id, an external id or a name")
    if request.artist_id:
        try:
            uuid.UUID(request.artist_id)
        except ValueError:
            raise ValueError(f"artist id {request.artist_id!r} is not a valid artists.id (a uuid)") from None


def register(conn: psycopg.Connection, requests: list[ArtistRequest]) -> list[str]:
    """The partition key of each request (same order), creating keys for artists never seen before.

    Idempotent, and safe against concurrent registration (one transaction-level advisory lock).
    An invalid request raises ValueError and nothing of the batch is written: callers that must not
    let one bad request stop others register one request at a time.
    """
    for request in requests:
        validate(request)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('pipelines.artist_keys'))")
        return [_register_one(conn, request) for request in requests]


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


def link(
    conn: psycopg.Connection,
    partition_key: str,
    artist_id: str,
    *,
    name: str | None = None,
    **ids: str | None,
) -> None:
    """Record what the profile sync learned: the artists row, its name and external ids. Known values
    are never overwritten with null, and an id another key already holds is left alone."""
    _fill(conn, partition_key, {"artist_id": artist_id, **ids})
    if name:
        conn.execute(
            "UPDATE pipelines.artist_keys SET name_key = %s WHERE partition_key = %s "
            "AND name_key IS DISTINCT FROM %s",
            (normalize_name(name), partition_key, normalize_name(name)),
        )


def _register_one(conn: psycopg.Connection, request: ArtistRequest) -> str:
    request, requested_id = _with_artist_row(conn, request)
    key = _existing_key(conn, request, requested_id)
    if key:
        return _filled(conn, key, request)
    if not (request.name or any(getattr(request, c) for c in _EXTERNAL_COLUMNS)):
        raise ValueError(
            f"artist id {requested_id} is not an artists row yet, and the request names no external "
            "id or artist name to import it from"
        )
    key = _new_key(conn, request)
    conn.execute(
        "INSERT INTO pipelines.artist_keys (partition_key, name, name_key, requested_artist_id) "
        "VALUES (%s, %s, %s, %s)",
        (key, request.name, normalize_name(request.name) if request.name else None, requested_id),
    )
    return _filled(conn, key, request)


def _existing_key(conn: psycopg.Connection, request: ArtistRequest, requested_id: str | None) -> str | None:
    """The key the request already has: by artists.id, by an external id, by the id the app wants the
    artist created with, or by name (in that order)."""
    if request.artist_id:
        key = _key_where(conn, "artist_id", request.artist_id)
        if key:
            return key
    for column in _EXTERNAL_COLUMNS:
        value = getattr(request, column)
        key = _key_where(conn, column, value) if value else None
        if key:
            return key
    if requested_id:
        key = _key_where(conn, "requested_artist_id", requested_id)
        if key:
            return key
    return _key_by_name(conn, request) if request.name else None


def settling_rival(conn: psycopg.Connection, request: ArtistRequest) -> str | None:
    """A key still being settled that may be the same artist as `request`, when `request` would open
    a new key; None: register it now.

    Two requests for one artist by different ids (one by Spotify id, one by Ticketmaster id, in the
    same second) cannot be told apart before a provider answers; registered at once they would get
    two keys, and the second profile sync would find the artist taken. So the second waits (stays
    `pending`) until the first key's profile has linked the artist and its ids, then lands on the
    same key. Only requests by ids alone wait, and only for keys that could be the same artist: no
    artists row yet and no name either, created in the last SETTLING_SECONDS, their job still in
    progress (or registered in this very transaction: the same intake pass), and no id of the same
    service as the request's. A request with a name never waits (most app requests carry one; a
    name meets the other key through `name_key` once that key's profile has linked it).
    """
    validate(request)
    if request.name:
        return None
    request, requested_id = _with_artist_row(conn, request)
    if request.artist_id or _existing_key(conn, request, requested_id):
        return None
    rows = conn.execute(
        "SELECT k.partition_key, k.tm_attraction_id, k.spotify_id, k.mbid "
        "FROM pipelines.artist_keys k WHERE k.artist_id IS NULL AND k.name_key IS NULL "
        "AND k.created_at > now() - make_interval(secs => %s) "
        # now() is the transaction's start: a key made earlier in this same transaction has it.
        "AND (k.created_at = now() OR EXISTS (SELECT 1 FROM pipelines.sync_job_targets t "
        "  JOIN sync_jobs j ON j.id = t.job_id WHERE t.partition_key = k.partition_key "
        "  AND j.status = 'in_progress')) "
        "ORDER BY k.created_at, k.partition_key",
        (SETTLING_SECONDS,),
    ).fetchall()
    for key, *ids in rows:
        # Both know an id of one service (and they differ, or the key would have matched): not one artist.
        if not any(getattr(request, c) and held for c, held in zip(_EXTERNAL_COLUMNS, ids, strict=True)):
            return key
    return None


def _with_artist_row(conn: psycopg.Connection, request: ArtistRequest) -> tuple[ArtistRequest, str | None]:
    """Complete the request from an existing `artists` row found by any of its ids. An artists.id
    with no row yet comes back separately, as the id the app wants the artist created with."""
    requested_id = None
    for column in ("artist_id", *_EXTERNAL_COLUMNS):
        value = getattr(request, column)
        if not value:
            continue
        row = conn.execute(
            "SELECT id::text, tm_attraction_id, spotify_id, mbid, name FROM artists "
            f"WHERE {'id' if column == 'artist_id' else column} = %s",
            (value,),
        ).fetchone()
        if row:
            known = dict(zip(("artist_id", *_EXTERNAL_COLUMNS, "name"), row, strict=True))
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
            for c, stored in zip(_EXTERNAL_COLUMNS, r[1:], strict=True)
        )
    ]
    if len(fitting) > 1:
        raise ValueError(
            f"{len(fitting)} artists are named {request.name!r} ({', '.join(fitting)}); "
            "name the one you mean by its Spotify or Ticketmaster id"
        )
    return fitting[0] if fitting else None


def _filled(conn: psycopg.Connection, key: str, request: ArtistRequest) -> str:
    _fill(conn, key, {c: getattr(request, c) for c in ("artist_id", *_EXTERNAL_COLUMNS)})
    return key


def _new_key(conn: psycopg.Connection, request: ArtistRequest) -> str:
    if request.name:
        base = slugify(request.name, fallback="artist", max_length=MAX_KEY_LENGTH)
    else:
        column = next(c for c in _EXTERNAL_COLUMNS if getattr(request, c))
        base = f"{_KEY_PREFIX[column]}-{slugify(getattr(request, column), max_length=MAX_KEY_LENGTH)}"
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
