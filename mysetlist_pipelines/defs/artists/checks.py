"""Asset checks of the per-artist assets, run with them for the run's artists (partitions)."""

from collections import defaultdict
from collections.abc import Callable

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.text import normalize_name

from ..resources import AppDatabase
from .partitions import artists_partitions, run_partition_keys

SAMPLE = 10  # offending rows shown in the check's metadata


def _artist_ids(conn: psycopg.Connection, keys: list[str]) -> dict[str, str]:
    found = {}
    for key in keys:
        try:
            identity = artist_keys.lookup(conn, key)
        except artist_keys.UnknownArtistKey:
            continue
        if identity.artist_id:
            found[key] = identity.artist_id
    return found


def _check(
    context: dg.AssetCheckExecutionContext,
    app_db: AppDatabase,
    find: Callable[[psycopg.Connection, list[str]], list[str]],
    what: str,
) -> dg.AssetCheckResult:
    with app_db.connect() as conn:
        ids = _artist_ids(conn, list(run_partition_keys(context)))
        problems = find(conn, list(ids.values())) if ids else []
    return dg.AssetCheckResult(
        passed=not problems,
        description=f"{len(problems)} {what}" if problems else None,
        metadata={"artists_checked": len(ids), "problems": len(problems), "sample": problems[:SAMPLE]},
    )


def _duplicate_titles(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT a.artist_id::text, s.id::text, s.name FROM artist_songs a JOIN songs s ON s.id = a.song_id "
        "WHERE a.artist_id = ANY(%s::uuid[])",
        (artist_ids,),
    ).fetchall()
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for artist_id, _, name in rows:
        groups[(artist_id, normalize_name(name))].append(name)
    return [f"{names!r} ({artist})" for (artist, _), names in groups.items() if len(names) > 1]


def _shows_without_venue(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT s.id::text, s.name FROM shows s WHERE s.venue_id IS NULL AND (s.headliner_artist_id = ANY(%(a)s::uuid[]) "
        "OR EXISTS (SELECT 1 FROM show_artists x WHERE x.show_id = s.id AND x.artist_id = ANY(%(a)s::uuid[])))",
        {"a": artist_ids},
    ).fetchall()
    return [f"{name} ({sid})" for sid, name in rows]


def _dangling_setlist_songs(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT ss.id::text, ss.song_id::text FROM setlist_songs ss JOIN setlists sl ON sl.id = ss.setlist_id "
        "LEFT JOIN songs s ON s.id = ss.song_id WHERE sl.artist_id = ANY(%s::uuid[]) AND s.id IS NULL",
        (artist_ids,),
    ).fetchall()
    return [f"setlist_song {rid} -> missing song {song}" for rid, song in rows]


def _without_external_id(conn: psycopg.Connection, artist_ids: list[str]) -> list[str]:
    rows = conn.execute(
        "SELECT id::text, name FROM artists WHERE id = ANY(%s::uuid[]) "
        "AND tm_attraction_id IS NULL AND spotify_id IS NULL AND mbid IS NULL",
        (artist_ids,),
    ).fetchall()
    return [f"{name} ({aid})" for aid, name in rows]


@dg.asset_check(asset="artist_profile", partitions_def=artists_partitions)
def artist_has_external_id(
    context: dg.AssetCheckExecutionContext, app_db: AppDatabase
) -> dg.AssetCheckResult:
    """An imported artist has at least one of tm_attraction_id, spotify_id, mbid."""
    return _check(context, app_db, _without_external_id, "artists without any external id")


@dg.asset_check(asset="artist_catalog", partitions_def=artists_partitions)
def songs_have_unique_titles(
    context: dg.AssetCheckExecutionContext, app_db: AppDatabase
) -> dg.AssetCheckResult:
    """No two songs of an artist share a normalized title."""
    return _check(context, app_db, _duplicate_titles, "normalized titles shared by several songs")


@dg.asset_check(asset="artist_shows", partitions_def=artists_partitions)
def shows_have_venues(context: dg.AssetCheckExecutionContext, app_db: AppDatabase) -> dg.AssetCheckResult:
    """Every show of the artist has a venue."""
    return _check(context, app_db, _shows_without_venue, "shows without a venue")


@dg.asset_check(asset="artist_setlists", partitions_def=artists_partitions)
def setlist_songs_point_at_songs(
    context: dg.AssetCheckExecutionContext, app_db: AppDatabase
) -> dg.AssetCheckResult:
    """Every setlist_song of the artist's setlists points at an existing song."""
    return _check(context, app_db, _dangling_setlist_songs, "setlist songs pointing at no song")
