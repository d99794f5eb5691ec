"""An artist's studio songs from its Spotify releases: the live/remix filter and de-duplication.

Decision (documented in the README): songs that are not studio songs are **dropped**, not stored with
`is_live`/`is_remix` set. The app lists `songs` through `artist_songs` without filtering those flags, and
a dropped live album also costs no `GET /albums/{id}` call. What was dropped, and why, is counted in the
catalog asset's metadata; the flags stay false on every row this project writes.

Rules (external-apis.md):
- releases: groups album and single only; live albums ("Live at ...", "(Live)", "Unplugged", "... Live",
  "Chicago Live '83") are skipped whole, without fetching their tracks, and so are live albums named in
  other languages ("Amor Atual (Ao Vivo)", "XX Años (En Vivo)", "Motta dal Vivo", "À l'Olympia 89": the
  `live` markers of catalog_markers.json, last, opening a bracket or after a dash);
- other languages: the markers in `catalog_markers.json` (German, Spanish, Portuguese, French, Italian,
  Dutch, Swedish, Polish, Japanese: "Akustik Version", "En Vivo", "Ao Vivo", "Na Żywo", "ライブ", ...)
  count the same way, as a suffix only ("Vivo por ella" stays); a localized remaster ("Remasterizado")
  is a remaster: kept and merged;
- tracks: a version suffix (" - Live", "(Live from ...)", " - Radio Edit", "(... Remix)", " - Acoustic",
  " - Demo", " - Instrumental", "(Karaoke Version)", and Japanese " -Instrumental-" / " ~Acoustic version~")
  marks a non-studio song; only suffixes count, so
  "Alive", "Live Forever" and "Oliver" stay. A remaster is the studio song again: kept, and merged;
- duplicates: the same song on album, single, deluxe and remaster is one song: same title once brackets
  and version suffixes are dropped, and durations within `DUPLICATE_TOLERANCE_MS`, or the very same
  normalized title. The original album release is preferred.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from ..text import normalize_name

DUPLICATE_TOLERANCE_MS = 5_000
STUDIO_GROUPS = ("album", "single")

_BRACKETS = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]")
_DASH_SUFFIX = re.compile(r"\s+[-\u2013\u2014]\s+(.+)$")
# Japanese catalogs wrap the version in dashes or tildes: "奏 (かなで) -Instrumental-",
# "冬の幻 ~Acoustic version~" (full-width and wave-dash forms too).
_WRAPPED_SUFFIX = re.compile(r"\s[-~\u301c\uff5e]\s?([^-~\u301c\uff5e]+?)\s?[-~\u301c\uff5e]\s*$")
_EXCLUDED_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("live", re.compile(r"^live\b|\blive\s+(at|from|in|on|version|session|recording)\b|\blive$", re.I)),
    # "Mono Mix"/"Stereo Mix" are remaster-like; only remix-style mixes are excluded.
    ("remix", re.compile(r"\bre-?mix(ed)?\b|\brmx\b|\b(club|extended|dub|dance|vip|radio)\s+mix\b", re.I)),
    ("edit", re.compile(r"\bedit\b", re.I)),
    ("acoustic", re.compile(r"\bacoustic\b", re.I)),
    ("demo", re.compile(r"\bdemo\b", re.I)),
    ("instrumental", re.compile(r"\binstrumental\b", re.I)),
    ("karaoke", re.compile(r"\bkaraoke\b", re.I)),
)
_REMASTER = re.compile(r"\bre-?master(ed)?\b", re.I)
# Words that make a " - ..." suffix a version marker rather than part of the title ("Part 1 - Intro").
_VERSION_WORDS = re.compile(
    r"\b(re-?master(ed)?|version|mono|stereo|mix|edit|live|single|album|bonus|deluxe|feat\.?|ft\.?"
    r"|with|from|anniversary|acoustic|demo|instrumental|karaoke|remix|\d{4})\b",
    re.I,
)
_LIVE_RELEASE = re.compile(
    r"^live\s+(at|from|in|on)\b|[\(\[]\s*live\b[^\)\]]*[\)\]]|\bunplugged\b|\s[-\u2013\u2014]\s+live\b"
    # "Live" last, maybe with its year or medium: "Chicago Live \u201983", "... LIVE 2006", "TOUR『2012』LIVE CD".
    r"|\blive(\s*['\u2019]?\d{2,4}|\s+(cd|dvd))?$|\blive\s+(at|from|in)\s",
    re.I,
)
_MARKERS_FILE = Path(__file__).with_name("catalog_markers.json")


@cache
def localized_markers() -> dict[str, re.Pattern[str]]:
    """kind -> one pattern of every language's markers of that kind (catalog_markers.json), loaded once.
    The vocabulary is data so a new language is a table edit, not a longer regex."""
    data = json.loads(_MARKERS_FILE.read_text(encoding="utf-8"))["languages"]
    parts: dict[str, list[str]] = {}
    for table in data.values():
        boundary = bool(table.get("boundary", True))
        for kind, words in table.items():
            if kind in ("boundary", "live_release"):
                continue
            for word in words:
                text = re.escape(word)
                parts.setdefault(kind, []).append(rf"(?<!\w){text}(?!\w)" if boundary else text)
    return {kind: re.compile("|".join(alts), re.I) for kind, alts in parts.items()}


@cache
def localized_live_release() -> re.Pattern[str]:
    """Every language's live markers (and its `live_release` extras) where a release name uses them:
    last (a year may follow), opening a bracket, or after a dash. Not anywhere: "Ao Vivo e a Cores"
    or "ラブライブ!" must not read as live albums."""
    data = json.loads(_MARKERS_FILE.read_text(encoding="utf-8"))["languages"]
    alts: list[str] = []
    for table in data.values():
        boundary = bool(table.get("boundary", True))
        for word in [*table.get("live", []), *table.get("live_release", [])]:
            text = re.escape(word)
            before = r"(?:^|(?<=[\s/]))" if boundary else ""
            alts.append(rf"{before}{text}(?:\s*['\u2019]?\d{{2,4}})?\s*[\)\]]?\s*$")  # last
            alts.append(rf"[\(\[]\s*{text}(?!\w)")  # opening a bracket
            alts.append(rf"\s[-\u2013\u2014]\s+{text}(?!\w)")  # after a dash
    return re.compile("|".join(alts), re.I)


def _localized_kind(suffix: str) -> str | None:
    for kind, pattern in localized_markers().items():
        if pattern.search(suffix):
            return kind
    return None


_EDITION = re.compile(r"\b(deluxe|expanded|anniversary|re-?master(ed)?|edition|bonus|special)\b", re.I)


@dataclass(frozen=True)
class Release:
    """A simplified Spotify album."""

    id: str
    name: str
    album_type: str
    release_date: str | None = None
    total_tracks: int = 0
    image_url: str | None = None


@dataclass(frozen=True)
class Track:
    """A simplified Spotify track, with the release it came from."""

    id: str
    name: str
    duration_ms: int | None
    release: Release
    track_number: int | None = None
    disc_number: int | None = None
    explicit: bool = False
    artist_ids: tuple[str, ...] = ()
    artist_name: str = ""
    uri: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class StoredSong:
    """A song of the artist already in the database (spotify_id is None for setlist-created songs)."""

    id: str
    name: str
    spotify_id: str | None
    duration_ms: int | None
    album_type: str | None
    album_name: str | None
    release_date: date | None


@dataclass(frozen=True)
class CatalogSong:
    """One song to write: the preferred track of its group, and the existing row it updates, if any."""

    track: Track
    song_id: str | None
    merged: tuple[str, ...]  # spotify ids of the duplicates it stands for


def excluded_kind(title: str) -> str | None:
    """'live', 'remix', 'edit', 'acoustic', 'demo', 'instrumental' or 'karaoke' when a version suffix
    says the track is not the studio song; None for studio songs (remasters included)."""
    for suffix in _suffixes(title):
        for kind, pattern in _EXCLUDED_KINDS:
            if pattern.search(suffix):
                return kind
        kind = _localized_kind(suffix)
        if kind is not None and kind != "remaster":
            return kind
    return None


def is_remaster(title: str) -> bool:
    return any(_REMASTER.search(s) or _localized_kind(s) == "remaster" for s in _suffixes(title))


def is_live_release(name: str) -> bool:
    text = " ".join(name.split())
    return bool(_LIVE_RELEASE.search(text) or localized_live_release().search(text))


def song_key(title: str) -> str:
    """The title with brackets and version suffixes dropped, normalized: the de-duplication key."""
    text = _BRACKETS.sub(" ", title)
    wrapped = _WRAPPED_SUFFIX.search(text)
    if wrapped and (_VERSION_WORDS.search(wrapped.group(1)) or _localized_kind(wrapped.group(1))):
        text = text[: wrapped.start()]
    match = _DASH_SUFFIX.search(text)
    if match and (_VERSION_WORDS.search(match.group(1)) or _localized_kind(match.group(1))):
        text = text[: match.start()]
    return normalize_name(text) or normalize_name(title)


def parse_release_date(value: str | None) -> date | None:
    """Spotify's "1981" | "1981-12" | "1981-12-15" -> a date (first day of the year or month)."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")[:3] if p.isdigit()]
    if not parts or parts[0] < 1000:
        return None
    try:
        return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None


