"""Ticketmaster: every known artist's upcoming shows from market-wide searches, not one search each.

A unit of work is (country, window): `events.json?countryCode=XX&classificationName=music`, 200 a page
by date. lib/providers/ticketmaster's paging narrows the window itself when `size*page` would reach 1,000
(DIS1035): it restarts at the last event's start. The near range (the next `near_days`) is swept
every day; the far range (to `horizon_days`) is cut into `far_slices` slices, swept from a rotating
cursor for as long as the budget lasts (all of them when it allows). Every event is linked to every
known artist on its bill at once; only events that differ from the stored show (new, moved, a
status change) are written, through the same writers as lib/sync/artist_shows. A stored upcoming show that
a completely read window no longer lists is looked up by id (it may have moved out of the window).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import psycopg

from ...db import shows as store
from ...db.artist_state import mark_synced_many
from ...db.bulk import lock
from ...http import ProviderError
from ...providers.clients import Providers
from ...providers.ticketmaster import rows as ticketmaster_rows
from ...providers.ticketmaster.client import PAGE_SIZE
from ...rules.show_rows import TmEvent, headliners, show_status, venue_row
from ...sync.artist_shows import show_row
from .state import cursor, set_cursor

FAR_CURSOR = "ticketmaster:far_slice"


@dataclass
class Sweep:
    calls: int = 0
    events_seen: int = 0
    windows_done: int = 0
    windows_left: int = 0
    near_complete: bool = False
    far_slices_done: int = 0
    written: int = 0
    vanished_checked: int = 0
    artists_marked: int = 0
    error: str | None = None
    seen: dict[str, TmEvent] = field(default_factory=dict)
    artists_written: set[str] = field(default_factory=set)

    def summary(self) -> dict[str, object]:
        out = {k: v for k, v in self.__dict__.items() if k not in ("seen", "artists_written")}
        return {k: v for k, v in out.items() if v is not None}


def _at(d: date) -> datetime:
    from datetime import UTC

    return datetime.combine(d, time(0, 0), UTC)


def sweep(
    conn: psycopg.Connection,
    providers: Providers,
    *,
    today: date,
    countries: Sequence[str],
    budget: int,
    near_days: int = 60,
    horizon_days: int = 365,
    far_slices: int = 7,
    gate: Callable[[], None] = lambda: None,
) -> Sweep:
    out = Sweep()
    spent = _spent_counter(providers)
    near = [(cc, _at(today), _at(today + timedelta(days=near_days))) for cc in countries]
    far_len = (horizon_days - near_days) / far_slices
    _, position = cursor(conn, FAR_CURSOR)
    covered: list[tuple[datetime, datetime]] = []
    # Near range first (24-h freshness), then far slices from the cursor, as the budget lasts.
    plans: list[list[tuple[str, datetime, datetime]]] = [near]
    for k in range(far_slices):
        s = (position + k) % far_slices
        lo = _at(today) + timedelta(days=near_days + s * far_len)
        plans.append([(cc, lo, lo + timedelta(days=far_len)) for cc in countries])
    for n, units in enumerate(plans):
        done = all(_read(providers, cc, lo, hi, budget, spent, out, gate) for cc, lo, hi in units)
        if not done:
            break
        covered.append((units[0][1], units[0][2]))
        if n == 0:
            out.near_complete = True
        else:
            out.far_slices_done += 1
    out.calls = spent()
    set_cursor(conn, FAR_CURSOR, None, (position + out.far_slices_done) % far_slices)
    _write(conn, providers, out, today, covered, budget, spent)
    out.calls = spent()
    return out


def _spent_counter(providers: Providers) -> Callable[[], int]:
    before = providers.calls()
    return lambda: providers.calls_by_provider(providers.calls_since(before)).get("ticketmaster", 0)


def _read(
    providers: Providers,
    cc: str,
    lo: datetime,
    hi: datetime,
    budget: int,
    spent: Callable[[], int],
    out: Sweep,
    gate: Callable[[], None],
) -> bool:
    """One country and window, read to its end (True) unless the budget ran out first (False)."""
    if spent() + 1 > budget:
        out.windows_left += 1
        return False
    gate()
    try:
        events = providers.ticketmaster.discover_events(
            country_code=cc, classification_name="music", start=lo, end=hi
        )
        for n, raw in enumerate(events, start=1):
            event = ticketmaster_rows.event_row(raw)
            if event.venue is not None:
                out.seen[event.id] = event
            out.events_seen += 1
            if n % PAGE_SIZE == 0:
                if spent() + 1 > budget:
                    out.windows_left += 1
                    return False  # the next page would pass the budget
                gate()  # an import the app asked for goes first
    except ProviderError as exc:
        out.error = str(exc)
        out.windows_left += 1
        return False
    out.windows_done += 1
    return True


def _stored(conn: psycopg.Connection, today: date) -> dict[str, tuple[date | None, time | None, str]]:
    rows = conn.execute(
        "SELECT tm_event_id, date, start_time, status::text FROM shows "
        "WHERE tm_event_id IS NOT NULL AND (date IS NULL OR date >= %s)",
        (today - timedelta(days=1),),
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _write(
    conn: psycopg.Connection,
    providers: Providers,
    out: Sweep,
    today: date,
    covered: list[tuple[datetime, datetime]],
    budget: int,
    spent: Callable[[], int],
) -> None:
    stored = _stored(conn, today)
    changed: list[TmEvent] = []
    for event in out.seen.values():
        status = show_status(event.status_code, event.local_date, today)
        if stored.get(event.id) != (event.local_date, event.local_time, status):
            changed.append(event)
    # Stored upcoming shows in a completely read window that the search no longer lists.
    missing = [
        eid
        for eid, (on, _, status) in stored.items()
        if eid not in out.seen
        and on is not None
        and status == "upcoming"
        and any(lo.date() <= on < hi.date() for lo, hi in covered)
    ]
    for eid in missing:
        if spent() + 1 > budget:
            break
        try:
            found = providers.ticketmaster.event(eid)
        except ProviderError:
            break
        out.vanished_checked += 1
        if found is not None:
            event = ticketmaster_rows.event_row(found)
            if event.venue is not None:
                changed.append(event)
    attractions = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT tm_attraction_id, id::text FROM artists WHERE tm_attraction_id IS NOT NULL"
        )
    }
    with conn.transaction():
        lock(conn, "fleet:signals", "shows")
        out.written = write_events(conn, changed, attractions, today, out.artists_written)
        if out.near_complete:
            # The whole market's next weeks were read: every artist known to Ticketmaster is as fresh
            # as this sweep, listed or not.
            out.artists_marked = mark_synced_many(conn, "shows", list(attractions.values()))


def write_events(
    conn: psycopg.Connection,
    events: Sequence[TmEvent],
    attractions: dict[str, str],
    today: date,
    written: set[str] | None = None,
) -> int:
    """lib/sync/artist_shows' write, for the events of many artists at once: venues, shows (adopting a show
    setlist.fm created first), show_artists, and each artist's show totals."""
    usable = [e for e in events if e.venue is not None and any(a in attractions for a in e.attraction_ids)]
    if not usable:
        return 0
    # Each venue from its last event (as one row per event would leave it), built once per venue:
    # the market's events share a few thousand venues.
    last = {e.venue.id: e for e in usable if e.venue}
    venues = {vid: venue_row(e.venue, e.timezone) for vid, e in last.items() if e.venue}
    _, venue_ids = store.write_tm_venues(conn, list(venues.values()))
    rows, bases, bills = [], [], []
    by_headliner: dict[str, list[tuple[str, str | None, date | None]]] = defaultdict(list)
    names = dict(
        conn.execute(
            "SELECT id::text, name FROM artists WHERE id = ANY(%s::uuid[])",
            (sorted({attractions[a] for e in usable for a in e.attraction_ids if a in attractions}),),
        ).fetchall()
    )
    for event in usable:
        assert event.venue is not None
        flags = list(headliners(event))
        on_bill = [
            (i, attractions[a], flags[i]) for i, a in enumerate(event.attraction_ids) if a in attractions
        ]
        headliner = on_bill[0][1]
        venue = venues[event.venue.id]
        row = show_row(event, headliner, venue_ids.get(event.venue.id), today)
        rows.append(row)
        bases.append(store.show_slug_base(names.get(headliner, event.name), venue.city, event.local_date))
        bills.append(on_bill)
        by_headliner[headliner].append((event.id, row.venue_id, row.date))
    store.adopt_shows_many(conn, by_headliner)
    _, show_ids = store.write_tm_shows(conn, rows, bases)
    links = [
        (show_ids[r.tm_event_id or ""], artist, index, is_headliner)
        for r, on_bill in zip(rows, bills, strict=True)
        for index, artist, is_headliner in on_bill
    ]
    store.write_show_artists(conn, links)
    billed = sorted({a for on_bill in bills for _, a, _ in on_bill})
    set_show_totals(conn, billed, today)
    if written is not None:
        written.update(billed)
    return len(rows)


