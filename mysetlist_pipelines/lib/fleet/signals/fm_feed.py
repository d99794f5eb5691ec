"""setlist.fm: actual setlists from the `lastUpdated` feed, or per artist only where a show is missing one.

`feed` mode: `search/setlists?lastUpdated=<cursor>&p=N`, 20 a page, every setlist changed since the
cursor; those of known artists (artists.mbid) are written through lib/sync/artist_setlists' writer. The
cursor moves to the read's start (minus `OVERLAP`: a setlist saved while the feed was read is read
again next time rather than missed; writes are idempotent) only once the feed was read to its end;
a read the budget cut short resumes at its next page.

`per_show` mode, the fallback if setlist.fm does not accept `lastUpdated` alone (an assumption,
docs/operations.md): the headliners of shows that happened in the last `days` days, are not
cancelled and have no actual setlist yet, shows with votes on their predicted setlist first, then
the most recent; one `artist/{mbid}/setlists` page each, while the budget lasts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import psycopg

from ...http import ProviderError
from ...providers.clients import Providers
from ...providers.setlistfm import rows as setlistfm_rows
from ...rules.setlist_records import Setlist
from ...sync import StepReport
from ...sync.artist_setlists import fetch_setlists, store_setlists, store_setlists_many
from .state import cursor, set_cursor

FEED_CURSOR = "setlistfm:feed"
OVERLAP = timedelta(minutes=5)
FIRST_LOOK_BACK = timedelta(days=2)  # a feed never read starts this far back


@dataclass
class FeedReport:
    mode: str
    calls: int = 0
    pages: int = 0
    setlists_seen: int = 0
    artists_written: int = 0
    complete: bool = False
    shows_waiting: int = 0  # per_show: shows still without a setlist after this read
    error: str | None = None
    written: list[str] = field(default_factory=list)  # artists.id whose setlists were written

    def summary(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "written"}


def _spent(providers: Providers) -> Callable[[], int]:
    before = providers.calls()
    return lambda: providers.calls_by_provider(providers.calls_since(before)).get("setlistfm", 0)


def _known_mbids(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    rows = conn.execute("SELECT mbid, id::text, name FROM artists WHERE mbid IS NOT NULL").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def read_feed(
    conn: psycopg.Connection,
    providers: Providers,
    *,
    now: datetime,
    budget: int,
    gate: Callable[[], None] = lambda: None,
) -> FeedReport:
    out = FeedReport("feed")
    spent = _spent(providers)
    since, page = cursor(conn, FEED_CURSOR)
    since = since or now - FIRST_LOOK_BACK
    page = max(1, page)
    known = _known_mbids(conn)
    found: dict[str, list[Setlist]] = defaultdict(list)
    while spent() + 1 <= budget:
        gate()
        try:
            items, total = providers.setlistfm.updated_setlists(since, page=page)
        except ProviderError as exc:
            out.error = str(exc)
            break
        out.pages += 1
        out.setlists_seen += len(items)
        for item in items:
            if item.artist.mbid in known:
                found[item.artist.mbid].append(setlistfm_rows.setlist_row(item))
        if not items or page * 20 >= total:
            out.complete = True
            break
        page += 1
    if out.complete:
        set_cursor(conn, FEED_CURSOR, now - OVERLAP, 1)
    else:
        set_cursor(conn, FEED_CURSOR, since, page)
    out.written = _store(conn, known, found, now.date())
    out.artists_written = len(out.written)
    out.calls = spent()
    return out


def _store(
    conn: psycopg.Connection, known: dict[str, tuple[str, str]], found: dict[str, list[Setlist]], today: date
) -> list[str]:
    items = []
    for mbid, setlists in found.items():
        artist_id, name = known[mbid]
        # Newest first, one entry per setlist id (an edited setlist can come twice around the cursor).
        unique = sorted({s.id: s for s in setlists}.values(), key=lambda s: s.event_date, reverse=True)
        items.append((artist_id, name, unique))
    # One transaction for the feed's artists (thousands a day at fleet scale), the per-artist
    # writer's rows (lib/sync/artist_setlists.store_setlists_many).
    return store_setlists_many(conn, items, today)


_WAITING = """
SELECT a.id::text, a.name, a.mbid, max(s.date) AS last_show,
       bool_or(EXISTS (SELECT 1 FROM setlists p WHERE p.show_id = s.id AND p.type = 'predicted'
                         AND p.total_votes > 0)) AS voted
  FROM shows s JOIN artists a ON a.id = s.headliner_artist_id
 WHERE s.date >= %(today)s::date - %(days)s AND s.date < %(today)s AND s.status <> 'cancelled'
   AND a.mbid IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM setlists l WHERE l.show_id = s.id AND l.type = 'actual')
 GROUP BY a.id, a.name, a.mbid
 ORDER BY voted DESC, last_show DESC, a.id
"""


def per_show(
    conn: psycopg.Connection,
    providers: Providers,
    *,
    today: date,
    budget: int,
    days: int = 3,
    gate: Callable[[], None] = lambda: None,
) -> FeedReport:
    out = FeedReport("per_show")
    spent = _spent(providers)
    waiting = conn.execute(_WAITING, {"today": today, "days": days}).fetchall()
    for done, (artist_id, name, mbid, _, _) in enumerate(waiting):
        if spent() + 1 > budget:
            out.shows_waiting = len(waiting) - done
            break
        gate()
        try:
            setlists = fetch_setlists(
                providers, mbid, set(), since=today - timedelta(days=days + 1), max_pages=1, force=True
            ).setlists
        except ProviderError as exc:
            out.error = str(exc)
            out.shows_waiting = len(waiting) - done
            break
        out.pages += 1
        out.setlists_seen += len(setlists)
        if setlists:
            store_setlists(conn, StepReport(artist_id), artist_id, name, setlists, today)
            out.artists_written += 1
            out.written.append(artist_id)
    else:
        out.complete = True
    out.calls = spent()
    return out
