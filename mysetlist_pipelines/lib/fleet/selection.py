"""Which artists a scheduled refresh is for: one condition per schedule over the candidates query
(candidates.py: the `Candidate` record, what "active" means, what is left out, the order).

"Refreshed" reads the pipelines' own sync timestamps (pipelines.artist_sync_state), else the app's
columns (artists.*_synced_at) for artists the old app imported. An artist without a partition key yet
(a row the old app created) is a candidate too; the schedule registers its key before launching.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

# Candidate and today_of are read through this module too (defs/schedules: `select.today_of`).
from .candidates import Candidate, active_clause, candidates, today_of  # noqa: F401


def active_with_stale_shows(
    conn: psycopg.Connection, now: datetime, older_than: timedelta
) -> list[Candidate]:
    """update-active-artists: active artists known to Ticketmaster, shows not refreshed in `older_than`."""
    shows = "COALESCE(st.shows_synced_at, a.shows_synced_at)"
    where = (
        f"{active_clause(conn)} AND a.tm_attraction_id IS NOT NULL AND ({shows} IS NULL OR {shows} < %(cut)s)"
    )
    return candidates(conn, where, shows, now, {"cut": now - older_than})


def stale_profiles(conn: psycopg.Connection, now: datetime, older_than: timedelta) -> list[Candidate]:
    """sync-artist-data: every artist whose profile was not looked up in `older_than`."""
    profile = "COALESCE(st.profile_synced_at, a.last_synced_at)"
    return candidates(
        conn, f"{profile} IS NULL OR {profile} < %(cut)s", profile, now, {"cut": now - older_than}
    )


def missing_images(conn: psycopg.Connection, now: datetime, retry_after: timedelta) -> list[Candidate]:
    """sync-artist-images: artists with a Spotify id and no image, not looked up within `retry_after`
    (Spotify may have no image for them: asking again at once would find none)."""
    profile = "COALESCE(st.profile_synced_at, a.last_synced_at)"
    where = (
        f"a.spotify_id IS NOT NULL AND COALESCE(a.image_url, '') = '' "
        f"AND ({profile} IS NULL OR {profile} < %(cut)s)"
    )
    return candidates(conn, where, profile, now, {"cut": now - retry_after})


def stale_catalogs(conn: psycopg.Connection, now: datetime, older_than: timedelta) -> list[Candidate]:
    """complete-catalog-sync: artists with a Spotify id whose catalog is older than `older_than`."""
    catalog = "COALESCE(st.catalog_synced_at, a.song_catalog_synced_at)"
    where = f"a.spotify_id IS NOT NULL AND ({catalog} IS NULL OR {catalog} < %(cut)s)"
    return candidates(conn, where, catalog, now, {"cut": now - older_than})


def active_for_update(conn: psycopg.Connection, now: datetime, older_than: timedelta) -> list[Candidate]:
    """master-sync: every active artist with any part (catalog, shows, setlists) older than
    `older_than` (an artist imported or refreshed an hour ago is left alone)."""
    oldest = (
        "LEAST(COALESCE(st.catalog_synced_at, a.song_catalog_synced_at, '-infinity'), "
        "COALESCE(st.shows_synced_at, a.shows_synced_at, '-infinity'), "
        "COALESCE(st.setlists_synced_at, '-infinity'))"
    )
    refreshed = f"NULLIF({oldest}, '-infinity'::timestamptz)"
    where = f"{active_clause(conn)} AND {oldest} < %(cut)s"
    return candidates(conn, where, refreshed, now, {"cut": now - older_than})


def with_new_events(conn: psycopg.Connection, now: datetime, artist_ids: list[str]) -> list[Candidate]:
    """Discovery: the known artists that Ticketmaster lists new events for."""
    shows = "COALESCE(st.shows_synced_at, a.shows_synced_at)"
    return candidates(conn, "a.id = ANY(%(ids)s::uuid[])", shows, now, {"ids": artist_ids})


def past_shows_without_setlists(conn: psycopg.Connection, now: datetime, days: int) -> list[Candidate]:
    """import-past-setlists: headliners (with a setlist.fm id) of shows of the last `days` days that
    are not cancelled and have no actual setlist yet."""
    where = (
        "a.mbid IS NOT NULL AND EXISTS (SELECT 1 FROM shows s WHERE s.headliner_artist_id = a.id "
        "AND s.date >= %(today)s::date - %(days)s AND s.date < %(today)s AND s.status <> 'cancelled' "
        "AND NOT EXISTS (SELECT 1 FROM setlists l WHERE l.show_id = s.id AND l.type = 'actual'))"
    )
    return candidates(conn, where, "st.setlists_synced_at", now, {"days": days})
