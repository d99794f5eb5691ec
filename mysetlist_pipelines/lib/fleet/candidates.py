"""The one query behind every scheduled selection: artists matching a condition, as `Candidate`s with
what the cost model needs (lib/fleet/work.py), least recently refreshed first (never refreshed first
of all), leaving out artists already being synced (an open target of any job, the app's or a batch's)
or asked for (a pending `sync_jobs` row): the work in flight refreshes them, and a tick must not queue
the same artist twice.

"Active" (`active_clause`) = an upcoming show (on the bill, or headlining; a date-less show that is still
upcoming counts), or followed (the app's `user_follows_artists`, used only when the table exists), or
imported within `RECENT_IMPORT` days.

Apart from the selections (selection.py) because each of them is a condition over this query; the
record and the query change together when the cost model needs another fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import class_row

RECENT_IMPORT = timedelta(days=30)
FOLLOWS_TABLE = "user_follows_artists"
MAX_CANDIDATES = 20_000  # per tick; the rest are older-refreshed-first next time anyway


@dataclass(frozen=True)
class Candidate:
    artist_id: str
    partition_key: str | None
    name: str
    spotify_id: str | None
    tm_attraction_id: str | None
    mbid: str | None
    profile_synced_at: datetime | None
    catalog_synced_at: datetime | None
    shows_synced_at: datetime | None
    setlists_synced_at: datetime | None
    releases: int  # Spotify releases already seen (pipelines.spotify_releases)
    recent_events: int  # shows from 30 days ago on (what one shows sync pages through)
    refreshed_at: datetime | None  # the freshness this selection orders by


_FACTS = """
SELECT a.id::text AS artist_id, k.partition_key, a.name, a.spotify_id, a.tm_attraction_id, a.mbid,
       COALESCE(st.profile_synced_at, a.last_synced_at) AS profile_synced_at,
       COALESCE(st.catalog_synced_at, a.song_catalog_synced_at) AS catalog_synced_at,
       COALESCE(st.shows_synced_at, a.shows_synced_at) AS shows_synced_at,
       st.setlists_synced_at,
       (SELECT count(*) FROM pipelines.spotify_releases r WHERE r.artist_id = a.id)::int AS releases,
       (SELECT count(*) FROM shows s WHERE s.headliner_artist_id = a.id
          AND (s.date IS NULL OR s.date >= %(today)s::date - 30))::int AS recent_events,
       {refreshed} AS refreshed_at
  FROM artists a
  LEFT JOIN pipelines.artist_keys k ON k.artist_id = a.id
  LEFT JOIN pipelines.artist_sync_state st ON st.artist_id = a.id
 WHERE ({where})
   AND NOT EXISTS (SELECT 1 FROM pipelines.sync_job_targets t
                    WHERE t.status IN ('queued', 'running', 'retrying')
                      AND (t.artist_id = a.id OR t.partition_key = k.partition_key))
   AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.status = 'pending' AND j.entity_type = 'artist'
                      AND j.entity_id = a.id::text)
 ORDER BY refreshed_at NULLS FIRST, a.created_at, a.id
 LIMIT %(limit)s
"""

_UPCOMING = """(EXISTS (SELECT 1 FROM show_artists sa JOIN shows s ON s.id = sa.show_id
                      WHERE sa.artist_id = a.id AND s.status IN ('upcoming', 'ongoing')
                        AND (s.date IS NULL OR s.date >= %(today)s))
     OR EXISTS (SELECT 1 FROM shows s WHERE s.headliner_artist_id = a.id
                   AND s.status IN ('upcoming', 'ongoing') AND (s.date IS NULL OR s.date >= %(today)s)))"""


def has_follows(conn: psycopg.Connection) -> bool:
    """Whether the app has its follows table (not part of the contract) with an artist_id column."""
    row = conn.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s AND column_name = 'artist_id'",
        (FOLLOWS_TABLE,),
    ).fetchone()
    return row is not None


def active_clause(conn: psycopg.Connection) -> str:
    parts = [_UPCOMING, "a.created_at > %(now)s - %(recent)s"]
    if has_follows(conn):
        parts.append(f"EXISTS (SELECT 1 FROM {FOLLOWS_TABLE} f WHERE f.artist_id = a.id)")
    return "(" + " OR ".join(parts) + ")"


def candidates(
    conn: psycopg.Connection,
    where: str,
    refreshed: str,
    now: datetime,
    params: dict[str, Any] | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """Artists matching `where` (SQL over `a` = artists, `k` = artist_keys, `st` = sync state),
    ordered by the SQL expression `refreshed`, oldest first."""
    query = sql.SQL(_FACTS.format(refreshed=refreshed, where=where))  # type: ignore[arg-type]
    values = {"now": now, "today": today_of(now), "recent": RECENT_IMPORT, "limit": limit, **(params or {})}
    with conn.cursor(row_factory=class_row(Candidate)) as cur:
        return cur.execute(query, values).fetchall()


def today_of(now: datetime) -> date:
    """The UTC date of `now` (schedules run in UTC; show dates are compared with it)."""
    return now.astimezone(UTC).date() if now.tzinfo else now.date()
