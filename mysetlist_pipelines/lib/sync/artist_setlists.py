"""`artist_setlists`: setlist.fm setlists -> actual `setlists` and `setlist_songs`, linked to shows.

Calls: pages of 20, newest first, back to `years_back` years and at most `max_pages` pages. Incremental:
once a page holds a setlist already stored, no further page is read (that page is processed whole, so
a recent setlist that got its songs late is picked up); an artist with nothing new costs one page.

Each setlist is linked to the artist's show of the same date at the same venue (or city); when there
is none (Ticketmaster lists no past shows) the show, and its venue when unknown, is created. A setlist
without songs yet marks its show (setlistfm_id) but gets no `setlists` row until songs arrive.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import psycopg

from ..db import artist_state as artist_store
from ..db import setlists as store
from ..db import shows as show_store
from ..db import songs as catalog_store
from ..db.bulk import lock, update_by_id
from ..db.write_counts import WriteCounts
from ..providers.base import malformed_note
from ..providers.clients import Providers
from ..providers.setlistfm import rows as setlistfm_rows
from ..rules.setlist_records import Setlist, ShowCandidate
from ..rules.setlist_songs import SongIndex, played_songs
from ..rules.show_matching import match_show
from ..rules.show_rows import GUESSED_SOURCES, VenueRow, guessed_zones
from . import StepReport
from .prefetch import Prefetch, PrefetchStopped, SetlistsParams, provider_calls, setlists_key
from .setlist_links import CoverSongs, create_shows_many, link, venue_name
from .unavailable import unlinked

DEFAULT_MAX_PAGES = 5
DEFAULT_YEARS_BACK = 3
PAGE_SIZE = 20


@dataclass(frozen=True)
class FetchedSetlists:
    setlists: list[Setlist]
    skipped: Counter[str]  # malformed setlists of a good page
    calls: dict[str, int]  # the setlist.fm calls made


def fetch_setlists(
    providers: Providers,
    mbid: str,
    known: set[str],
    *,
    since: date,
    max_pages: int,
    force: bool,
    skipped: Counter[str] | None = None,
    stop: threading.Event | None = None,
) -> FetchedSetlists:
    """The provider I/O of the step: the setlists to write; malformed ones of a good page are counted
    in `skipped` (and in the result's), not returned. `stop` (a prefetch's) ends it before a page."""
    before = providers.calls()
    skipped = Counter() if skipped is None else skipped
    found: list[Setlist] = []
    seen_known = False
    pages = providers.setlistfm.iter_artist_setlists(mbid, since=since, max_pages=max_pages, skipped=skipped)
    for item in pages:
        if stop is not None and stop.is_set():
            raise PrefetchStopped("the run ended before its setlists step took these setlists")
        found.append(setlistfm_rows.setlist_row(item))
        seen_known = seen_known or item.id in known
        if seen_known and not force and len(found) % PAGE_SIZE == 0:
            break  # the end of the page that reached stored setlists: stop before the next call
    return FetchedSetlists(found, skipped, provider_calls(providers.calls_since(before), "setlistfm"))


def sync_setlists(
    conn: psycopg.Connection,
    providers: Providers,
    artist_id: str,
    *,
    today: date,
    max_pages: int = DEFAULT_MAX_PAGES,
    years_back: int = DEFAULT_YEARS_BACK,
    force: bool = False,
    prefetch: Prefetch | None = None,
) -> StepReport:
    """The step: fetch (or take the pages `prefetch` fetched ahead), then write in one transaction."""
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

    params = SetlistsParams(max_pages, years_back, force)
    if prefetch is not None and (fetched := prefetch.take(setlists_key(artist_id, mbid, params))):
        read = fetched.result()  # a prefetch's error is raised here, as the step's own fetch would raise it
    else:
        known = store.known_setlist_ids(conn, artist_id)
        since = today - timedelta(days=365 * years_back)
        read = fetch_setlists(providers, mbid, known, since=since, max_pages=max_pages, force=force)
    report = StepReport(artist_id, calls=dict(read.calls), skipped=read.skipped)
    return store_setlists(conn, report, artist_id, name, read.setlists, today)


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


def store_setlists_many(
    conn: psycopg.Connection, items: Sequence[tuple[str, str, list[Setlist]]], today: date
) -> list[str]:
    """`store_setlists` for many artists ((artists.id, name, setlists) each), as the signal plan's
    feed hands them over: thousands a day at fleet scale, where one transaction and a dozen
    statements per artist would cost minutes. Returns the artists written, in the order given.

    One transaction reads every artist's shows and songs at once, matches each artist's setlists as
    `store_setlists` does, and writes each table once; totals and `setlists_synced_at` as the
    per-artist writer sets them. The rows are those `store_setlists` writes called artist after
    artist: independent artists touch disjoint rows (venues and slugs, which they share, are found
    and allocated in the order given). An artist that is not independent, whose setlists cover
    songs (looked up among other artists' songs, which one before it may just have created) or who
    shares a stored show with another artist of the batch (the show's setlist link depends on who
    writes first), goes through `store_setlists` itself after the others, one after another."""
    if not items:
        return []
    ids = [a for a, _, _ in items]
    alone: list[tuple[str, str, list[Setlist]]] = []
    later: list[tuple[str, str, list[Setlist]]] = []
    with conn.transaction():
        for artist_id in sorted(set(ids)):  # one order for every writer: no lock cycles
            lock(conn, f"artist:{artist_id}")
        lock(conn, "shows")
        shows_of = store.artist_shows_many(conn, ids)
        billed: Counter[str] = Counter(sid for a in dict.fromkeys(ids) for sid in {s.id for s in shows_of[a]})
        taken: set[str] = set()
        for item in items:
            artist_id, _, setlists = item
            shared = any(billed[s.id] > 1 for s in shows_of[artist_id])
            if shared or artist_id in taken or _covers_songs(setlists):
                later.append(item)
            else:
                alone.append(item)
            taken.add(artist_id)
        songs_of = store.own_songs_many(conn, [a for a, _, _ in alone])
        plans = []
        for artist_id, name, setlists in alone:
            stored = {s.id: s for s in shows_of[artist_id]}
            covers = CoverSongs(conn, [])  # no covers here (those artists are written later): no lookups
            plans.append(
                _plan(artist_id, name, setlists, stored, SongIndex(songs_of[artist_id]), covers, Counter())
            )
        _apply(conn, plans, today)
        written = [a for a, _, _ in alone]
        _set_totals_many(conn, written, today)
        artist_store.mark_synced_many(conn, "setlists", written)
    for artist_id, name, setlists in later:
        store_setlists(conn, StepReport(artist_id), artist_id, name, setlists, today)
    return [a for a in dict.fromkeys(ids)]


def _covers_songs(setlists: Sequence[Setlist]) -> bool:
    """The setlists hold a cover (CoverSongs then looks among other artists' songs)."""
    return any(song.cover_name and not song.tape for sl in setlists for st in sl.sets for song in st.songs)


_TOTALS_MANY = """
WITH ids AS (SELECT DISTINCT unnest(%(ids)s::uuid[]) AS id),
billed AS (
    SELECT s.id AS show_id, s.headliner_artist_id AS artist_id, s.status, s.date FROM shows s
     WHERE s.headliner_artist_id IN (SELECT id FROM ids)
    UNION
    SELECT s.id, x.artist_id, s.status, s.date FROM show_artists x JOIN shows s ON s.id = x.show_id
     WHERE x.artist_id IN (SELECT id FROM ids)),
shows AS (SELECT artist_id, count(*)::int AS total,
                 count(*) FILTER (WHERE status = 'upcoming' AND (date IS NULL OR date >= %(today)s))::int AS upcoming
            FROM billed GROUP BY artist_id),
setlists AS (SELECT artist_id, count(*)::int AS n FROM setlists
              WHERE artist_id IN (SELECT id FROM ids) AND type = 'actual' GROUP BY artist_id),
songs AS (SELECT artist_id, count(*)::int AS n FROM artist_songs
           WHERE artist_id IN (SELECT id FROM ids) GROUP BY artist_id),
totals AS (
    SELECT ids.id, coalesce(setlists.n, 0) AS total_setlists, coalesce(songs.n, 0) AS total_songs,
           coalesce(shows.total, 0) AS total_shows, coalesce(shows.upcoming, 0) AS upcoming_shows
      FROM ids LEFT JOIN setlists ON setlists.artist_id = ids.id LEFT JOIN songs ON songs.artist_id = ids.id
      LEFT JOIN shows ON shows.artist_id = ids.id)
UPDATE artists a SET total_setlists = t.total_setlists, total_songs = t.total_songs,
       total_shows = t.total_shows, upcoming_shows = t.upcoming_shows, updated_at = now()
  FROM totals t WHERE a.id = t.id
   AND ROW(a.total_setlists, a.total_songs, a.total_shows, a.upcoming_shows)
       IS DISTINCT FROM ROW(t.total_setlists, t.total_songs, t.total_shows, t.upcoming_shows)
"""


def _set_totals_many(conn: psycopg.Connection, artist_ids: Sequence[str], today: date) -> int:
    """The four counters `store_setlists` sets (the same counts: total_setlists as
    store.total_setlists, total_songs as catalog_store.totals, the shows as show_store.show_totals),
    for many artists in one statement, only where they changed."""
    if not artist_ids:
        return 0
    return conn.execute(_TOTALS_MANY, {"ids": list(artist_ids), "today": today}).rowcount


@dataclass
class _Plan:
    """What one artist's setlists add: computed from what is stored, written by `_apply`."""

    artist_id: str
    name: str
    new_shows: list[tuple[Setlist, str]] = field(default_factory=list)
    links: list[tuple[str, str | None, bool]] = field(default_factory=list)
    new_songs: list[tuple[str, str, str]] = field(default_factory=list)
    own_new: list[str] = field(default_factory=list)
    setlist_rows: list[store.SetlistRow] = field(default_factory=list)
    entries: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)


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
    index = SongIndex(store.own_songs(conn, artist_id))
    plan = _plan(artist_id, name, setlists, stored, index, CoverSongs(conn, setlists), report.skipped)
    counts, venues = _apply(conn, [plan], today)
    report.writes.update(counts)
    report.details["venues_zone_guessed"] = sum(v.timezone_source in GUESSED_SOURCES for v in venues)
    report.details["covers"] = sum(1 for s in plan.new_songs if s[0] not in set(plan.own_new))
    return guessed_zones(venues)


def _plan(
    artist_id: str,
    name: str,
    setlists: list[Setlist],
    stored: dict[str, store.StoredShow],
    index: SongIndex,
    covers: CoverSongs,
    skipped: Counter[str],
) -> _Plan:
    plan = _Plan(artist_id, name)
    shows = [s.candidate() for s in stored.values()]
    for setlist in setlists:
        played = played_songs(setlist)
        skipped.update({f"{k} song": v for k, v in played.skipped.items()})
        show = match_show(setlist, shows)
        ready = bool(played.songs)
        if show is None:
            show = ShowCandidate(str(uuid.uuid4()), setlist.event_date, venue_name(setlist), None, setlist.id)
            shows.append(show)
            plan.new_shows.append((setlist, show.id))
        else:
            if show.id in stored:  # (a show created above for an earlier setlist is linked already)
                plan.links.append(link(stored[show.id], setlist.id, ready))
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
                    plan.new_songs.append((song_id, song.name, song.cover_artist or ""))
                    covers.add(song_id, song.name, song.cover_artist or "")
            else:
                song_id = index.find(song.name)
                if song_id is None:
                    song_id = str(uuid.uuid4())
                    plan.new_songs.append((song_id, song.name, name))
                    plan.own_new.append(song_id)
                    index.add(song_id, song.name)
            songs.append((song_id, song.notes))
        plan.setlist_rows.append(store.SetlistRow(show.id, artist_id, "actual", setlist.id))
        plan.entries[setlist.id] = songs
    return plan


def _apply(
    conn: psycopg.Connection, plans: Sequence[_Plan], today: date
) -> tuple[dict[str, WriteCounts], list[VenueRow]]:
    """The plans' rows, each table in one statement or two (artists in the order given)."""
    counts: dict[str, WriteCounts] = {}
    counts["venues"], show_counts, venues = create_shows_many(
        conn, [(p.artist_id, p.name, p.new_shows) for p in plans], today
    )
    show_counts += update_by_id(
        conn, "shows", ("id", "setlistfm_id", "setlist_ready"), [r for p in plans for r in p.links]
    )
    counts["shows"] = show_counts
    counts["songs"] = store.insert_songs(conn, [s for p in plans for s in p.new_songs])
    counts["artist_songs"] = store.link_songs_many(conn, [(p.artist_id, s) for p in plans for s in p.own_new])
    counts["setlists"], ids = store.write_setlists(
        conn, [r for p in plans for r in p.setlist_rows], match=("artist_id", "type", "external_id")
    )
    by_external = {(k[0], k[2]): v for k, v in ids.items()}  # (artist_id, setlist.fm id) -> setlists.id
    counts["setlist_songs"] = store.write_setlist_songs(
        conn,
        {
            by_external[(_canonical(p.artist_id), sid)]: songs
            for p in plans
            for sid, songs in p.entries.items()
        },
        played=True,
    )
    return counts, venues


def _canonical(artist_id: str) -> str:
    """The uuid as Postgres prints it (the write's keys come back as text)."""
    return str(uuid.UUID(artist_id))
