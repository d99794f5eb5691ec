"""The plain records the setlist rules work on: a setlist.fm setlist (sets, songs, venue) as the rules
see it, the songs played that come out of it, a stored show as the matcher sees it; and setlist.fm's
event-date form read as a date.

Apart from the rules (setlist_songs.py, encores.py, show_matching.py) because the adapters, the setlists
step, the setlists writer and the setlist.fm feed pass these records around without the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class SetlistSong:
    name: str
    info: str | None = None
    tape: bool = False
    cover_name: str | None = None
    cover_mbid: str | None = None
    with_name: str | None = None


@dataclass(frozen=True)
class SetlistSet:
    songs: tuple[SetlistSong, ...]
    name: str | None = None
    encore: int | None = None


@dataclass(frozen=True)
class SetlistVenue:
    name: str
    city: str | None = None
    state: str | None = None
    country_code: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    id: str | None = None


@dataclass(frozen=True)
class Setlist:
    id: str
    event_date: date
    venue: SetlistVenue | None
    sets: tuple[SetlistSet, ...] = ()
    version_id: str | None = None
    tour: str | None = None
    url: str | None = None
    artist_name: str | None = None


@dataclass(frozen=True)
class PlayedSong:
    position: int
    name: str
    notes: str | None
    cover_artist: str | None = None
    cover_mbid: str | None = None

    @property
    def is_cover(self) -> bool:
        return self.cover_artist is not None


@dataclass(frozen=True)
class Played:
    songs: tuple[PlayedSong, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)  # reason -> count


@dataclass(frozen=True)
class ShowCandidate:
    """A show of the artist already stored, as the matcher sees it."""

    id: str
    date: date | None
    venue_name: str | None
    city: str | None
    setlistfm_id: str | None = None


def parse_event_date(value: str) -> date:
    """setlist.fm's `dd-MM-yyyy`."""
    return datetime.strptime(value.strip(), "%d-%m-%Y").date()
