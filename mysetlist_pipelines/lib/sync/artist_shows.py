"""`artist_shows`: the artist's Ticketmaster events -> venues, shows and the artists on each bill.

Calls: ceil(N / 200) event pages for N events from `past_days` ago on (usually 1).
Every artist on a bill that the app already knows (by tm_attraction_id) is linked in `show_artists`
(0 = first billed); the headliner is the first known artist on the bill.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg

from ..db import artist_state as artist_store
from ..db import shows as store
from ..db.bulk import lock
from ..providers.base import malformed_note
from ..providers.clients import Providers
from ..providers.ticketmaster import rows as ticketmaster_rows
from ..rules.show_rows import (
    GUESSED_SOURCES,
    TmEvent,
    guessed_zones,
    headliners,
    price,
    show_status,
    venue_row,
)
from . import StepReport
from .prefetch import Prefetch, PrefetchStopped, ShowsParams, provider_calls, shows_key
from .unavailable import unlinked

DEFAULT_PAST_DAYS = 30


def sync_shows(
    conn: psycopg.Connection,
    providers: Providers,
    artist_id: str,
    *,
    today: date,
    past_days: int = DEFAULT_PAST_DAYS,
    full_sync: bool = False,
    prefetch: Prefetch | None = None,
) -> StepReport:
    """The step: fetch (or take the pages `prefetch` fetched ahead), then write in one transaction."""
    row = conn.execute("SELECT name, tm_attraction_id FROM artists WHERE id = %s", (artist_id,)).fetchone()
    if row is None:
        raise LookupError(f"artist {artist_id} does not exist")
    name, attraction_id = row
    if not attraction_id:
        gap = unlinked(
            conn,
            providers,
            artist_id,
            name,
            "ticketmaster",
            "links the artist on Ticketmaster and imports its shows",
        )
        if gap is not None:
            raise gap
        why = artist_store.decisions(conn, artist_id).get("ticketmaster", {}).get("reason", "no id")
        return StepReport(artist_id, f"{name}: skipped, no Ticketmaster id known ({why})", applicable=False)

    if prefetch is not None and (
        fetched := prefetch.take(shows_key(artist_id, attraction_id, ShowsParams(past_days)))
    ):
        shows = fetched.result()  # a prefetch's error is raised here, as the step's own fetch would raise it
    else:
        shows = fetch_shows(providers, attraction_id, start=today - timedelta(days=past_days))
    events, skipped = shows.events, shows.skipped
    usable: list[TmEvent] = []
    for event in events:
        if event.venue is None:
            skipped["event without a venue"] += 1
        else:
            usable.append(event)
    report = StepReport(artist_id, calls=dict(shows.calls), skipped=skipped)

    with conn.transaction():
        lock(conn, f"artist:{artist_id}", "shows")
        venues = {e.venue.id: venue_row(e.venue, e.timezone) for e in usable if e.venue}
        report.writes["venues"], venue_ids = store.write_tm_venues(conn, list(venues.values()))
        bill_ids = {a for e in usable for a in e.attraction_ids} | {attraction_id}
        known = store.artists_by_attraction(conn, bill_ids)
        rows, bases, bills = [], [], []
        for event in usable:
            assert event.venue is not None
            bill = list(event.attraction_ids)
            flags = list(headliners(event))
            if attraction_id not in bill:  # listed by attraction id, so billed even if not embedded
                bill.append(attraction_id)
                flags.append(not bill[:-1])
            on_bill = [(i, known[a], flags[i]) for i, a in enumerate(bill) if a in known]
            headliner = on_bill[0][1]
            venue = venues[event.venue.id]
            rows.append(show_row(event, headliner, venue_ids.get(event.venue.id), today))
            bases.append(store.show_slug_base(name, venue.city, event.local_date))
            bills.append(on_bill)
        adopted = store.adopt_shows(
            conn, artist_id, [(r.tm_event_id or "", r.venue_id, r.date) for r in rows]
        )
        report.writes["shows"], show_ids = store.write_tm_shows(conn, rows, bases)
        links = [
            (show_ids[r.tm_event_id or ""], artist, index, is_headliner)
            for r, on_bill in zip(rows, bills, strict=True)
            for index, artist, is_headliner in on_bill
        ]
        report.writes["show_artists"] = store.write_show_artists(conn, links)
        total, upcoming = store.show_totals(conn, artist_id, today)
        if artist_store.set_totals(conn, artist_id, total_shows=total, upcoming_shows=upcoming):
            report.count("artists").updated += 1
        artist_store.mark_synced(conn, artist_id, "shows", full_sync=full_sync)
    statuses = Counter(r.status for r in rows)
    report.details.update({"events": len(events), "total_shows": total, "upcoming_shows": upcoming,
                           "adopted_setlistfm_shows": adopted,
                           "statuses": dict(sorted(statuses.items())),
                           "venues_zone_guessed": sum(v.timezone_source in GUESSED_SOURCES
                                                      for v in venues.values())})  # fmt: skip
    report.message = (
        f"{name}: {len(rows)} Ticketmaster events, {upcoming} upcoming of {total} shows"
        + guessed_zones(venues.values())
        + malformed_note(skipped)
    )
    return report


@dataclass(frozen=True)
class FetchedShows:
    events: list[TmEvent]  # each event once
    skipped: Counter[str]  # malformed events of a good page
    calls: dict[str, int]  # the Ticketmaster calls made


def fetch_shows(
    providers: Providers, attraction_id: str, *, start: date, stop: threading.Event | None = None
) -> FetchedShows:
    """The provider I/O of the step: the attraction's events from `start` on (pages of 200)."""
    before = providers.calls()
    # includeTBA: date-less events are listed only on request (they are upcoming shows too).
    skipped: Counter[str] = Counter()  # malformed events of a good page are counted here too
    raw = providers.ticketmaster.iter_events(
        {"attractionId": attraction_id, "includeTBA": "yes"}, start=start, skipped=skipped
    )
    events: dict[str, TmEvent] = {}
    for item in raw:
        if stop is not None and stop.is_set():
            raise PrefetchStopped("the run ended before its shows step took these events")
        event = ticketmaster_rows.event_row(item)
        events[event.id] = event
    calls = provider_calls(providers.calls_since(before), "ticketmaster")
    return FetchedShows(list(events.values()), skipped, calls)


def show_row(event: TmEvent, headliner_id: str, venue_id: str | None, today: date) -> store.ShowRow:
    """The shows row of one Ticketmaster event (the per-artist step and the market sweep both write it)."""
    return store.ShowRow(
        tm_event_id=event.id,
        headliner_artist_id=headliner_id,
        venue_id=venue_id,
        name=event.name,
        date=event.local_date,
        start_time=event.local_time,
        status=show_status(event.status_code, event.local_date, today),
        ticket_url=event.url,
        min_price=price(event.min_price),
        max_price=price(event.max_price),
        currency=event.currency or "USD",
    )
