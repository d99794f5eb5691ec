"""Asset checks of the per-artist assets, run with them for the run's artists (partitions).

The queries are lib/db/integrity.py's; this module only wires them into Dagster."""

from collections.abc import Callable

import dagster as dg
import psycopg

from mysetlist_pipelines.lib.db import integrity

from ..resources import AppDatabase
from .partitions import artists_partitions
from .step_runner import run_partition_keys

SAMPLE = 10  # offending rows shown in the check's metadata


def _check(
    context: dg.AssetCheckExecutionContext,
    app_db: AppDatabase,
    find: Callable[[psycopg.Connection, list[str]], list[str]],
    what: str,
) -> dg.AssetCheckResult:
    with app_db.connect() as conn:
        ids = integrity.artist_ids_of(conn, run_partition_keys(context, conn))
        problems = find(conn, list(ids.values())) if ids else []
    return dg.AssetCheckResult(
        passed=not problems,
        description=f"{len(problems)} {what}" if problems else None,
        metadata={"artists_checked": len(ids), "problems": len(problems), "sample": problems[:SAMPLE]},
    )


@dg.asset_check(asset="artist_profile", partitions_def=artists_partitions)
def artist_has_external_id(
    context: dg.AssetCheckExecutionContext, app_db: AppDatabase
) -> dg.AssetCheckResult:
    """An imported artist has at least one of tm_attraction_id, spotify_id, mbid."""
    return _check(context, app_db, integrity.artists_without_external_id, "artists without any external id")


@dg.asset_check(asset="artist_catalog", partitions_def=artists_partitions)
def songs_have_unique_titles(
    context: dg.AssetCheckExecutionContext, app_db: AppDatabase
) -> dg.AssetCheckResult:
    """No two songs of an artist share a normalized title."""
    return _check(
        context, app_db, integrity.duplicate_song_titles, "normalized titles shared by several songs"
    )


@dg.asset_check(asset="artist_shows", partitions_def=artists_partitions)
def shows_have_venues(context: dg.AssetCheckExecutionContext, app_db: AppDatabase) -> dg.AssetCheckResult:
    """Every show of the artist has a venue."""
    return _check(context, app_db, integrity.shows_without_venue, "shows without a venue")


@dg.asset_check(asset="artist_setlists", partitions_def=artists_partitions)
def setlist_songs_point_at_songs(
    context: dg.AssetCheckExecutionContext, app_db: AppDatabase
) -> dg.AssetCheckResult:
    """Every setlist_song of the artist's setlists points at an existing song."""
    return _check(context, app_db, integrity.dangling_setlist_songs, "setlist songs pointing at no song")