_TOTALS = """
WITH ids AS (SELECT unnest(%(ids)s::uuid[]) AS id),
billed AS (
    SELECT s.id AS show_id, s.headliner_artist_id AS artist_id, s.status, s.date FROM shows s
     WHERE s.headliner_artist_id IN (SELECT id FROM ids)
    UNION
    SELECT s.id, x.artist_id, s.status, s.date FROM show_artists x JOIN shows s ON s.id = x.show_id
     WHERE x.artist_id IN (SELECT id FROM ids)),
agg AS (SELECT artist_id, count(*)::int AS total,
               count(*) FILTER (WHERE status = 'upcoming' AND (date IS NULL OR date >= %(today)s))::int AS upcoming
          FROM billed GROUP BY artist_id)
UPDATE artists a SET total_shows = agg.total, upcoming_shows = agg.upcoming, updated_at = now()
  FROM agg WHERE a.id = agg.artist_id
   AND ROW(a.total_shows, a.upcoming_shows) IS DISTINCT FROM ROW(agg.total, agg.upcoming)
"""


def set_show_totals(conn: psycopg.Connection, artist_ids: Sequence[str], today: date) -> int:
    """lib/db/shows.show_totals + set_totals for many artists in one statement (the same counts:
    every show an artist headlines or is billed on; upcoming = status upcoming, date today or later)."""
    return conn.execute(_TOTALS, {"ids": list(artist_ids), "today": today}).rowcount if artist_ids else 0
