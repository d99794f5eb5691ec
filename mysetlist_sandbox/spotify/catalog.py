"""Spotify catalogs expanded from the compact release notation of the data files.

A release lists `tracks` as `"Song"` (the studio recording), `"Song|suffix"` (a version: the Spotify
title is song + suffix, e.g. `"Alive| - Radio Edit"`) or `"Song|suffix|delta_seconds"`; `from` copies
another release's tracks (deluxe editions add `extra`, remasters add a `suffix`); `live: true` marks a
live album (its titles may carry no suffix at all, as on real live albums); `regional_twin: "GB"` adds a
second copy with its own ids sold only in that market (what Spotify returns without `market`).

Each track keeps its ground truth (`song`, `kind`) for the expected counts; the API never shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import ids

# Markets the sandbox knows; a release without a market list is sold in all of them.
MARKETS = ("US", "GB", "CA", "DE", "FR", "NL", "IS", "DK", "IE", "SE", "AU", "MX", "JP")

# The suffix words of external-apis.md, mapped to the kind of recording they mark.
_SUFFIX_KINDS = (
    ("remaster", "remaster"),
    ("karaoke", "karaoke"),
    ("remix", "remix"),
    ("radio edit", "edit"),
    ("acoustic", "acoustic"),
    ("demo", "demo"),
    ("instrumental", "instrumental"),
    ("live", "live"),
)
# Seconds added to the studio duration, per kind, as (low, high): remasters and copies stay within a
# couple of seconds of the original, every other version is clearly different.
_DELTA = {
    "studio": (-1, 1),
    "remaster": (-2, 2),
    "live": (20, 60),
    "remix": (60, 120),
    "edit": (-50, -30),
    "acoustic": (-25, -8),
    "demo": (-35, -10),
    "instrumental": (-1, 1),
    "karaoke": (-1, 1),
}
STUDIO_KINDS = frozenset({"studio", "remaster"})


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    duration_ms: int
    track_number: int
    disc_number: int
    explicit: bool
    isrc: str
    artist_ids: tuple[str, ...]
    album_id: str
    song: str  # ground truth: the studio song this is a recording of
    kind: str  # studio | remaster | live | remix | edit | acoustic | demo | instrumental | karaoke


@dataclass
class Album:
    id: str
    name: str
    album_type: str  # album | single | compilation
    group: str  # album | single | compilation | appears_on (as seen from the owner)
    release_date: str
    precision: str
    artist_ids: tuple[str, ...]
    owner: str  # artist key
    markets: frozenset[str] | None
    label: str
    live: bool
    upc: str
    appears_on: tuple[str, ...] = ()  # other artist keys that list this release as appears_on
    tracks: list[Track] = field(default_factory=list)

    def sold_in(self, market: str | None) -> bool:
        return market is None or self.markets is None or market in self.markets


@dataclass
class SpotifyArtist:
    key: str
    id: str
    name: str
    genres: list[str]
    albums: list[Album] = field(default_factory=list)


def kind_of(suffix: str, live_release: bool) -> str:
    lowered = suffix.lower()
    for word, kind in _SUFFIX_KINDS:
        if word in lowered:
            return kind
    if suffix.strip():
        raise ValueError(f"unknown version suffix {suffix!r}")
    return "live" if live_release else "studio"


def _precision(date: str) -> str:
    return {4: "year", 7: "month", 10: "day"}[len(date)]


def _parse(entry: str | dict[str, Any]) -> tuple[str, str, int | None, str | None]:
    """(song, suffix, delta seconds or None, foreign artist name or None)."""
    if isinstance(entry, dict):
        return entry["title"], "", None, entry["artist"]
    parts = entry.split("|")
    song = parts[0]
    suffix = parts[1] if len(parts) > 1 else ""
    delta = int(parts[2]) if len(parts) > 2 and parts[2] else None
    return song, suffix, delta, None


def build_artist(spec: dict[str, Any], artist_ids_by_key: dict[str, str]) -> SpotifyArtist:
    """Expand one artist's (or decoy's) `spotify` section into albums and tracks."""
    key, sp = spec["key"], spec["spotify"]
    artist = SpotifyArtist(key=key, id=spec["ids"]["spotify"], name=spec["name"], genres=sp.get("genres", []))
    label = sp.get("label", f"{spec['name']} Records")
    by_name: dict[str, list[str | dict[str, Any]]] = {}
    for release in sp.get("releases", []):
        entries = _entries(release, by_name)
        by_name.setdefault(release["name"], entries)
        variants = [(None, "")]
        if release.get("regional_twin"):
            twin = release["regional_twin"]
            variants = [(frozenset(m for m in MARKETS if m != twin), ""), (frozenset({twin}), f"twin:{twin}")]
        for markets, variant in variants:
            artist.albums.append(
                _album(spec, artist, release, entries, markets, variant, label, artist_ids_by_key)
            )
    return artist


def _entries(
    release: dict[str, Any], by_name: dict[str, list[str | dict[str, Any]]]
) -> list[str | dict[str, Any]]:
    if "from" not in release:
        return list(release["tracks"])
    base = [_parse(e)[0] for e in by_name[release["from"]]]
    suffix = release.get("suffix", "")
    return [f"{song}|{suffix}" if suffix else song for song in base] + list(release.get("extra", []))


def _album(
    spec: dict[str, Any],
    artist: SpotifyArtist,
    release: dict[str, Any],
    entries: list[str | dict[str, Any]],
    markets: frozenset[str] | None,
    variant: str,
    label: str,
    artist_ids_by_key: dict[str, str],
) -> Album:
    key = spec["key"]
    album_type = release["type"]
    seed = f"{key}:{album_type}:{release['name']}:{release['date']}:{variant}"
    various = release.get("various_artists", False)
    album_artists = (ids.spotify_id("artist:various-artists"),) if various else (artist.id,)
    album = Album(
        id=ids.spotify_id(f"album:{seed}"),
        name=release["name"],
        album_type=album_type,
        group=release.get("group", album_type),
        release_date=release["date"],
        precision=_precision(release["date"]),
        artist_ids=album_artists,
        owner=key,
        markets=markets,
        label=label,
        live=bool(release.get("live")),
        upc=f"{ids.number('upc:' + seed, 10**11, 10**12 - 1)}",
        appears_on=tuple(release.get("appears_on", ())),
    )
    live_suffix = release.get("suffix", "") if album.live else ""
    for n, entry in enumerate(entries, start=1):
        song, suffix, delta, foreign = _parse(entry)
        suffix = suffix or live_suffix
        kind = kind_of(suffix, album.live)
        track_artists = (ids.spotify_id(f"artist:foreign:{foreign}"),) if foreign else (artist.id,)
        track_artists += tuple(artist_ids_by_key[k] for k in album.appears_on)
        base_ms = ids.duration_ms(f"{key}:{song}")
        low, high = _DELTA[kind]
        shift = (
            delta * 1000 if delta is not None else ids.number(f"delta:{seed}:{n}", low * 1000, high * 1000)
        )
        recording = f"{key}:{song}" if kind == "studio" else f"{seed}:{song}{suffix}"
        album.tracks.append(
            Track(
                id=ids.spotify_id(f"track:{album.id}:{n}"),
                name=song + suffix,
                duration_ms=base_ms + shift,
                track_number=n,
                disc_number=1,
                explicit=ids.number(f"explicit:{key}:{song}", 0, 12) == 0,
                isrc=ids.isrc(recording),
                artist_ids=track_artists,
                album_id=album.id,
                song=song,
                kind=kind if not foreign else "foreign",
            )
        )
    return album
