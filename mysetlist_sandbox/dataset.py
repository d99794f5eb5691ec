"""The sandbox's world: bundled artists (data/artist-*.json), decoys, venues and synthetic artists.

The Spotify catalog does not depend on the date and is built once; Ticketmaster events and setlist.fm
setlists are stored as day offsets and resolved per `today` (cached), so upcoming stays upcoming.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import ids
from .setlistfm.setlists import FmArtist, Setlist, build_setlists
from .spotify.catalog import Album, SpotifyArtist, Track, build_artist
from .synthetic import synthetic_spec
from .ticketmaster.events import Attraction, Event, Venue, build_attraction, build_events, build_venue

DATA_DIR = Path(__file__).parent / "data"
GROUP_ORDER = {"album": 0, "single": 1, "compilation": 2, "appears_on": 3}


@dataclass(frozen=True)
class ArtistRef:
    """One artist's ids across the three services (what tests, benchmarks and the demo look up)."""

    key: str
    name: str
    spotify_id: str
    tm_attraction_id: str
    mbid: str
    synthetic: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "spotify_id": self.spotify_id,
            "tm_attraction_id": self.tm_attraction_id,
            "mbid": self.mbid,
            "synthetic": self.synthetic,
        }


def _load(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def bundled_specs() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA_DIR.glob("artist-*.json"))]


class Catalog:
    """Spotify: artists, albums and tracks by id, and each artist's (group, album) list."""

    def __init__(self, specs: list[dict[str, Any]], decoys: list[dict[str, Any]]) -> None:
        self.artists: dict[str, SpotifyArtist] = {}
        self.albums: dict[str, Album] = {}
        self.tracks: dict[str, Track] = {}
        self.artist_albums: dict[str, list[tuple[str, Album]]] = {}
        key_to_id = {s["key"]: s["ids"]["spotify"] for s in specs}
        all_specs = specs + [
            {"key": d["key"], "name": d["name"], "ids": {"spotify": d["id"]}, "spotify": d} for d in decoys
        ]
        for spec in all_specs:
            artist = build_artist(spec, key_to_id)
            self.artists[artist.id] = artist
            self._foreign(spec)
            for album in artist.albums:
                self.albums[album.id] = album
                self.tracks.update((t.id, t) for t in album.tracks)
                self.artist_albums.setdefault(artist.id, []).append((album.group, album))
                for other in album.appears_on:
                    self.artist_albums.setdefault(key_to_id[other], []).append(("appears_on", album))
        for listing in self.artist_albums.values():
            listing.sort(
                key=lambda ga: (GROUP_ORDER[ga[0]], _neg_date(ga[1].release_date), ga[1].name, ga[1].id)
            )

    def _foreign(self, spec: dict[str, Any]) -> None:
        """Artists that only appear on tracks (compilations): real enough to look up, no catalog."""
        names = {"Various Artists": ids.spotify_id("artist:various-artists")}
        for release in spec["spotify"].get("releases", []):
            for entry in release.get("tracks", []):
                if isinstance(entry, dict):
                    names[entry["artist"]] = ids.spotify_id(f"artist:foreign:{entry['artist']}")
        for name, artist_id in names.items():
            self.artists.setdefault(
                artist_id, SpotifyArtist(key=ids.slug(name), id=artist_id, name=name, genres=[])
            )


def _neg_date(release_date: str) -> tuple[int, ...]:
    parts = [int(p) for p in release_date.split("-")] + [0, 0]
    return tuple(-p for p in parts[:3])


class Live:
    """Ticketmaster and setlist.fm for one `today`."""

    def __init__(
        self, today: date, specs: list[dict[str, Any]], decoys: dict[str, Any], venue_specs: list[Any]
    ):
        self.today = today
        self.venues: dict[str, Venue] = {v["key"]: build_venue(v) for v in venue_specs}
        self.venues_by_tm_id = {v.tm_id: v for v in self.venues.values() if v.tm_id}
        decoy_attractions = [
            {
                "key": d["key"],
                "name": d["name"],
                "ids": {"ticketmaster": d["id"], "spotify": "", "mbid": ""},
                "ticketmaster": {"genre": d.get("genre", "Rock"), "links": d.get("links")},
            }
            for d in decoys.get("ticketmaster", [])
        ]
        self.attractions: dict[str, Attraction] = {}
        for spec in specs + decoy_attractions:
            attraction = build_attraction(spec)
            self.attractions[attraction.id] = attraction
        key_to_tm = {a.key: a.id for a in self.attractions.values()}
        self.events: list[Event] = []
        for spec in specs:
            self.events += build_events(spec, today, self.venues, key_to_tm)
        self.events_by_id = {e.id: e for e in self.events}
        # upcomingEvents._total of every attraction and venue, counted once rather than per answer.
        self.upcoming_by_attraction: Counter[str] = Counter()
        self.upcoming_by_venue: Counter[str] = Counter()
        for e in self.events:
            if self.upcoming(e):
                self.upcoming_by_attraction.update(set(e.attraction_ids))
                self.upcoming_by_venue[e.venue.key] += 1
        self.fm_artists: dict[str, FmArtist] = {}
        for spec in specs:
            fm = spec["setlistfm"]
            self.fm_artists[spec["ids"]["mbid"]] = FmArtist(
                spec["ids"]["mbid"],
                spec["key"],
                spec["name"],
                fm.get("sort_name", spec["name"]),
                fm.get("disambiguation", ""),
            )
        for d in decoys.get("setlistfm", []):
            self.fm_artists[d["mbid"]] = FmArtist(
                d["mbid"], d["key"], d["name"], d["sort_name"], d["disambiguation"]
            )
        self.fm_by_name = {a.name: a for a in self.fm_artists.values()}
        self.setlists: list[Setlist] = []
        for spec in specs:
            self.setlists += build_setlists(spec, today, self.venues)
        # Newest first, as setlist.fm lists them; the id breaks ties between two shows on one date.
        self.setlists.sort(key=lambda s: (s.event_date, s.id), reverse=True)
        self.setlists_by_id = {s.id: s for s in self.setlists}
        self.setlists_by_mbid: dict[str, list[Setlist]] = {}
        for s in self.setlists:
            self.setlists_by_mbid.setdefault(s.artist_mbid, []).append(s)

    def upcoming(self, event: Event) -> bool:
        return event.local_date is None or event.local_date >= self.today


class Dataset:
    """Everything the three fakes serve. Thread-safe: `live()` builds each date's view once."""

    def __init__(self, synthetic_artists: int = 0) -> None:
        self.specs = bundled_specs() + [synthetic_spec(i) for i in range(1, synthetic_artists + 1)]
        self.decoys = _load("decoys.json")
        self.venue_specs = _load("venues.json")["venues"]
        self.catalog = Catalog(self.specs, self.decoys.get("spotify", []))
        self.refs = [
            ArtistRef(
                s["key"],
                s["name"],
                s["ids"]["spotify"],
                s["ids"]["ticketmaster"],
                s["ids"]["mbid"],
                bool(s.get("synthetic")),
            )
            for s in self.specs
        ]
        self.refs_by_key = {r.key: r for r in self.refs}
        self._live: dict[date, Live] = {}
        self._lock = threading.Lock()

    def live(self, today: date) -> Live:
        with self._lock:
            view = self._live.get(today)
            if view is None:
                view = Live(today, self.specs, self.decoys, self.venue_specs)
                self._live = {today: view}  # one date at a time is all a server needs
            return view
