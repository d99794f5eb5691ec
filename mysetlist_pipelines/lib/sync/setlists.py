"""`artist_setlists`: setlist.fm setlists -> actual `setlists` and `setlist_songs`, linked to shows.

Calls: pages of 20, newest first, back to `years_back` years and at most `max_pages` pages. Incremental:
once a page holds a setlist already stored, no further page is read (that page is processed whole, so
a recent setlist that got its songs late is picked up); an artist with nothing new costs one page.

Each setlist is linked to the artist's show of the same date at the same venue (or city); when there
is none (Ticketmaster lists no past shows) the show, and its venue when unknown, is created. A setlist
without songs yet marks its show (setlistfm_id) but gets no `setlists` row until songs arrive.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import psycopg

from ..db import artists as artist_store
from ..db import catalog as catalog_store
from ..db import setlists as store
from ..db import shows as show_store
from ..db.bulk import WriteCounts, lock, update_by_id
from ..providers import Providers
from ..setlists import Setlist, ShowCandidate, SongIndex, match_show, played_songs
from ..shows import VenueRow, show_status, timezone_for
from ..text import normalize_name
from . import StepReport, adapters

DEFAULT_MAX_PAGES = 5
DEFAULT_YEARS_BACK = 3
PAGE_SIZE = 20


def fetch_setlists(
    providers: Providers, mbid: str, known: set[str], *, since: date, max_pages: int, force: bool
) -> list[Setlist]:
    found: list[Setlist] = []
    seen_known = False
    for item in providers.setlistfm.iter_artist_setlists(mbid, since=since, max_pages=max_pages):
        found.append(adapters.setlist(item))
        seen_known = seen_known or item.id in known
        if seen_known and not force and len(found) % PAGE_SIZE == 0:
            break  # the end of the page that reached stored setlists: stop before the next call
    return found


def sync_setlists(
    conn: psycopg.Connection,
    providers: Providers,
    artist_id: str,
    *,
    today: date,
    max_pages: int = DEFAULT_MAX_PAGES,
    years_back: int = DEFAULT_YEARS_BACK,
    force: bool = False,
) -> StepReport:
    before = providers.calls()
    row = conn.execute("SELECT name, mbid FROM artists WHERE id = %s", (artist_id,)).fetchone()
    if row is None:
        raise LookupError(f"artist {artist_id} does not exist")
    name, mbid = row
    if not mbid:
        why = artist_store.decisions(conn, artist_id).get("setlistfm", {}).get("reason", "no MBID")
        return StepReport(
            artist_id, f"{name}: skipped, no setlist.fm artist (MBID) known ({why})", applicable=False
        )

    known = store.known_setlist_ids(conn, artist_id)
    since = today - timedelta(days=365 * years_back)
    setlists = fetch_setlists(providers, mbid, known, since=since, max_pages=max_pages, force=force)
    report = StepReport(artist_id, calls=providers.calls_since(before))
    with conn.transaction():
        lock(conn, f"artist:{artist_id}", "shows")
        _write(conn, report, artist_id, name, setlists, today)
        total = store.total_setlists(conn, artist_id)
        # Songs and shows created here count in the artist's totals too.
        songs, _ = catalog_store.totals(conn, artist_id)
        shows, upcoming = show_store.show_totals(conn, artist_id, today)
        totals = {
            "total_setlists": total,
            "total_songs": songs,
            "total_shows": shows,
            "upcoming_shows": upcoming,
        }
        if artist_store.set_totals(conn, artist_id, **totals):
            report.count("artists").updated += 1
        artist_store.mark_synced(conn, artist_id, "setlists")
    report.details.update({"setlists_read": len(setlists), "total_setlists": total})
    report.message = f"{name}: {len(setlists)} setlists read, {total} stored"
    return report


def _write(
    conn: psycopg.Connection,
    report: StepReport,
    artist_id: str,
    name: str,
    setlists: list[Setlist],
    today: date,
) -> None:
    stored = {s.id: s for s in store.artist_shows(conn, artist_id)}
    shows = [s.candidate() for s in stored.values()]
    index = SongIndex(store.own_songs(conn, artist_id))
    covers = _CoverSongs(conn, setlists)
    new_songs: list[tuple[str, str, str]] = []
    own_new: list[str] = []
    new_shows: list[tuple[Setlist, str]] = []
    links: list[tuple[str, str | None, bool]] = []
    setlist_rows: list[store.SetlistRow] = []
    entries: dict[str, list[tuple[str, str | None]]] = {}
    skipped = report.skipped
    for setlist in setlists:
        played = played_songs(setlist)
        skipped.update({f"{k} song": v for k, v in played.skipped.items()})
        show = match_show(setlist, shows)
        ready = bool(played.songs)
        if show is None:
            show = ShowCandidate(
                str(uuid.uuid4()), setlist.event_date, _venue_name(setlist), None, setlist.id
            )
            shows.append(show)
            new_shows.append((setlist, show.id))
        else:
            if show.id in stored:  # (a show created above for an earlier setlist is linked already)
                links.append(_link(stored[show.id], setlist.id, ready))
            if show.setlistfm_id != setlist.id:  # taken: a second setlist that day needs another show
                shows[shows.index(show)] = replace(show, setlistfm_id=setlist.id)
        if not ready:
            skipped["setlist without songs yet"] += 1
            continue
        songs: list[tuple[str, str | None]] = []
        for song in played.songs:
            if song.is_cover:
                song_id = covers.find(song.name, song.cover_artist or "", song.cover_mbid)
                if song_id is None:
                    song_id = str(uuid.uuid4())
                    new_songs.append((song_id, song.name, song.cover_artist or ""))
                    covers.add(song_id, song.name, song.cover_artist or "")
            else:
                song_id = index.find(song.name)
                if song_id is None:
                    song_id = str(uuid.uuid4())
                    new_songs.append((song_id, song.name, name))
                    own_new.append(song_id)
                    index.add(song_id, song.name)
            songs.append((song_id, song.notes))
        setlist_rows.append(store.SetlistRow(show.id, artist_id, "actual", setlist.id))
        entries[setlist.id] = songs

    report.writes["venues"], show_counts = _create_shows(conn, artist_id, name, new_shows, today)
    links_counts = update_by_id(conn, "shows", ("id", "setlistfm_id", "setlist_ready"), links)
    show_counts += links_counts
    report.writes["shows"] = show_counts
    songs_counts = store.insert_songs(conn, new_songs)
    report.writes["songs"] = songs_counts
    report.writes["artist_songs"] = store.link_songs(conn, artist_id, own_new)
    report.writes["setlists"], ids = store.write_setlists(
        conn, setlist_rows, match=("artist_id", "type", "external_id")
    )
    by_external = {k[2]: v for k, v in ids.items()}
    report.writes["setlist_songs"] = store.write_setlist_songs(
        conn, {by_external[sid]: songs for sid, songs in entries.items()}, played=True
    )
    report.details["covers"] = sum(1 for s in new_songs if s[0] not in set(own_new))


def _link(show: store.StoredShow, setlist_id: str, ready: bool) -> tuple[str, str | None, bool]:
    """(id, setlistfm_id, setlist_ready) of a show this artist's setlist belongs to. A co-headlined
    show keeps the setlist id of whoever was linked first (no ping-pong between the two artists'
    refreshes); it is ready once any of its setlists has songs."""
    setlist_column = show.setlistfm_id if show.others else setlist_id
    return (show.id, setlist_column, ready or (show.ready and show.others))


def _create_shows(
    conn: psycopg.Connection,
    artist_id: str,
    name: str,
    new_shows: list[tuple[Setlist, str]],
    today: date,
) -> tuple[WriteCounts, WriteCounts]:
    """Shows setlist.fm knows and Ticketmaster did not list, with their venues (found or created)."""
    if not new_shows:
        return WriteCounts(), WriteCounts()
    venues = [_venue_row(s) for s, _ in new_shows]
    venue_counts, venue_ids = show_store.find_or_create_venues(conn, venues)
    rows, bases = [], []
    for (setlist, show_id), venue_id, venue in zip(new_shows, venue_ids, venues, strict=True):
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
    show_store.write_show_artists(conn, [(sid, artist_id, 0, True) for sid, _ in rows])
    return venue_counts, show_counts


def _venue_name(setlist: Setlist) -> str | None:
    return setlist.venue.name if setlist.venue else None


def _venue_row(setlist: Setlist) -> VenueRow:
    v = setlist.venue
    if v is None:
        return VenueRow(None, "Unknown venue", "Unknown", None, "Unknown", None, None, None, None, "UTC")
    city = " ".join((v.city or "").split()) or "Unknown"
    return VenueRow(
        tm_venue_id=None,
        name=v.name.strip(),
        city=city,
        state=v.state,
        country=v.country or v.country_code or "Unknown",
        postal_code=None,
        address=None,
        latitude=v.latitude,
        longitude=v.longitude,
        timezone=timezone_for(v.country_code, v.longitude),
    )


class _CoverSongs:
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
