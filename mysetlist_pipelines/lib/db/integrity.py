"""The queries behind the asset checks (defs/artists/checks.py): rows that break the app's invariants.

Each function takes the artists rows' ids and returns one readable line per offending row (the
checks show the count and a sample), so the checks are plain wiring and these run and are tested
without Dagster.
"""

from __future__ import annotations

from collections import defaultdict

import psycopg

from .. import artist_keys
from ..text import normalize_name


def artist_ids_of(conn: psycopg.Connection, keys: list[str]) -> dict[str, str]:
    """Partition key -> artists row id, for the keys that have a row yet."""
    found = {}
    for key in keys:
        try:
            identity = artist_keys.lookup(conn, key)
        except artist_keys.UnknownArtistKey:
            continue
        if identity.artist_id:
            found[key] = identity.artist_id
    return found


def duplicate_song_titles(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    """Songs of one artist whose titles normalize alike ("LJÓSIÐ!" and "Ljósið")."""
    rows = conn.execute(
        "SELECT a.artist_id::text, s.id::text, s.name FROM artist_songs a JOIN songs s ON s.id = a.song_id "
        "WHERE a.artist_id = ANY(%s::uuid[])",
        (artist_ids,),
    ).fetchall()
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for artist_id, _, name in rows:
        groups[(artist_id, normalize_name(name))].append(name)
    return [f"{names!r} ({artist})" for (artist, _), names in groups.items() if len(names) > 1]


def shows_without_venue(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT s.id::text, s.name FROM shows s WHERE s.venue_id IS NULL AND (s.headliner_artist_id = ANY(%(a)s::uuid[]) "
        "OR EXISTS (SELECT 1 FROM show_artists x WHERE x.show_id = s.id AND x.artist_id = ANY(%(a)s::uuid[])))",
        {"a": artist_ids},
    ).fetchall()
    return [f"{name} ({sid})" for sid, name in rows]


def dangling_setlist_songs(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    """setlist_songs of the artists' setlists pointing at no song (the app's schema may lack the FK)."""
    rows = conn.execute(
        "SELECT ss.id::text, ss.song_id::text FROM setlist_songs ss JOIN setlists sl ON sl.id = ss.setlist_id "
        "LEFT JOIN songs s ON s.id = ss.song_id WHERE sl.artist_id = ANY(%s::uuid[]) AND s.id IS NULL",
        (artist_ids,),
    ).fetchall()
    return [f"setlist_song {rid} -> missing song {song}" for rid, song in rows]


def artists_without_external_id(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT id::text, name FROM artists WHERE id = ANY(%s::uuid[]) "
        "AND tm_attraction_id IS NULL AND spotify_id IS NULL AND mbid IS NULL",
        (artist_ids,),
    ).fetchall()
    return [f"{name} ({aid})" for aid, name in rows]
