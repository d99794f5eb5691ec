"""calculate-trending: `shows.trending_score` and `artists.trending_score` from the app's own data.

    show   = (1 + votes) * 0.5 ** (days_until / 30)        for a show still to come, else 0
    artist = sum of the scores of the shows it is on the bill of (headliner or in show_artists)

`votes` = the sum of `setlist_songs.upvotes` over the show's setlists (the fans' votes on its
predicted setlist); `days_until` = the show's date minus today (UTC), 90 for a date-less show that
is still upcoming. A show "still to come" has status upcoming or ongoing and a date from today on.
So a show gains weight as it nears (half of it per 30 days away) and with every vote, and an artist
with several voted shows soon outranks one with a single show next year. The app keeps no vote
timestamps, so "recency" is the show's nearness; scores are recomputed every 2 hours. Rounded to
6 decimals; rows whose score is unchanged are not written (their updated_at is never touched).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg

HALF_LIFE_DAYS = 30
DATELESS_DAYS = 90

_SHOWS = """
WITH votes AS (
    SELECT l.show_id, sum(COALESCE(ss.upvotes, 0)) AS votes
      FROM setlists l JOIN setlist_songs ss ON ss.setlist_id = l.id
     GROUP BY l.show_id
), scored AS (
    SELECT s.id,
           CASE WHEN s.status IN ('upcoming', 'ongoing') AND (s.date IS NULL OR s.date >= %(today)s::date)
                THEN round(((1 + COALESCE(v.votes, 0))
                     * power(0.5, COALESCE(s.date - %(today)s::date, %(dateless)s)::float8 / %(half_life)s))::numeric, 6)
                ELSE 0 END::float8 AS score
      FROM shows s LEFT JOIN votes v ON v.show_id = s.id
)
UPDATE shows s SET trending_score = sc.score
  FROM scored sc
 WHERE sc.id = s.id AND s.trending_score IS DISTINCT FROM sc.score
"""

_ARTISTS = """
WITH bill AS (
    SELECT s.id AS show_id, s.headliner_artist_id AS artist_id FROM shows s
    UNION
    SELECT sa.show_id, sa.artist_id FROM show_artists sa
), totals AS (
    SELECT b.artist_id, sum(s.trending_score) AS score
      FROM bill b JOIN shows s ON s.id = b.show_id
     WHERE s.trending_score > 0
     GROUP BY b.artist_id
), scored AS (
    SELECT a.id, round(COALESCE(t.score, 0)::numeric, 6)::float8 AS score
      FROM artists a LEFT JOIN totals t ON t.artist_id = a.id
)
UPDATE artists a SET trending_score = sc.score
  FROM scored sc
 WHERE sc.id = a.id AND a.trending_score IS DISTINCT FROM sc.score
"""


@dataclass(frozen=True)
class TrendingCounts:
    shows_changed: int
    artists_changed: int
    shows_trending: int  # shows with a score above 0 after the update
    artists_trending: int


def recompute(conn: psycopg.Connection, today: date) -> TrendingCounts:
    """Rewrite both scores (one transaction: the app never sees artists scored from stale shows)."""
    params = {"today": today, "dateless": DATELESS_DAYS, "half_life": HALF_LIFE_DAYS}
    with conn.transaction():
        shows = conn.execute(_SHOWS, params).rowcount
        artists = conn.execute(_ARTISTS).rowcount
        row = conn.execute(
            "SELECT (SELECT count(*) FROM shows WHERE trending_score > 0), "
            "(SELECT count(*) FROM artists WHERE trending_score > 0)"
        ).fetchone()
    assert row is not None
    return TrendingCounts(shows, artists, int(row[0]), int(row[1]))
