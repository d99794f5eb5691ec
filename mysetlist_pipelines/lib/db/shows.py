"""Writes of the shows sync: `venues`, `shows`, `show_artists`, and the artist's show counters.

Slugs are chosen once, when a row is inserted, and never rewritten. Callers hold the `shows` advisory
lock (bulk.lock) for the whole transaction: it serializes slug allocation and the `show_artists`
anti-join between runs of co-headliners that share a show.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

import psycopg

from ..rules.show_rows import VenueRow
from ..text import normalize_name, slugify
from .bulk import WriteCounts, allocate_slugs, insert, merge, update_by_id, upsert

VENUE_COLUMNS = (
    "tm_venue_id", "name", "city", "state", "country", "postal_code", "address", "latitude", "longitude",
    "timezone",
)  # fmt: skip
# The shows an artist is billed on (headlines, or has a show_artists row), as two index lookups and
# a union. Written as `headliner_artist_id = a OR EXISTS (SELECT 1 FROM show_artists ...)` the
# planner can only scan every show and test each: at fleet scale (hundreds of thousands of shows)
# that is a tenth of a second per artist, paid by every per-artist writer.
ARTIST_SHOW_IDS = (
    "(SELECT h.id FROM shows h WHERE h.headliner_artist_id = %(a)s "
    "UNION SELECT x.show_id FROM show_artists x WHERE x.artist_id = %(a)s)"
)

SHOW_COLUMNS = (
    "tm_event_id", "headliner_artist_id", "venue_id", "name", "date", "start_time", "status", "ticket_url",
    "min_price", "max_price", "currency",
)  # fmt: skip


@dataclass(frozen=True)
class ShowRow:
    tm_event_id: str | None
    headliner_artist_id: str
    venue_id: str | None
    name: str
    date: date | None
    start_time: time | None
    status: str
    ticket_url: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    currency: str | None = "USD"
    setlistfm_id: str | None = None
    setlist_ready: bool = False


def venue_slug_base(venue: VenueRow) -> str:
    return slugify(f"{venue.name} {venue.city}", fallback="venue")


def show_slug_base(artist_name: str, city: str | None, on: date | None) -> str:
    return slugify(f"{artist_name} {city or ''} {on.isoformat() if on else 'tba'}", fallback="show")


def write_tm_venues(
    conn: psycopg.Connection, venues: Sequence[VenueRow]
) -> tuple[WriteCounts, dict[str, str]]:
    """Upsert on tm_venue_id; returns tm_venue_id -> venues.id. A venue first created from setlist.fm
    (no Ticketmaster id, same name and city) is adopted rather than duplicated."""
    venues = list({v.tm_venue_id: v for v in venues if v.tm_venue_id}.values())
    _adopt(conn, venues)
    slugs = allocate_slugs(conn, "venues", [venue_slug_base(v) for v in venues])
    rows = [(*_venue_values(v), slug) for v, slug in zip(venues, slugs, strict=True)]
    counts, ids = upsert(
        conn, "venues", (*VENUE_COLUMNS, "slug"), rows, key=("tm_venue_id",), update=VENUE_COLUMNS[1:],
        keep_known=("state", "postal_code", "address", "latitude", "longitude"),
    )  # fmt: skip
    return counts, {k[0]: v for k, v in ids.items()}


def _adopt(conn: psycopg.Connection, venues: Sequence[VenueRow]) -> None:
    known = {
        r[0]
        for r in conn.execute(
            "SELECT tm_venue_id FROM venues WHERE tm_venue_id = ANY(%s)", ([v.tm_venue_id for v in venues],)
        )
    }
    new = [v for v in venues if v.tm_venue_id not in known]
    if not new:
        return
    loose: dict[tuple[str, str], str] = {}
    for vid, name, city in conn.execute(
        "SELECT id::text, name, city FROM venues WHERE tm_venue_id IS NULL AND lower(city) = ANY(%s) "
        "ORDER BY created_at, id",
        (sorted({v.city.lower() for v in new}),),
    ):
        loose.setdefault((normalize_name(name), normalize_name(city)), vid)
    adopted = [
        (vid, v.tm_venue_id)
        for v in new
        if (vid := loose.pop((normalize_name(v.name), normalize_name(v.city)), None)) is not None
    ]
    if adopted:
        update_by_id(conn, "venues", ("id", "tm_venue_id"), adopted)


def find_or_create_venues(
    conn: psycopg.Connection, venues: Sequence[VenueRow]
) -> tuple[WriteCounts, list[str]]:
    """Venues known only by name and city (setlist.fm): an existing venue of the same normalized name
    in the same city is reused, whoever created it; the others are inserted. Ids in input order."""
    cities = sorted({v.city.lower() for v in venues})
    existing: dict[tuple[str, str], str] = {}
    for vid, name, city in conn.execute(
        "SELECT id::text, name, city FROM venues WHERE lower(city) = ANY(%s) ORDER BY created_at, id",
        (cities,),
    ):
        existing.setdefault((normalize_name(name), normalize_name(city)), vid)
    ids: list[str] = []
    new: list[tuple[str, VenueRow]] = []
    for venue in venues:
        key = (normalize_name(venue.name), normalize_name(venue.city))
        if key not in existing:
            existing[key] = str(uuid.uuid4())
            new.append((existing[key], venue))
        ids.append(existing[key])
    slugs = allocate_slugs(conn, "venues", [venue_slug_base(v) for _, v in new])
    rows = [(vid, *_venue_values(v), slug) for (vid, v), slug in zip(new, slugs, strict=True)]
    counts = insert(conn, "venues", ("id", *VENUE_COLUMNS, "slug"), rows)
    counts.unchanged = len(set(ids)) - counts.inserted
    return counts, ids


def write_tm_shows(
    conn: psycopg.Connection, shows: Sequence[ShowRow], slug_bases: Sequence[str]
) -> tuple[WriteCounts, dict[str, str]]:
    """Upsert on tm_event_id (the slug only on insert); returns tm_event_id -> shows.id."""
    slugs = allocate_slugs(conn, "shows", slug_bases)
    rows = [(*_show_values(s), slug) for s, slug in zip(shows, slugs, strict=True)]
    counts, ids = upsert(
        conn, "shows", (*SHOW_COLUMNS, "slug"), rows, key=("tm_event_id",), update=SHOW_COLUMNS[1:],
        keep_known=("min_price", "max_price", "ticket_url"),
    )  # fmt: skip
    return counts, {k[0]: v for k, v in ids.items()}


def adopt_shows(
    conn: psycopg.Connection, artist_id: str, events: Sequence[tuple[str, str | None, date | None]]
) -> int:
    """(tm_event_id, venue_id, date) of Ticketmaster events not stored yet: a show of the artist that
    setlist.fm created first (no tm_event_id, same date, same venue) takes the event's id, so the
    upsert that follows updates it instead of adding the same concert twice."""
    return adopt_shows_many(conn, {artist_id: events})


def adopt_shows_many(
    conn: psycopg.Connection, events_by_artist: dict[str, Sequence[tuple[str, str | None, date | None]]]
) -> int:
    """`adopt_shows` for many artists in three statements (the market sweep writes the events of
    tens of thousands of artists at once). Artists adopt in the dict's order, each from its own
    shows, oldest first; a show one artist adopted is no longer free for the next, as when they
    adopt one after another."""
    wanted = {a: [(e, v, d) for e, v, d in events if v and d] for a, events in events_by_artist.items()}
    wanted = {a: w for a, w in wanted.items() if w}
    if not wanted:
        return 0
    known = {
        r[0]
        for r in conn.execute(
            "SELECT tm_event_id FROM shows WHERE tm_event_id = ANY(%s)",
            ([e for w in wanted.values() for e, _, _ in w],),
        )
    }
    loose: dict[str, dict[tuple[str, date], list[str]]] = {}
    for artist, sid, venue_id, on in conn.execute(
        "SELECT m.artist::text, s.id::text, s.venue_id::text, s.date FROM ("
        " SELECT h.id AS show_id, h.headliner_artist_id AS artist FROM shows h"
        "  WHERE h.headliner_artist_id = ANY(%(a)s::uuid[]) AND h.tm_event_id IS NULL"
        " UNION SELECT x.show_id, x.artist_id FROM show_artists x WHERE x.artist_id = ANY(%(a)s::uuid[])"
        ") m JOIN shows s ON s.id = m.show_id WHERE s.tm_event_id IS NULL AND s.date IS NOT NULL "
        "ORDER BY m.artist, s.created_at, s.id",
        {"a": list(wanted)},
    ):
        loose.setdefault(artist, {}).setdefault((venue_id, on), []).append(sid)
    adopted: list[tuple[str, str]] = []
    taken: set[str] = set()
    for artist, events in wanted.items():
        mine = loose.get(artist, {})
        for e, v, d in events:
            if e in known:
                continue
            free = mine.get((v, d))  # type: ignore[arg-type]
            while free and free[0] in taken:  # adopted by an artist before this one
                free.pop(0)
            if free:
                sid = free.pop(0)
                taken.add(sid)
                known.add(e)  # stored now: an artist after this one does not adopt it again
                adopted.append((sid, e))
    if adopted:
        update_by_id(conn, "shows", ("id", "tm_event_id"), adopted)
    return len(adopted)


def insert_shows(
    conn: psycopg.Connection, shows: Sequence[tuple[str, ShowRow]], slug_bases: Sequence[str]
) -> WriteCounts:
    """New shows with ids chosen by the caller (setlist.fm shows Ticketmaster never listed)."""
    slugs = allocate_slugs(conn, "shows", slug_bases)
    rows = [
        (sid, *_show_values(s), s.setlistfm_id, s.setlist_ready, slug)
        for (sid, s), slug in zip(shows, slugs, strict=True)
    ]
    return insert(conn, "shows", ("id", *SHOW_COLUMNS, "setlistfm_id", "setlist_ready", "slug"), rows)


def write_show_artists(conn: psycopg.Connection, rows: Iterable[tuple[str, str, int, bool]]) -> WriteCounts:
    """(show_id, artist_id, order_index, is_headliner): no unique key in the app's schema, so an
    anti-join insert plus an update of the rows that differ."""
    counts, _ = merge(
        conn, "show_artists", ("show_id", "artist_id", "order_index", "is_headliner"), list(rows),
        match=("show_id", "artist_id"), update=("order_index", "is_headliner"),
    )  # fmt: skip
    return counts


def artists_by_attraction(conn: psycopg.Connection, attraction_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(attraction_ids))
    rows = conn.execute(
        "SELECT tm_attraction_id, id::text FROM artists WHERE tm_attraction_id = ANY(%s)", (ids,)
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def show_totals(conn: psycopg.Connection, artist_id: str, today: date) -> tuple[int, int]:
    """(total_shows, upcoming_shows) of the artist: every show it is billed on (or headlines)."""
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE s.status = 'upcoming' AND (s.date IS NULL OR s.date >= %(t)s)) "
        f"FROM shows s WHERE s.id IN {ARTIST_SHOW_IDS}",
        {"a": artist_id, "t": today},
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _venue_values(v: VenueRow) -> tuple[object, ...]:
    return (
        v.tm_venue_id, v.name, v.city, v.state, v.country, v.postal_code, v.address, v.latitude, v.longitude,
        v.timezone,
    )  # fmt: skip


def _show_values(s: ShowRow) -> tuple[object, ...]:
    return (
        s.tm_event_id, s.headliner_artist_id, s.venue_id, s.name, s.date, s.start_time, s.status, s.ticket_url,
        s.min_price, s.max_price, s.currency,
    )  # fmt: skip
