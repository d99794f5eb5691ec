"""setlist.fm's side of the data: artists and setlists with dates resolved against `today`.

A set is a list of songs, or `{"name": ..., "encore": n, "songs": [...]}`. A song is `"Title"` plus
optional `|tape`, `|cover:Original Artist`, `|with:Guest Artist`, `|info:text` flags; an empty title
is allowed (setlist.fm has those). `series` generates a long, regular history from a song pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .. import ids
from ..ticketmaster.events import Venue


@dataclass(frozen=True)
class FmArtist:
    mbid: str
    key: str
    name: str
    sort_name: str
    disambiguation: str


@dataclass(frozen=True)
class Song:
    name: str
    info: str | None = None
    tape: bool = False
    cover: str | None = None  # original artist's name
    with_: str | None = None  # guest's name


@dataclass(frozen=True)
class SetPart:
    name: str | None
    encore: int | None
    songs: tuple[Song, ...]


@dataclass
class Setlist:
    id: str
    version_id: str
    key: str
    artist_mbid: str
    event_date: date
    last_updated: datetime
    venue: Venue
    tour: str | None
    info: str | None
    sets: list[SetPart] = field(default_factory=list)


def parse_song(text: str) -> Song:
    name, *flags = text.split("|")
    kw: dict[str, Any] = {}
    for flag in flags:
        if flag == "tape":
            kw["tape"] = True
        elif flag.startswith("cover:"):
            kw["cover"] = flag[6:]
        elif flag.startswith("with:"):
            kw["with_"] = flag[5:]
        elif flag.startswith("info:"):
            kw["info"] = flag[5:]
        else:
            raise ValueError(f"unknown setlist song flag {flag!r} in {text!r}")
    return Song(name=name, **kw)


def parse_sets(sets: list[Any]) -> list[SetPart]:
    parts = []
    for s in sets:
        if isinstance(s, list):
            parts.append(SetPart(None, None, tuple(parse_song(x) for x in s)))
        else:
            parts.append(SetPart(s.get("name"), s.get("encore"), tuple(parse_song(x) for x in s["songs"])))
    return parts


def series_entries(series: dict[str, Any]) -> list[dict[str, Any]]:
    """A regular touring history: every `every` days back from `first_day`, songs rotating through
    `pool`, a tape intro every `tape_every` shows, a cover every `cover_every`, no songs yet on every
    `empty_every`-th."""
    pool, main, encore = series["pool"], series["main"], series["encore"]
    if main + encore > len(pool):
        raise ValueError("series pool too small for distinct songs per setlist")
    out = []
    for i in range(series["count"]):
        entry: dict[str, Any] = {
            "day": series["first_day"] - i * series["every"],
            "venue": series["venues"][i % len(series["venues"])],
            "tour": series.get("tour"),
        }
        empty_every = series.get("empty_every", 0)
        if empty_every and i % empty_every == empty_every - 1:
            entry["sets"] = []
            out.append(entry)
            continue
        start = (i * 5) % len(pool)
        picks = [pool[(start + j) % len(pool)] for j in range(main + encore)]
        main_set = picks[:main]
        if series.get("tape_every") and i % series["tape_every"] == 0:
            main_set = [f"{series['tape']}|tape", *main_set]
        if series.get("cover_every") and i % series["cover_every"] == 1:
            title, original = series["cover"]
            main_set = [*main_set, f"{title}|cover:{original}"]
        entry["sets"] = [main_set, {"encore": 1, "songs": picks[main:]}] if encore else [main_set]
        out.append(entry)
    return out


def build_setlists(spec: dict[str, Any], today: date, venues: dict[str, Venue]) -> list[Setlist]:
    fm = spec["setlistfm"]
    entries = list(fm.get("setlists", []))
    if fm.get("series"):
        entries += series_entries(fm["series"])
    out = []
    for n, entry in enumerate(entries):
        event_date = today + timedelta(days=entry["day"])
        seed = f"{spec['key']}:{n}:{entry['day']}:{entry['venue']}"
        if "edited" in entry:
            updated = datetime.combine(today + timedelta(days=entry["edited"]), time(12, 0), UTC)
        else:
            updated = datetime.combine(event_date, time(23, 0), UTC)
        out.append(
            Setlist(
                id=ids.hexid(f"setlist:{seed}"),
                version_id="g" + ids.hexid(f"version:{seed}"),
                key=spec["key"],
                artist_mbid=spec["ids"]["mbid"],
                event_date=event_date,
                last_updated=updated,
                venue=venues[entry["venue"]],
                tour=entry.get("tour"),
                info=entry.get("info"),
                sets=parse_sets(entry["sets"]),
            )
        )
    return out
