"""Ticketmaster events -> the app's `venues` and `shows` rows (plain data, no I/O).

Status: `cancelled` for canceled/cancelled (both spellings occur), `completed` for a date before today,
otherwise `upcoming` (postponed and rescheduled events stay upcoming with their new date; a date-less
event is upcoming with no date). Time zone: the venue's, else the event's, else the country's when it has
only one, else UTC. Coordinates become numbers, city names lose stray whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from .text import normalize_name

CANCELLED = frozenset({"canceled", "cancelled"})

# Countries on a single time zone (the ones a tour plays most); others fall back to longitude bands
# below or to UTC. Used only when neither the venue nor the event names its zone (setlist.fm venues,
# about 1 Ticketmaster event in 5).
_COUNTRY_TZ = {
    "GB": "Europe/London", "IE": "Europe/Dublin", "FR": "Europe/Paris", "DE": "Europe/Berlin",
    "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg", "ES": "Europe/Madrid",
    "IT": "Europe/Rome", "CH": "Europe/Zurich", "AT": "Europe/Vienna", "DK": "Europe/Copenhagen",
    "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "HU": "Europe/Budapest", "GR": "Europe/Athens",
    "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "NZ": "Pacific/Auckland", "SG": "Asia/Singapore",
    "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago", "CO": "America/Bogota",
    "ZA": "Africa/Johannesburg", "IL": "Asia/Jerusalem", "TR": "Europe/Istanbul", "PT": "Europe/Lisbon",
}  # fmt: skip
# (westmost longitude, zone) bands, east to west, for the big multi-zone countries of a tour.
_LONGITUDE_TZ = {
    "US": ((-87.5, "America/New_York"), (-101.0, "America/Chicago"), (-115.0, "America/Denver"),
           (-180.0, "America/Los_Angeles")),
    "CA": ((-90.0, "America/Toronto"), (-102.0, "America/Winnipeg"), (-120.0, "America/Edmonton"),
           (-180.0, "America/Vancouver")),
    "AU": ((141.0, "Australia/Sydney"), (129.0, "Australia/Adelaide"), (0.0, "Australia/Perth")),
}  # fmt: skip


@dataclass(frozen=True)
class TmVenue:
    id: str
    name: str
    city: str | None = None
    state: str | None = None
    country: str | None = None
    country_code: str | None = None
    postal_code: str | None = None
    address: str | None = None
    latitude: float | str | None = None
    longitude: float | str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class TmEvent:
    id: str
    name: str
    local_date: date | None
    venue: TmVenue | None
    attraction_ids: tuple[str, ...] = ()
    attraction_names: tuple[str, ...] = ()
    local_time: time | None = None
    timezone: str | None = None
    status_code: str | None = None
    url: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    currency: str | None = None


@dataclass(frozen=True)
class VenueRow:
    tm_venue_id: str | None
    name: str
    city: str
    state: str | None
    country: str
    postal_code: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    timezone: str


def show_status(code: str | None, on: date | None, today: date) -> str:
    if code and code.strip().lower() in CANCELLED:
        return "cancelled"
    if on is not None and on < today:
        return "completed"
    return "upcoming"


def as_float(value: float | str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no coordinate


def timezone_for(country_code: str | None, longitude: float | None = None) -> str:
    code = (country_code or "").upper()
    if code in _COUNTRY_TZ:
        return _COUNTRY_TZ[code]
    if code in _LONGITUDE_TZ and longitude is not None:
        return next(zone for west, zone in _LONGITUDE_TZ[code] if longitude >= west)
    return "UTC"


def venue_row(venue: TmVenue, event_timezone: str | None = None) -> VenueRow:
    latitude, longitude = as_float(venue.latitude), as_float(venue.longitude)
    return VenueRow(
        tm_venue_id=venue.id,
        name=venue.name.strip(),
        city=_clean(venue.city) or "Unknown",
        state=_clean(venue.state),
        country=_clean(venue.country) or _clean(venue.country_code) or "Unknown",
        postal_code=_clean(venue.postal_code),
        address=_clean(venue.address),
        latitude=latitude,
        longitude=longitude,
        timezone=_clean(venue.timezone)
        or _clean(event_timezone)
        or timezone_for(venue.country_code, longitude),
    )


def headliners(event: TmEvent) -> tuple[bool, ...]:
    """Per attraction on the bill: is it a headliner? The first always; a later one when the event is
    named after it too ("A & B", "A / B Tour"), which is how co-headlined tours are billed."""
    title = f" {normalize_name(event.name)} "
    flags = []
    for index, name in enumerate(event.attraction_names or ("",) * len(event.attraction_ids)):
        named = bool(name) and f" {normalize_name(name)} " in title
        flags.append(index == 0 or named)
    return tuple(flags)


def price(value: float | None) -> int | None:
    return None if value is None else round(value)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None
