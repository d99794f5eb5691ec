"""Writes of the catalog sync: `songs`, `artist_songs`, the releases already looked at, the totals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

from ..rules.catalog_records import CatalogSong, Release, StoredSong, Track, parse_release_date
from .bulk import update_by_id
from .upsert import upsert
from .write_counts import WriteCounts

SONG_COLUMNS = (
    "spotify_id", "name", "album_name", "artist", "album_id", "track_number", "disc_number", "album_type",
    "album_art_url", "release_date", "duration_ms", "spotify_uri", "external_urls", "is_explicit",
    "is_live", "is_remix",
)  # fmt: skip


@dataclass(frozen=True)
class StoredRelease:
    album_id: str
    total_tracks: int
    status: str


@dataclass(frozen=True)
class ReleaseOutcome:
    release: Release
    status: str  # imported | live
    kept: int = 0
    dropped: int = 0


def stored_releases(conn: psycopg.Connection, artist_id: str) -> dict[str, StoredRelease]:
    rows = conn.execute(
        "SELECT album_id, total_tracks, status FROM pipelines.spotify_releases WHERE artist_id = %s",
        (artist_id,),
    ).fetchall()
    return {r[0]: StoredRelease(*r) for r in rows}


def stored_songs(conn: psycopg.Connection, artist_id: str) -> list[StoredSong]:
    rows = conn.execute(
        "SELECT s.id::text, s.name, s.spotify_id, s.duration_ms, s.album_type, s.album_name, s.release_date "
        "FROM songs s JOIN artist_songs a ON a.song_id = s.id WHERE a.artist_id = %s ORDER BY s.id",
        (artist_id,),
    ).fetchall()
    return [StoredSong(*r) for r in rows]


def song_values(track: Track) -> tuple[object, ...]:
    return (
        track.id,
        track.name,
        track.release.name,
        track.artist_name,
        track.release.id,
        track.track_number,
        track.disc_number,
        track.release.album_type,
        track.release.image_url,
        parse_release_date(track.release.release_date),
        track.duration_ms,
        track.uri,
        json.dumps({"spotify": track.url}) if track.url else None,
        track.explicit,
        False,  # non-studio songs are dropped, never stored: see lib/rules/studio_songs.py
        False,
    )


def write_catalog(
    conn: psycopg.Connection,
    artist_id: str,
    artist_spotify_id: str | None,
    songs: Sequence[CatalogSong],
    releases: Sequence[ReleaseOutcome],
) -> dict[str, WriteCounts]:
    """Songs (new ones inserted or upserted on spotify_id, stored ones updated by id when a preferred
    version arrived), their artist_songs links, and the releases seen. Caller holds the transaction."""
    new = [s for s in songs if s.song_id is None]
    known = [s for s in songs if s.song_id is not None]
    song_counts, ids = upsert(
        conn, "songs", SONG_COLUMNS, [song_values(s.track) for s in new], key=("spotify_id",)
    )
    # A stored row takes a new Spotify id only when no other row holds it already.
    taken = _taken_spotify_ids(conn, [s.track.id for s in known])
    movable = [s for s in known if s.track.id not in taken]
    song_counts += update_by_id(
        conn, "songs", ("id", *SONG_COLUMNS), [(s.song_id, *song_values(s.track)) for s in movable]
    )
    links = [
        (
            artist_id,
            ids[(s.track.id,)],
            bool(artist_spotify_id) and s.track.artist_ids[:1] == (artist_spotify_id,),
        )
        for s in new
        if (s.track.id,) in ids
    ]
    link_counts, _ = upsert(
        conn, "artist_songs", ("artist_id", "song_id", "is_primary_artist"), links, key=("artist_id", "song_id"),
        update=(), touch=False, ids=False,
    )  # fmt: skip
    release_counts = _write_releases(conn, artist_id, releases)
    return {"songs": song_counts, "artist_songs": link_counts, "releases": release_counts}


def _write_releases(
    conn: psycopg.Connection, artist_id: str, releases: Sequence[ReleaseOutcome]
) -> WriteCounts:
    if not releases:
        return WriteCounts()
    rows = [
        (artist_id, r.release.id, r.release.name, r.release.album_type, r.release.release_date,
         r.release.total_tracks, r.status, r.kept, r.dropped)
        for r in releases
    ]  # fmt: skip
    counts, _ = upsert(
        conn,
        "pipelines.spotify_releases",
        ("artist_id", "album_id", "name", "album_type", "release_date", "total_tracks", "status",
         "tracks_kept", "tracks_dropped"),
        rows,
        key=("artist_id", "album_id"),
        touch=False,
        ids=False,
    )  # fmt: skip
    return counts


def _taken_spotify_ids(conn: psycopg.Connection, spotify_ids: list[str]) -> set[str]:
    if not spotify_ids:
        return set()
    rows = conn.execute("SELECT spotify_id FROM songs WHERE spotify_id = ANY(%s)", (spotify_ids,)).fetchall()
    return {r[0] for r in rows}


def totals(conn: psycopg.Connection, artist_id: str) -> tuple[int, int]:
    """(total_songs, total_albums): the artist's songs, and its studio albums imported (live skipped)."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM artist_songs WHERE artist_id = %(a)s), "
        "(SELECT count(*) FROM pipelines.spotify_releases WHERE artist_id = %(a)s "
        "AND status = 'imported' AND album_type = 'album')",
        {"a": artist_id},
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
