"""The parts of the setlist sync that place setlists among shows and songs: links to existing shows
(co-headlined ones included), past shows and venues created from setlist.fm, and covers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import psycopg

from ..db import setlists as store
from ..db import shows as show_store
from ..db.bulk import WriteCounts
from ..rules.setlist_songs import Setlist, SongIndex, played_songs
from ..rules.show_rows import VenueRow, locate_timezone, show_status
from ..text import normalize_name


def link(show: store.StoredShow, setlist_id: str, ready: bool) -> tuple[str, str | None, bool]:
    """(id, setlistfm_id, setlist_ready) of a show this artist's setlist belongs to. A co-headlined
    show keeps the setlist id of whoever was linked first (no ping-pong between the two artists'
    refreshes); it is ready once any of its setlists has songs."""
    setlist_column = show.setlistfm_id if show.others else setlist_id
    return (show.id, setlist_column, ready or (show.ready and show.others))


def create_shows(
    conn: psycopg.Connection,
    artist_id: str,
    name: str,
    new_shows: list[tuple[Setlist, str]],
    today: date,
) -> tuple[WriteCounts, WriteCounts, list[VenueRow]]:
    """Shows setlist.fm knows and Ticketmaster did not list, with their venues (found or created; the
    rows are returned so the step can say which zones were guessed)."""
    return create_shows_many(conn, [(artist_id, name, new_shows)], today)


def create_shows_many(
    conn: psycopg.Connection,
    artists: Sequence[tuple[str, str, list[tuple[Setlist, str]]]],
    today: date,
) -> tuple[WriteCounts, WriteCounts, list[VenueRow]]:
    """`create_shows` for many artists ((artist_id, name, new shows) each) in one pass: venues are
    found or created, and slugs allocated, in the order given, as one call per artist would."""
    items = [
        (artist_id, name, setlist, show_id) for artist_id, name, new in artists for setlist, show_id in new
    ]
    if not items:
        return WriteCounts(), WriteCounts(), []
    venues = [venue_row(setlist) for _, _, setlist, _ in items]
    venue_counts, venue_ids = show_store.find_or_create_venues(conn, venues)
    rows, bases = [], []
    for (artist_id, name, setlist, show_id), venue_id, venue in zip(items, venue_ids, venues, strict=True):
        ready = bool(played_songs(setlist).songs)
        rows.append(
            (
                show_id,
                show_store.ShowRow(
                    tm_event_id=None,
                    headliner_artist_id=artist_id,
                    venue_id=venue_id,
                    name=f"{name} at {venue.name}",
                    date=setlist.event_date,
                    start_time=None,
                    status=show_status(None, setlist.event_date, today),
                    setlistfm_id=setlist.id,
                    setlist_ready=ready,
                ),
            )
        )
        bases.append(show_store.show_slug_base(name, venue.city, setlist.event_date))
    show_counts = show_store.insert_shows(conn, rows, bases)
    show_store.write_show_artists(conn, [(sid, row.headliner_artist_id, 0, True) for sid, row in rows])
    return venue_counts, show_counts, venues


def venue_name(setlist: Setlist) -> str | None:
    return setlist.venue.name if setlist.venue else None


def venue_row(setlist: Setlist) -> VenueRow:
    v = setlist.venue
    if v is None:
        return VenueRow(
            None, "Unknown venue", "Unknown", None, "Unknown", None, None, None, None, "UTC", "none"
        )
    city = " ".join((v.city or "").split()) or "Unknown"
    # setlist.fm names no zone: its city's coordinates tell it (lib/rules/show_rows.py).
    zone, source = locate_timezone(v.country_code, v.latitude, v.longitude)
    return VenueRow(
        tm_venue_id=None,
        name=" ".join(v.name.split()),
        city=city,
        state=v.state,
        country=v.country or v.country_code or "Unknown",
        postal_code=None,
        address=None,
        latitude=v.latitude,
        longitude=v.longitude,
        timezone=zone,
        timezone_source=source,
    )


class CoverSongs:
    """Songs of other artists that this artist covered: the original artist's own song when we know
    that artist (by MBID), else a song credited to the original artist's name, created once."""

    def __init__(self, conn: psycopg.Connection, setlists: list[Setlist]) -> None:
        covered = [s for sl in setlists for st in sl.sets for s in st.songs if s.cover_name and not s.tape]
        mbids = sorted({s.cover_mbid for s in covered if s.cover_mbid})
        self._by_mbid = {m: SongIndex(songs) for m, songs in store.songs_by_artist_mbid(conn, mbids).items()}
        self._by_name: dict[str, SongIndex] = {}
        for song_id, title, artist in store.loose_songs(conn, sorted({s.cover_name or "" for s in covered})):
            self.add(song_id, title, artist)

    def add(self, song_id: str, title: str, artist: str) -> None:
        self._by_name.setdefault(normalize_name(artist), SongIndex([])).add(song_id, title)

    def find(self, title: str, artist: str, mbid: str | None) -> str | None:
        if mbid and mbid in self._by_mbid and (found := self._by_mbid[mbid].find(title)):
            return found
        index = self._by_name.get(normalize_name(artist))
        return index.find(title) if index else None
