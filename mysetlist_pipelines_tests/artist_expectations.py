"""What the app's tables must hold after importing one sandbox artist, derived from the sandbox's own
ground truth (sandbox.dataset / sandbox.expected: each track's real song and kind, each event's venue,
each setlist's songs), never from the pipeline's code or its output.

The rules applied here are the documented ones (README "Assets and jobs"): events from 30 days ago on
plus date-less ones; setlists of the last 3 years, at most 5 pages; a setlist belongs to the event of
the same date at the same venue, else to a show created for it; tape and nameless songs are not songs
played; covers are songs of their original artist; a setlist without songs gets no setlists row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mysetlist_sandbox.dataset import Dataset
from mysetlist_sandbox.expected import studio_songs

PAST_DAYS = 30
YEARS_BACK = 3
MAX_SETLISTS = 5 * 20


@dataclass(frozen=True)
class Expected:
    key: str
    name: str
    spotify_matched: bool
    catalog_songs: int  # studio songs from Spotify
    setlist_only_songs: int  # the artist's songs played but not in its catalog
    cover_songs: int  # songs of other artists it covered
    shows: int
    upcoming_shows: int
    cancelled_shows: int
    venues: int
    setlists: int
    setlist_songs: int
    empty_setlists: int
    predicted: int  # upcoming shows that get a predicted setlist

    @property
    def artist_songs(self) -> int:
        return self.catalog_songs + self.setlist_only_songs


def expected(ds: Dataset, key: str, today: date, *, spotify_matched: bool = True) -> Expected:
    ref = ds.refs_by_key[key]
    live = ds.live(today)
    events = [
        e
        for e in live.events
        if ref.tm_attraction_id in e.attraction_ids
        and (e.local_date is None or e.local_date >= today - timedelta(days=PAST_DAYS))
    ]
    setlists = [
        s
        for s in live.setlists_by_mbid.get(ref.mbid, [])
        if s.event_date >= today - timedelta(days=365 * YEARS_BACK)
    ]
    setlists = setlists[:MAX_SETLISTS]

    taken: set[str] = set()
    created = 0
    venue_keys = {e.venue.key for e in events}
    for sl in setlists:
        venue_keys.add(sl.venue.key)
        match = next(
            (
                e
                for e in events
                if e.id not in taken and e.local_date == sl.event_date and e.venue.key == sl.venue.key
            ),
            None,
        )
        if match is None:
            created += 1
        else:
            taken.add(match.id)

    def played(sl):  # type: ignore[no-untyped-def]
        return [s for part in sl.sets for s in part.songs if not s.tape and s.name.strip()]

    with_songs = [sl for sl in setlists if played(sl)]
    catalog = studio_songs(ds, ref.spotify_id) if spotify_matched else set()
    own = {s.name for sl in with_songs for s in played(sl) if not s.cover}
    covers = {(s.name, s.cover) for sl in with_songs for s in played(sl) if s.cover}
    cancelled = [e for e in events if e.status in ("canceled", "cancelled")]
    upcoming = [e for e in events if e not in cancelled and (e.local_date is None or e.local_date >= today)]
    songs_known = bool(catalog or own or covers)
    return Expected(
        key=key,
        name=ref.name,
        spotify_matched=spotify_matched,
        catalog_songs=len(catalog),
        setlist_only_songs=len(own - catalog),
        cover_songs=len(covers),
        shows=len(events) + created,
        upcoming_shows=len(upcoming),
        cancelled_shows=len(cancelled),
        venues=len(venue_keys),
        setlists=len(with_songs),
        setlist_songs=sum(len(played(sl)) for sl in with_songs),
        empty_setlists=len(setlists) - len(with_songs),
        predicted=len(upcoming) if songs_known else 0,
    )
