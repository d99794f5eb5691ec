"""Opening keys and filling in what is learned: `register` (one key per request, new keys for artists
never seen before) and `link` (the artists row, name and external ids the profile sync found).

Apart from the lookup (key_lookup.py) because these are the only writes of `pipelines.artist_keys`,
and the rules that keep a key stable (never overwrite, never steal an id) sit together here.
"""

from __future__ import annotations

import psycopg

from ..text import normalize_name, slugify, unique_slug
from .key_lookup import existing_key, with_artist_row
from .key_records import EXTERNAL_COLUMNS, KEY_PREFIX, MAX_KEY_LENGTH, ArtistRequest, validate


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
    request, requested_id = with_artist_row(conn, request)
    key = existing_key(conn, request, requested_id)
    if key:
        return _filled(conn, key, request)
    if not (request.name or any(getattr(request, c) for c in EXTERNAL_COLUMNS)):
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


def _filled(conn: psycopg.Connection, key: str, request: ArtistRequest) -> str:
    _fill(conn, key, {c: getattr(request, c) for c in ("artist_id", *EXTERNAL_COLUMNS)})
    return key


def _new_key(conn: psycopg.Connection, request: ArtistRequest) -> str:
    if request.name:
        base = slugify(request.name, fallback="artist", max_length=MAX_KEY_LENGTH)
    else:
        column = next(c for c in EXTERNAL_COLUMNS if getattr(request, c))
        base = f"{KEY_PREFIX[column]}-{slugify(getattr(request, column), max_length=MAX_KEY_LENGTH)}"
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