def dedupe(tracks: Iterable[Track], stored: Sequence[StoredSong] = ()) -> list[CatalogSong]:
    """Group `tracks` (studio songs only) with each other and with the artist's `stored` songs.

    A group that contains a stored song keeps that row (its id), so votes and setlists pointing at it
    survive; its fields follow the group's preferred track, unless the stored song is itself preferred
    (nothing to write then). Groups are returned in catalog order (release date, disc, track)."""
    groups: dict[str, list[list[_Item]]] = {}
    items = [_Item.of_stored(s) for s in stored] + [_Item.of_track(t) for t in tracks]
    for item in sorted(items, key=_Item.preference):
        clusters = groups.setdefault(item.key, [])
        home = next((c for c in clusters if any(item.same_song(m) for m in c)), None)
        if home is None:
            clusters.append([item])
        else:
            home.append(item)
    result: list[CatalogSong] = []
    for clusters in groups.values():
        for cluster in clusters:
            best = cluster[0]
            existing = next((m.stored for m in cluster if m.stored is not None), None)
            if best.track is None:
                continue  # the stored row is already the preferred version
            if existing is not None and existing.spotify_id == best.track.id:
                continue
            merged = tuple(m.track.id for m in cluster[1:] if m.track is not None)
            result.append(CatalogSong(best.track, existing.id if existing else None, merged))
    return sorted(result, key=lambda s: catalog_order(s.track))


