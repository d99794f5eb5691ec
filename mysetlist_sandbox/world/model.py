"""The world's ground truth: artists, venues, events, setlists and releases as timestamped facts.

Time is counted in minutes from the world's epoch (`start`, 00:00 UTC). Each event carries when it was
announced, when (if ever) it was moved and to which day, when (if ever) it was cancelled; each
setlist when it was posted and when (if ever) edited; each release when it came out. The state at
minute `t` is a pure function of those stamps, so the world never mutates and any day can be asked
about in any order. Generation is one seeded pass in plain Python over compact `array` columns
(100,000 artists: about 0.5 M events in a few seconds and well under 200 MB; the benchmark measures).

Rates are assumptions, not measurements (docs/operations.md): shows per artist per year lognormal
(median ~5), announced 3 weeks to 10 months ahead, 4 % moved, 2 % cancelled, 20 % with a support act
the fleet also knows; 75 % of shows get a setlist, most within a day, 30 % of them edited later;
releases ~1.5 per artist per year.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .. import ids

DAY = 1440
NEVER = 2**31 - 1
SHOW_END_UTC = 23 * 60  # minute of the day by which a show is over (UTC), when setlists can appear

# (country, city, IANA zone, UTC offset hours used for dateTime, lat, lon, state, state code, weight)
CITIES: tuple[tuple[str, str, str, int, float, float, str | None, str | None, int], ...] = (
    ("US", "New York", "America/New_York", -5, 40.71, -74.0, "New York", "NY", 14),
    ("US", "Chicago", "America/Chicago", -6, 41.88, -87.63, "Illinois", "IL", 9),
    ("US", "Los Angeles", "America/Los_Angeles", -8, 34.05, -118.24, "California", "CA", 12),
    ("US", "Nashville", "America/Chicago", -6, 36.16, -86.78, "Tennessee", "TN", 6),
    ("US", "Austin", "America/Chicago", -6, 30.27, -97.74, "Texas", "TX", 6),
    ("GB", "London", "Europe/London", 0, 51.51, -0.13, None, None, 10),
    ("GB", "Manchester", "Europe/London", 0, 53.48, -2.24, None, None, 4),
    ("IE", "Dublin", "Europe/Dublin", 0, 53.35, -6.26, None, None, 3),
    ("DE", "Berlin", "Europe/Berlin", 1, 52.52, 13.4, None, None, 7),
    ("NL", "Amsterdam", "Europe/Amsterdam", 1, 52.37, 4.9, None, None, 5),
    ("FR", "Paris", "Europe/Paris", 1, 48.86, 2.35, None, None, 6),
    ("SE", "Stockholm", "Europe/Stockholm", 1, 59.33, 18.07, None, None, 3),
    ("DK", "Copenhagen", "Europe/Copenhagen", 1, 55.68, 12.57, None, None, 3),
    ("ES", "Madrid", "Europe/Madrid", 1, 40.42, -3.7, None, None, 4),
    ("IT", "Milan", "Europe/Rome", 1, 45.46, 9.19, None, None, 4),
)
COUNTRIES = tuple(dict.fromkeys(c[0] for c in CITIES))


@dataclass(frozen=True)
class WorldConfig:
    artists: int
    seed: int = 15
    start: date = date(2026, 12, 1)
    days: int = 8  # simulated days events are announced over (the benchmark's horizon)
    horizon_days: int = 365  # how far ahead shows are listed
    shows_median_per_year: float = 5.0
    move_rate: float = 0.04
    cancel_rate: float = 0.02
    support_rate: float = 0.2
    setlist_rate: float = 0.75
    edit_rate: float = 0.3
    releases_per_year: float = 1.5


@dataclass(frozen=True)
class Venue:
    index: int
    tm_id: str
    fm_id: str
    name: str
    city: str
    cc: str
    tz: str
    offset_h: int
    lat: float
    lon: float
    state: str | None
    state_code: str | None
    postal: str


class World:
    def __init__(self, config: WorldConfig) -> None:
        self.config = c = config
        rng = random.Random(c.seed)
        self.epoch = datetime(c.start.year, c.start.month, c.start.day, tzinfo=UTC)
        n = c.artists
        self.venues = [_venue(v, rng) for v in range(max(50, n // 25))]
        # Artists: ids are derived from the index (ids.py hashes), names are plain.
        self.spotify_ids = _unique(n, lambda i, k: ids.spotify_id(f"artist:world-{i}{k}"))
        self.tm_ids = _unique(n, lambda i, k: ids.tm_attraction_id(f"world-{i}{k}"))
        self.mbids = _unique(n, lambda i, k: ids.mbid(f"world-{i}{k}"))
        self.by_spotify = {s: i for i, s in enumerate(self.spotify_ids)}
        self.by_tm = {s: i for i, s in enumerate(self.tm_ids)}
        self.by_mbid = {s: i for i, s in enumerate(self.mbids)}
        # Events (columns): artist, support act (-1 none), venue, day, local start minute, announced,
        # moved at / to day, cancelled at; setlist posted / edited at, songs.
        cols = "artist support venue day local announce move_at moved_day cancel_at posted edited songs"
        self.ev: dict[str, array[int]] = {k: array("i") for k in cols.split()}
        self.rel: dict[str, array[int]] = {k: array("i") for k in ["artist", "minute", "tracks", "album"]}
        self.releases_of: list[list[int]] = [[] for _ in range(n)]
        self.events_of: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            self._artist(i, rng)

    # -- generation -----------------------------------------------------------------------------
    def _artist(self, i: int, rng: random.Random) -> None:
        c = self.config
        per_year = rng.lognormvariate(0.0, 0.9) * c.shows_median_per_year
        last_day = c.days + c.horizon_days
        day = -20 + rng.expovariate(per_year / 365.0) * 0.5
        ev = self.ev
        while day < last_day:
            d = int(day)
            announce = (d - rng.randint(21, 300)) * DAY + rng.randrange(DAY)
            if announce < c.days * DAY:  # announced before the simulation ends
                e = len(ev["artist"])
                self.events_of[i].append(e)
                ev["artist"].append(i)
                support = rng.randrange(c.artists) if rng.random() < c.support_rate else -1
                ev["support"].append(support if support != i else -1)
                ev["venue"].append(rng.randrange(len(self.venues)))
                ev["day"].append(d)
                ev["local"].append(rng.choice((1140, 1170, 1200, 1230)))
                ev["announce"].append(announce)
                move_at = cancel_at = NEVER
                moved = d
                roll = rng.random()
                latest = d * DAY - 1
                if roll < c.move_rate and latest > announce:
                    move_at = rng.randint(announce, latest)
                    moved = max(move_at // DAY + 2, d + rng.choice((-1, 1)) * rng.randint(1, 45))
                elif roll < c.move_rate + c.cancel_rate and latest > announce:
                    cancel_at = rng.randint(announce, latest)
                ev["move_at"].append(move_at)
                ev["moved_day"].append(moved)
                ev["cancel_at"].append(cancel_at)
                posted = edited = NEVER
                if cancel_at == NEVER and rng.random() < c.setlist_rate:
                    lag = rng.expovariate(1 / 600) + (rng.uniform(DAY, 4 * DAY) if rng.random() < 0.15 else 0)
                    posted = moved * DAY + SHOW_END_UTC + int(lag)
                    if rng.random() < c.edit_rate:
                        edited = posted + int(rng.expovariate(1 / DAY)) + 1
                ev["posted"].append(posted)
                ev["edited"].append(min(edited, NEVER))
                ev["songs"].append(rng.randint(8, 16))
            day += rng.expovariate(per_year / 365.0)
        # Releases: a back catalog (before the epoch), then new ones at ~releases_per_year.
        rel = self.rel
        stamps = [-rng.randint(30, 3650) * DAY for _ in range(rng.randint(1, 8))]
        t = rng.expovariate(c.releases_per_year / 365.0) * DAY
        while t < c.days * DAY:
            stamps.append(int(t))
            t += rng.expovariate(c.releases_per_year / 365.0) * DAY
        for k, minute in enumerate(sorted(stamps)):
            self.releases_of[i].append(len(rel["artist"]))
            rel["artist"].append(i)
            rel["minute"].append(minute)
            rel["tracks"].append(rng.randint(8, 12) if rng.random() < 0.4 else rng.randint(1, 2))
            rel["album"].append(k)

    # -- state at a minute ----------------------------------------------------------------------
    def minute(self, at: datetime) -> int:
        return int((at - self.epoch).total_seconds() // 60)

    def at(self, minute: int) -> datetime:
        return self.epoch + timedelta(minutes=minute)

    def day_of(self, d: int) -> date:
        return self.config.start + timedelta(days=d)

    def event_day(self, e: int, t: int) -> int:
        return self.ev["moved_day"][e] if self.ev["move_at"][e] <= t else self.ev["day"][e]

    def event_status(self, e: int, t: int) -> str:
        if self.ev["cancel_at"][e] <= t:
            return "cancelled"
        return "rescheduled" if self.ev["move_at"][e] <= t else "onsale"

    def listed(self, e: int, t: int) -> bool:
        """Ticketmaster lists the event at minute t: announced and not yet over (past events drop out)."""
        return self.ev["announce"][e] <= t and self.event_day(e, t) >= (t // DAY) - 1

    def event_start_utc(self, e: int, t: int) -> int:
        """The event's start as a world minute (local time at the venue's fixed offset)."""
        venue = self.venues[self.ev["venue"][e]]
        return self.event_day(e, t) * DAY + self.ev["local"][e] - venue.offset_h * 60

    def setlist_updated(self, e: int, t: int) -> int | None:
        """`lastUpdated` of the event's setlist as seen at minute t (None: not posted yet)."""
        posted, edited = self.ev["posted"][e], self.ev["edited"][e]
        if posted > t:
            return None
        return edited if edited <= t else posted

    def release_out(self, r: int, t: int) -> bool:
        return self.rel["minute"][r] <= t

    # -- ids and names --------------------------------------------------------------------------
    def event_id(self, e: int) -> str:
        return ids.tm_event_id(f"world:{e}")

    def setlist_id(self, e: int) -> str:
        return ids.hexid(f"world-setlist:{e}")

    def album_id(self, r: int) -> str:
        return ids.spotify_id(f"album:world:{r}")

    def track_id(self, r: int, n: int) -> str:
        return ids.spotify_id(f"track:world:{r}:{n}")

    @staticmethod
    def artist_name(i: int) -> str:
        return f"World Artist {i:06d}"

    @staticmethod
    def song_name(i: int, k: int) -> str:
        return f"World {i:06d} Song {k:02d}"

    def release_name(self, r: int) -> str:
        i = self.rel["artist"][r]
        kind = "LP" if self.rel["tracks"][r] > 2 else "Single"
        return f"World {i:06d} {kind} {self.rel['album'][r] + 1}"

    def release_song(self, r: int, n: int) -> str:
        """Track n (1-based) of release r: songs are numbered across the artist's releases."""
        i = self.rel["artist"][r]
        first = sum(self.rel["tracks"][x] for x in self.releases_of[i] if x < r)
        return self.song_name(i, first + n)

    def setlist_songs(self, e: int) -> list[str]:
        i = self.ev["artist"][e]
        known = sum(self.rel["tracks"][r] for r in self.releases_of[i] if self.rel["minute"][r] < 0)
        rng = random.Random(e)
        count = self.ev["songs"][e]
        picks = [rng.randint(1, max(1, known)) for _ in range(count)]
        return [self.song_name(i, k) for k in dict.fromkeys(picks)]


def _unique(n: int, make: Callable[[int, str], str]) -> list[str]:
    """n ids, re-drawn where the short id spaces (Ticketmaster's) collide at this size."""
    out: list[str] = []
    taken: set[str] = set()
    for i in range(n):
        k, value = 0, make(i, "")
        while value in taken:
            k += 1
            value = make(i, f"#{k}")
        taken.add(value)
        out.append(value)
    return out


def _venue(v: int, rng: random.Random) -> Venue:
    weights = [c[8] for c in CITIES]
    cc, city, tz, offset, lat, lon, state, code, _ = rng.choices(CITIES, weights)[0]
    return Venue(
        index=v,
        tm_id=ids.tm_venue_id(f"world-venue-{v}"),
        fm_id=ids.hexid(f"world-fm-venue:{v}"),
        name=f"{city} Hall {v}",
        city=city,
        cc=cc,
        tz=tz,
        offset_h=offset,
        lat=round(lat + rng.uniform(-0.1, 0.1), 5),
        lon=round(lon + rng.uniform(-0.1, 0.1), 5),
        state=state,
        state_code=code,
        postal=f"{rng.randint(10000, 99999)}",
    )
