"""The plain records the catalog rules work on: a Spotify release and track as the rules see them, a song
already stored, the song to write; and Spotify's release-date forms read as a date.

Apart from the rules (studio_songs.py, version_markers.py) because the adapters, the catalog step and the
songs writer pass these records around without needing the rules themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
