"""import-past-setlists: the shows of the last days, settled, and whose setlists are still missing.

A show whose date has passed is no longer `upcoming` (or `ongoing`): it is `completed` (cancelled
shows stay cancelled). Its setlist comes from setlist.fm through the artists' `setlists` work
(lib/fleet/work.py), for headliners with a setlist.fm id (MBID); those without one are counted, not
launched: there is nothing to ask setlist.fm for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg


@dataclass(frozen=True)
class PastShows:
    settled: int  # shows moved to completed now
    missing_setlists: int  # shows of the window without an actual setlist
    without_mbid: int  # ... of which the headliner has no setlist.fm id


def settle_past_shows(conn: psycopg.Connection, today: date, days: int) -> PastShows:
    with conn.transaction():
        settled = conn.execute(
            "UPDATE shows SET status = 'completed', updated_at = now() "
            "WHERE date < %s AND status IN ('upcoming', 'ongoing')",
            (today,),
        ).rowcount
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE a.mbid IS NULL) FROM shows s "
            "JOIN artists a ON a.id = s.headliner_artist_id "
            "WHERE s.date >= %(today)s::date - %(days)s AND s.date < %(today)s AND s.status <> 'cancelled' "
            "AND NOT EXISTS (SELECT 1 FROM setlists l WHERE l.show_id = s.id AND l.type = 'actual')",
            {"today": today, "days": days},
        ).fetchone()
    assert row is not None
    return PastShows(settled, int(row[0]), int(row[1]))
