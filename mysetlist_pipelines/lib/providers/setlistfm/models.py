"""setlist.fm API 1.0 answers (JSON with `Accept: application/json`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from ..base import ProviderModel, blank_to_none


class Coords(ProviderModel):
    lat: float | None = None
    long: float | None = None


class Country(ProviderModel):
    code: str | None = None
    name: str | None = None


class City(ProviderModel):
    id: str | None = None
    name: str | None = None
    state: str | None = None
    state_code: str | None = Field(None, alias="stateCode")
    coords: Coords | None = None
    country: Country | None = None


class Venue(ProviderModel):
    id: str | None = None
    name: str | None = None
    url: str | None = None
    city: City | None = None  # may be absent


class Artist(ProviderModel):
    mbid: str | None = None  # always set on artists; a cover's original artist may lack it
    name: str = ""
    sort_name: str | None = Field(None, alias="sortName")
    disambiguation: str | None = None
    url: str | None = None
    tmid: int | None = None


class Song(ProviderModel):
    name: str = ""  # can be empty (obs)
    info: str | None = None
    tape: bool = False  # intro/outro from tape, not a song played
    cover: Artist | None = None  # the original artist of a cover
    with_: Artist | None = Field(None, alias="with")


class Set(ProviderModel):
    name: str | None = None
    encore: int | None = None  # 1, 2, ... for encores
    song: list[Song] = Field(default_factory=list)


class Sets(ProviderModel):
    set: list[Set] = Field(default_factory=list)


class Tour(ProviderModel):
    name: str | None = None


class Setlist(ProviderModel):
    id: str  # the key: one artist can play twice on one date
    version_id: str | None = Field(None, alias="versionId")
    event_date: date = Field(alias="eventDate")  # dd-MM-yyyy, no time, no zone
    last_updated: datetime | None = Field(None, alias="lastUpdated")
    artist: Artist
    venue: Venue | None = None
    tour: Tour | None = None
    info: str | None = None
    url: str | None = None
    sets: Sets = Field(default_factory=Sets)

    @model_validator(mode="before")
    @classmethod
    def _top_level_set(cls, data: Any) -> Any:
        # The swagger example puts `set` at the top level; the live API nests it in `sets`.
        if isinstance(data, dict) and "sets" not in data and "set" in data:
            data = {**data, "sets": {"set": data["set"]}}
        if isinstance(data, dict) and isinstance(data.get("sets"), list):
            data = {**data, "sets": {"set": data["sets"]}}
        return data

    @field_validator("event_date", mode="before")
    @classmethod
    def _dd_mm_yyyy(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) == 10 and value[2] == "-" and value[5] == "-":
            day, month, year = value.split("-")
            return f"{year}-{month}-{day}"
        return value

    @field_validator("last_updated", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> Any:
        # "2013-10-20T05:18:08.000+0000": pydantic wants +00:00.
        value = blank_to_none(value)
        if isinstance(value, str) and len(value) >= 5 and value[-5] in "+-" and value[-4:].isdigit():
            value = value[:-2] + ":" + value[-2:]
        return value

    @property
    def songs(self) -> list[Song]:
        return [song for s in self.sets.set for song in s.song]


class SetlistPage(ProviderModel):
    """A page of setlists. `setlist`, `page` and `total` are required: any other JSON object (API 0.1's
    `setlists` root, an error body) is a wrong answer, not an empty page (no results is a 404). The
    items stay raw: each is parsed on its own, so one malformed setlist is skipped, not the page."""

    setlist: list[Any]
    items_per_page: int = Field(20, alias="itemsPerPage")
    page: int
    total: int


class ArtistPage(ProviderModel):
    artist: list[Any]  # raw, as SetlistPage.setlist
    items_per_page: int = Field(30, alias="itemsPerPage")
    page: int
    total: int
