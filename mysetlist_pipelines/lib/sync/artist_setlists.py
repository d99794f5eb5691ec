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
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import psycopg

from ..db import artists as artist_store
from ..db import setlists as store
from ..db import shows as show_store
from ..db import songs as catalog_store
from ..db.bulk import lock, update_by_id
from ..providers.base import malformed_note
from ..providers.clients import Providers
from ..providers.setlistfm import rows as setlistfm_rows
from ..rules.setlist_songs import Setlist, ShowCandidate, SongIndex, match_show, played_songs
from ..rules.show_rows import GUESSED_SOURCES, guessed_zones
from . import StepReport
from .setlist_links import CoverSongs, create_shows, link, venue_name
from .unavailable import unlinked

DEFAULT_MAX_PAGES = 5
DEFAULT_YEARS_BACK = 3
PAGE_SIZE = 20


def fetch_setlists(
    providers: Providers,
    mbid: str,
    known: set[str],
    *,
    since: date,
    max_pages: int,
    force: bool,
    skipped: Counter[str] | None = None,
) -> list[Setlist]:
    """The setlists to write; malformed ones of a good page are counted in `skipped`, not returned."""
    found: list[Setlist] = []
    seen_known = False
    pages = providers.setlistfm.iter_artist_setlists(mbid, since=since, max_pages=max_pages, skipped=skipped)
    for item in pages:
        found.append(setlistfm_rows.setlist_row(item))
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
        gap = unlinked(
            conn,
            providers,
            artist_id,
            name,
            "setlistfm",
            "links the artist on setlist.fm and imports its setlists",
        )
        if gap is not None:
            raise gap
        why = artist_store.decisions(conn, artist_id).get("setlistfm", {}).get("reason", "no MBID")
        return StepReport(
            artist_id, f"{name}: skipped, no setlist.fm artist (MBID) known ({why})", applicable=False
        )

    known = store.known_setlist_ids(conn, artist_id)
    since = today - timedelta(days=365 * years_back)
    skipped: Counter[str] = Counter()
    setlists = fetch_setlists(
        providers, mbid, known, since=since, max_pages=max_pages, force=force, skipped=skipped
    )
    report = StepReport(artist_id, calls=providers.calls_since(before), skipped=skipped)
    return store_setlists(conn, report, artist_id, name, setlists, today)


def store_setlists(
    conn: psycopg.Connection,
    report: StepReport,
    artist_id: str,
    name: str,
    setlists: list[Setlist],
    today: date,
) -> StepReport:
    """Write setlists already read (by this step, or by the signal plan's feed) in one transaction:
    setlists, songs, shows and their links, the artist's totals and `setlists_synced_at`."""
    with conn.transaction():
        lock(conn, f"artist:{artist_id}", "shows")
        zone_note = _write(conn, report, artist_id, name, setlists, today)
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
    report.message = f"{name}: {len(setlists)} setlists read, {total} stored" + zone_note
    report.message += malformed_note(report.skipped)
    return report


def _write(
    conn: psycopg.Connection,
    report: StepReport,
    artist_id: str,
    name: str,
    setlists: list[Setlist],
    today: date,
) -> str:
    """Writes the setlists; returns the message clause about guessed venue zones ("" when none)."""
    stored = {s.id: s for s in store.artist_shows(conn, artist_id)}
    shows = [s.candidate() for s in stored.values()]
    index = SongIndex(store.own_songs(conn, artist_id))
    covers = CoverSongs(conn, setlists)
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
            show = ShowCandidate(str(uuid.uuid4()), setlist.event_date, venue_name(setlist), None, setlist.id)
            shows.append(show)
            new_shows.append((setlist, show.id))
        else:
            if show.id in stored:  # (a show created above for an earlier setlist is linked already)
                links.append(link(stored[show.id], setlist.id, ready))
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

    report.writes["venues"], show_counts, venues = create_shows(conn, artist_id, name, new_shows, today)
    report.details["venues_zone_guessed"] = sum(v.timezone_source in GUESSED_SOURCES for v in venues)
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
    return guessed_zones(venues)
