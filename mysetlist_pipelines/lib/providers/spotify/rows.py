"""Spotify's answers -> the plain rows the catalog rules work on (lib/rules/studio_songs.py), which
stay testable without a provider."""

from __future__ import annotations

from ...rules.catalog_records import Release, Track
from .models import Album, SimplifiedAlbum


def release_row(album: SimplifiedAlbum) -> Release:
    return Release(
        id=album.id,
        name=album.name,
        album_type=album.album_type.lower(),
        release_date=album.release_date,
        total_tracks=album.total_tracks,
        image_url=album.images[0].url if album.images else None,
    )


def track_rows(album: Album) -> list[Track]:
    """Every playable track of a fetched album (local files, which have no id, are left out)."""
    rel = release_row(album)
    return [
        Track(
            id=t.id,
            name=t.name,
            duration_ms=t.duration_ms or None,
            release=rel,
            track_number=t.track_number,
            disc_number=t.disc_number,
            explicit=t.explicit,
            artist_ids=tuple(a.id for a in t.artists if a.id),
            artist_name=t.artists[0].name if t.artists else "",
            uri=t.uri,
            url=t.external_urls.spotify,
        )
        for t in album.tracks.items
        if t.id and not t.is_local
    ]
