"""Spotify: typed client and models (see client.py for the cost of each call)."""

from .client import DEFAULT_GROUPS, SpotifyClient, catalog_cost
from .models import (
    Album,
    Artist,
    ExternalIds,
    Image,
    Paging,
    SimplifiedAlbum,
    SimplifiedArtist,
    SimplifiedTrack,
    Track,
)

__all__ = [
    "DEFAULT_GROUPS",
    "Album",
    "Artist",
    "ExternalIds",
    "Image",
    "Paging",
    "SimplifiedAlbum",
    "SimplifiedArtist",
    "SimplifiedTrack",
    "SpotifyClient",
    "Track",
    "catalog_cost",
]