def catalog_order(track: Track) -> tuple[date, int, int, str]:
    released = parse_release_date(track.release.release_date) or date.max
    return (released, track.disc_number or 1, track.track_number or 0, track.id)


def _suffixes(title: str) -> list[str]:
    found = [m.group(1) for m in _BRACKETS.finditer(title)]
    dash = _DASH_SUFFIX.search(title)
    if dash:
        found.append(dash.group(1))
    wrapped = _WRAPPED_SUFFIX.search(title)
    if wrapped:
        found.append(wrapped.group(1))
    return [s.strip() for s in found if s.strip()]


@dataclass
class _Item:
    key: str
    full: str
    duration_ms: int | None
    album_type: str
    edition: bool
    released: date
    order: tuple[int, int, str]
    track: Track | None = None
    stored: StoredSong | None = None

    @classmethod
    def of_track(cls, t: Track) -> _Item:
        return cls(
            song_key(t.name),
            normalize_name(t.name),
            t.duration_ms,
            t.release.album_type,
            bool(_EDITION.search(t.release.name)) or is_remaster(t.name),
            parse_release_date(t.release.release_date) or date.max,
            (t.disc_number or 1, t.track_number or 0, t.id),
            track=t,
        )

    @classmethod
    def of_stored(cls, s: StoredSong) -> _Item:
        return cls(
            song_key(s.name),
            normalize_name(s.name),
            s.duration_ms,
            s.album_type or "",
            bool(_EDITION.search(s.album_name or "")) or is_remaster(s.name),
            s.release_date or date.max,
            (0, 0, s.spotify_id or s.id),
            stored=s,
        )

    def preference(self) -> tuple[int, int, int, date, tuple[int, int, str]]:
        # Original album first: albums over singles, plain editions over deluxe/remaster, then the
        # earliest release; a setlist-created row (no Spotify data) comes last.
        no_data = self.stored is not None and self.stored.spotify_id is None
        return (int(no_data), int(self.album_type != "album"), int(self.edition), self.released, self.order)

    def same_song(self, other: _Item) -> bool:
        if self.full == other.full:
            return True
        if self.duration_ms is None or other.duration_ms is None:
            return True  # a setlist-created song has no duration: the title key alone decides
        return abs(self.duration_ms - other.duration_ms) <= DUPLICATE_TOLERANCE_MS
