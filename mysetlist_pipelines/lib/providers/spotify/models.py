"""Spotify Web API answers as Development Mode returns them (popularity, followers, album_group,
label and available_markets are absent there, so they are optional or left out)."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import Field

from ..base import ProviderModel

T = TypeVar("T")


class Image(ProviderModel):
    url: str
    height: int | None = None
    width: int | None = None


class ExternalUrls(ProviderModel):
    spotify: str | None = None


class Paging(ProviderModel, Generic[T]):
    # `items` is required: an error body or any other object is a wrong answer, not an empty page.
    href: str | None = None
    items: list[T]
    limit: int | None = None
    next: str | None = None
    offset: int = 0
    previous: str | None = None
    total: int = 0


class SimplifiedArtist(ProviderModel):
    id: str | None = None  # null on local files
    name: str
    uri: str | None = None
    external_urls: ExternalUrls = Field(default_factory=ExternalUrls)


class Followers(ProviderModel):
    total: int | None = None


class Artist(SimplifiedArtist):
    images: list[Image] = Field(default_factory=list)  # widest first
    genres: list[str] = Field(default_factory=list)  # deprecated, often empty
    popularity: int | None = None  # absent in Development Mode
    followers: Followers | None = None  # absent in Development Mode


class SimplifiedAlbum(ProviderModel):
    id: str
    name: str
    album_type: str  # album | single | compilation (any case)
    total_tracks: int = 0
    release_date: str | None = None  # "1981" | "1981-12" | "1981-12-15"
    release_date_precision: str | None = None
    images: list[Image] = Field(default_factory=list)
    artists: list[SimplifiedArtist] = Field(default_factory=list)
    uri: str | None = None
    external_urls: ExternalUrls = Field(default_factory=ExternalUrls)

    @property
    def release_day(self) -> date | None:
        """The release date, the first of the month/year when only that is known."""
        if not self.release_date:
            return None
        parts = [int(p) for p in self.release_date.split("-")[:3]] + [1, 1]
        try:
            return date(parts[0], parts[1], parts[2])
        except ValueError:
            return None


class SimplifiedTrack(ProviderModel):
    id: str | None = None
    name: str
    track_number: int = 0
    disc_number: int = 1
    duration_ms: int = 0
    explicit: bool = False
    artists: list[SimplifiedArtist] = Field(default_factory=list)
    uri: str | None = None
    is_local: bool = False
    is_playable: bool | None = None
    external_urls: ExternalUrls = Field(default_factory=ExternalUrls)


class ExternalIds(ProviderModel):
    isrc: str | None = None
    upc: str | None = None


class Album(SimplifiedAlbum):
    """`GET /albums/{id}`. SpotifyClient.album() fills `tracks.items` with every track."""

    tracks: Paging[SimplifiedTrack] = Field(default_factory=lambda: Paging[SimplifiedTrack](items=[]))
    external_ids: ExternalIds = Field(default_factory=ExternalIds)
    copyrights: list[dict[str, str]] = Field(default_factory=list)


class Track(SimplifiedTrack):
    """`GET /tracks/{id}`: the only answer that carries the ISRC."""

    album: SimplifiedAlbum | None = None
    external_ids: ExternalIds = Field(default_factory=ExternalIds)

    @property
    def isrc(self) -> str | None:
        return self.external_ids.isrc


class ArtistSearch(ProviderModel):
    """`GET /search?type=artist`: the `artists` page is required (items raw, parsed one by one)."""

    artists: Paging[Any]


class Token(ProviderModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = 3600
