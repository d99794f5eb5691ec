"""Ticketmaster Discovery v2 answers (HAL), tolerant of what the live API really sends: string
coordinates, venues without a state, events without a time or a timezone, `canceled` and
`cancelled`, placeholder 1900 sale dates, attractions without external links."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from pydantic import Field, field_validator

from ..base import ProviderModel, blank_to_none

_SPOTIFY_ARTIST = re.compile(r"/artist/([A-Za-z0-9]+)")


class Image(ProviderModel):
    url: str
    width: int | None = None
    height: int | None = None
    ratio: str | None = None


class Named(ProviderModel):
    id: str | None = None
    name: str | None = None


class Classification(ProviderModel):
    primary: bool | None = None
    segment: Named | None = None
    genre: Named | None = None
    sub_genre: Named | None = Field(None, alias="subGenre")


class ExternalLink(ProviderModel):
    id: str | None = None
    url: str | None = None


class Attraction(ProviderModel):
    id: str
    name: str
    url: str | None = None
    images: list[Image] = Field(default_factory=list)
    classifications: list[Classification] = Field(default_factory=list)
    upcoming_events: dict[str, int] = Field(default_factory=dict, alias="upcomingEvents")
    external_links: dict[str, list[ExternalLink]] = Field(default_factory=dict, alias="externalLinks")

    @property
    def upcoming_total(self) -> int:
        return int(self.upcoming_events.get("_total", 0))

    @property
    def spotify_id(self) -> str | None:
        """The Spotify artist id: the path segment after /artist/ (a `?si=` suffix dropped)."""
        for link in self.external_links.get("spotify", []):
            match = _SPOTIFY_ARTIST.search(link.url or "")
            if match:
                return match.group(1)
        return None

    @property
    def mbid(self) -> str | None:
        for link in self.external_links.get("musicbrainz", []):
            if link.id:
                return link.id.strip()
        return None


class City(ProviderModel):
    name: str | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        value = blank_to_none(value)
        return " ".join(value.split()) if isinstance(value, str) else value


class State(ProviderModel):
    name: str | None = None
    state_code: str | None = Field(None, alias="stateCode")


class Country(ProviderModel):
    name: str | None = None
    country_code: str | None = Field(None, alias="countryCode")


class Address(ProviderModel):
    line1: str | None = None


class Location(ProviderModel):
    # Strings in practice ("-73.99"), numbers in the swagger: both become floats, blanks None.
    longitude: float | None = None
    latitude: float | None = None

    @field_validator("longitude", "latitude", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return blank_to_none(value)


class Venue(ProviderModel):
    id: str
    name: str | None = None
    url: str | None = None
    timezone: str | None = None
    postal_code: str | None = Field(None, alias="postalCode")
    city: City | None = None
    state: State | None = None  # absent outside the US and Canada
    country: Country | None = None
    address: Address | None = None
    location: Location | None = None
    images: list[Image] = Field(default_factory=list)


class EventStart(ProviderModel):
    local_date: date | None = Field(None, alias="localDate")
    local_time: time | None = Field(None, alias="localTime")  # absent with noSpecificTime
    date_time: datetime | None = Field(None, alias="dateTime")
    date_tba: bool = Field(False, alias="dateTBA")
    date_tbd: bool = Field(False, alias="dateTBD")
    time_tba: bool = Field(False, alias="timeTBA")
    no_specific_time: bool = Field(False, alias="noSpecificTime")

    @field_validator("local_date", "local_time", "date_time", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return blank_to_none(value)


class EventStatus(ProviderModel):
    code: str | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _spelling(cls, value: Any) -> Any:
        # The docs say `canceled`, the live API sends `cancelled`: one spelling from here on.
        if isinstance(value, str):
            value = value.strip().lower()
            return "cancelled" if value in ("canceled", "cancelled") else value
        return value


class EventDates(ProviderModel):
    start: EventStart = Field(default_factory=EventStart)
    timezone: str | None = None  # missing on about 1 event in 5: use the venue's
    status: EventStatus = Field(default_factory=EventStatus)


class PublicSale(ProviderModel):
    start_date_time: datetime | None = Field(None, alias="startDateTime")
    end_date_time: datetime | None = Field(None, alias="endDateTime")

    @field_validator("start_date_time", "end_date_time", mode="after")
    @classmethod
    def _placeholder(cls, value: datetime | None) -> datetime | None:
        return None if value is not None and value.year <= 1900 else value  # 1900-01-01: "unknown"


class Sales(ProviderModel):
    public: PublicSale | None = None


class PriceRange(ProviderModel):
    type: str | None = None
    currency: str | None = None
    min: float | None = None
    max: float | None = None


class EventEmbedded(ProviderModel):
    venues: list[Venue] = Field(default_factory=list)
    attractions: list[Attraction] = Field(default_factory=list)


class Event(ProviderModel):
    id: str
    name: str
    url: str | None = None
    images: list[Image] = Field(default_factory=list)
    dates: EventDates = Field(default_factory=EventDates)
    sales: Sales | None = None
    price_ranges: list[PriceRange] = Field(default_factory=list, alias="priceRanges")  # usually absent
    classifications: list[Classification] = Field(default_factory=list)
    embedded: EventEmbedded = Field(default_factory=EventEmbedded, alias="_embedded")

    @property
    def venue(self) -> Venue | None:
        return self.embedded.venues[0] if self.embedded.venues else None

    @property
    def attractions(self) -> list[Attraction]:
        return self.embedded.attractions

    @property
    def status(self) -> str | None:
        """onsale | offsale | cancelled | postponed | rescheduled (one spelling of cancelled)."""
        return self.dates.status.code

    @property
    def timezone(self) -> str | None:
        return self.dates.timezone or (self.venue.timezone if self.venue else None)


class PageInfo(ProviderModel):
    size: int = 0
    total_elements: int = Field(alias="totalElements")
    total_pages: int = Field(alias="totalPages")
    number: int


class PageEmbedded(ProviderModel):
    # Raw items: each is parsed on its own (lib/providers/base.parse_items), so one malformed event or
    # attraction is skipped, not the page.
    events: list[Any] = Field(default_factory=list)
    attractions: list[Any] = Field(default_factory=list)


class Page(ProviderModel):
    """A search page. `page` is required: an empty result still has it (and no `_embedded`), while an
    error body (`fault`, `errors`) or any other object has not, and must not read as "no events"."""

    page: PageInfo
    embedded: PageEmbedded = Field(default_factory=PageEmbedded, alias="_embedded")
    links: dict[str, Any] = Field(default_factory=dict, alias="_links")

    @property
    def next_href(self) -> str | None:
        link = self.links.get("next")
        href = link.get("href") if isinstance(link, dict) else None
        return href if isinstance(href, str) and href else None
