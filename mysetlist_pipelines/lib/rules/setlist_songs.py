"""setlist.fm setlists -> songs played, shows matched (the predictions from them: predictions.py).

Played songs: every song of every set in order (main sets, then encores, as setlist.fm nests them),
numbered from 1. A tape song (intro/outro from tape) is not a song played and is left out; a song with
an empty name is left out; a cover is kept, noted ("cover (Original Artist)") and never matched to the
performer's own catalog. Encores are noted ("encore", "encore 2"): a set with setlist.fm's `encore`
number, or a set only *named* so ("Encore", "Encore:", "Encore 2", "Zugabe", "Bis", "Rappel", ...: the
editors of many setlists, Phish's among them, type the name and leave the number out); a named encore
without a number follows the previous encore of the setlist (1 for the first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ..text import normalize_name
from .version_markers import song_key

# What setlist.fm editors call an encore set, in the languages of the sites' users: English/French
# "encore", German "Zugabe(n)", Spanish/Portuguese/Italian/Polish "bis", French "rappel", Dutch "toegift",
# Swedish "extranummer", Danish/Norwegian "ekstranummer", Finnish "encore", Czech "přídavek",
# Japanese "アンコール". Matched whole (with an optional number, ordinal or colon), so a set named
# "Encore of the Night Tour" or "Bissau" is not one.
ENCORE_WORDS = (
    "encore", "encores", "zugabe", "zugaben", "bis", "rappel", "toegift", "toegiften", "extranummer",
    "ekstranummer", "přídavek", "pridavek", "アンコール",
)  # fmt: skip
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ENCORE_NAME = re.compile(
    r"^(?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+)?"
    r"(?P<word>" + "|".join(map(re.escape, ENCORE_WORDS)) + r")"
    r"(?:\s*(?:#|no\.?|nr\.?)?\s*(?P<num>\d{1,2}))?\s*[:.\-\u2013]?\s*$",
    re.I,
)


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


def named_encore(name: str | None) -> int | None:
    """The encore number a set's name gives (0: an encore without a number), None for other sets."""
    match = _ENCORE_NAME.match((name or "").strip())
    if match is None:
        return None
    if match["num"]:
        return int(match["num"])
    return _ORDINALS.get((match["ord"] or "").lower(), 0)


def encore_numbers(sets: Sequence[SetlistSet]) -> list[int]:
    """Per set: 0 for a main set, else its encore number (setlist.fm's, else its name's, else the one
    after the previous encore)."""
    numbers: list[int] = []
    last = 0
    for one_set in sets:
        number = one_set.encore or 0
        if not number:
            named = named_encore(one_set.name)
            number = 0 if named is None else (named or last + 1)
        last = max(last, number)
        numbers.append(number)
    return numbers


def played_songs(setlist: Setlist) -> Played:
    songs: list[PlayedSong] = []
    skipped: dict[str, int] = {}
    for one_set, encore in zip(setlist.sets, encore_numbers(setlist.sets), strict=True):
        for song in one_set.songs:
            if song.tape:
                skipped["tape"] = skipped.get("tape", 0) + 1
                continue
            name = (song.name or "").strip()
            if not name:
                skipped["empty name"] = skipped.get("empty name", 0) + 1
                continue
            notes: list[str] = []
            if encore:
                notes.append("encore" if encore == 1 else f"encore {encore}")
            if song.cover_name:
                notes.append(f"cover ({song.cover_name})")
            if song.with_name:
                notes.append(f"with {song.with_name}")
            if song.info and song.info.strip():
                notes.append(song.info.strip())
            songs.append(
                PlayedSong(
                    len(songs) + 1,
                    name,
                    "; ".join(notes) or None,
                    song.cover_name.strip() if song.cover_name else None,
                    song.cover_mbid,
                )
            )
    return Played(tuple(songs), skipped)


def match_show(setlist: Setlist, shows: Iterable[ShowCandidate]) -> ShowCandidate | None:
    """The stored show this setlist belongs to: same date, and the same venue name or city.

    A show already linked to this setlist wins; then a venue-name match over a city-only match; a show
    linked to another setlist of the same date (two shows in a day) is not taken."""
    same_day = [s for s in shows if s.date == setlist.event_date]
    linked = [s for s in same_day if s.setlistfm_id == setlist.id]
    if linked:
        return linked[0]
    free = [s for s in same_day if s.setlistfm_id is None]
    venue = setlist.venue
    if venue is None:
        return free[0] if len(free) == 1 else None
    by_venue = [
        s for s in free if s.venue_name and normalize_name(s.venue_name) == normalize_name(venue.name)
    ]
    if by_venue:
        return by_venue[0]
    city = normalize_name(venue.city or "")
    by_city = [s for s in free if city and s.city and normalize_name(s.city) == city]
    return by_city[0] if by_city else None


class SongIndex:
    """The artist's own songs by normalized title, then by de-duplication key, then by that key without
    spaces ("Don't" and "Dont" are written both ways on setlist.fm); first in catalog order wins."""

    def __init__(self, songs: Iterable[tuple[str, str]]) -> None:
        self._tiers: tuple[dict[str, str], ...] = ({}, {}, {})
        for song_id, name in songs:
            self.add(song_id, name)

    def add(self, song_id: str, name: str) -> None:
        for tier, key in zip(self._tiers, _keys(name), strict=True):
            if key:
                tier.setdefault(key, song_id)

    def find(self, name: str) -> str | None:
        for tier, key in zip(self._tiers, _keys(name), strict=True):
            if key and key in tier:
                return tier[key]
        return None


def _keys(name: str) -> tuple[str, str, str]:
    key = song_key(name)
    return normalize_name(name), key, key.replace(" ", "")
