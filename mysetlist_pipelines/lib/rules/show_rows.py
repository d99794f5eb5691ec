"""Ticketmaster events -> the app's `venues` and `shows` rows (plain data, no I/O).

Status: `cancelled` for canceled/cancelled (both spellings occur), `completed` for a date before today,
otherwise `upcoming` (postponed and rescheduled events stay upcoming with their new date; a date-less
event is upcoming with no date). Time zone: the venue's, else the event's, else the one at the venue's
coordinates (tzfpy), else the country's when it has only one; a multi-zone country's main zone or UTC
only as a last resort, and then the step's message says so. Coordinates become numbers, city names lose
stray whitespace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from tzfpy import get_tz

from ..text import normalize_name

CANCELLED = frozenset({"canceled", "cancelled"})

# Time zone sources (VenueRow.timezone_source): what the venue's zone rests on. "provider": the venue or
# the event named it; "coordinates": looked up from the venue's (Ticketmaster's venue, setlist.fm's city)
# latitude/longitude in tzfpy's offline boundary data (docs/providers.md: why tzfpy, its size and speed);
# "country": no coordinates, the country has one zone; "guess": no coordinates, the country's main zone
# of several; "none": nothing to go by, stored as UTC. The last two are said in the step's message.
GUESSED_SOURCES = frozenset({"guess", "none"})

# Countries on a single time zone (the ones a tour plays most), for venues without coordinates only.
_COUNTRY_TZ = {
    "GB": "Europe/London", "IE": "Europe/Dublin", "FR": "Europe/Paris", "DE": "Europe/Berlin",
    "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg", "ES": "Europe/Madrid",
    "IT": "Europe/Rome", "CH": "Europe/Zurich", "AT": "Europe/Vienna", "DK": "Europe/Copenhagen",
    "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "HU": "Europe/Budapest", "GR": "Europe/Athens",
    "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "NZ": "Pacific/Auckland", "SG": "Asia/Singapore",
    "AR": "America/Argentina/Buenos_Aires", "CO": "America/Bogota", "PE": "America/Lima",
    "ZA": "Africa/Johannesburg", "IL": "Asia/Jerusalem", "TR": "Europe/Istanbul",
    "SK": "Europe/Bratislava", "SI": "Europe/Ljubljana", "HR": "Europe/Zagreb", "RS": "Europe/Belgrade",
    "RO": "Europe/Bucharest", "BG": "Europe/Sofia", "UA": "Europe/Kyiv", "EE": "Europe/Tallinn",
    "LV": "Europe/Riga", "LT": "Europe/Vilnius", "PH": "Asia/Manila", "TH": "Asia/Bangkok",
    "TW": "Asia/Taipei", "HK": "Asia/Hong_Kong", "CN": "Asia/Shanghai", "IN": "Asia/Kolkata",
    "AE": "Asia/Dubai", "CR": "America/Costa_Rica", "GT": "America/Guatemala", "UY": "America/Montevideo",
}  # fmt: skip
# Multi-zone countries: the zone most of their venues are in. Only a guess (said in the step's message):
# with coordinates these countries never get here.
_MAIN_ZONE = {
    "US": "America/New_York", "CA": "America/Toronto", "AU": "Australia/Sydney",
    "MX": "America/Mexico_City", "BR": "America/Sao_Paulo", "RU": "Europe/Moscow",
    "CL": "America/Santiago", "PT": "Europe/Lisbon", "ID": "Asia/Jakarta",
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
    timezone_source: str = "provider"  # see GUESSED_SOURCES


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


def zone_at(latitude: float | None, longitude: float | None) -> str | None:
    """The IANA zone at a point (tzfpy, offline); None without both coordinates or outside -90..90 /
    -180..180. (0, 0) is a placeholder some venues carry, not a place in the Gulf of Guinea."""
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return get_tz(longitude, latitude) or None  # tzfpy takes (lng, lat)


def locate_timezone(
    country_code: str | None, latitude: float | None = None, longitude: float | None = None
) -> tuple[str, str]:
    """(zone, source) of a venue no provider named a zone for: its coordinates', else its country's
    (one zone), else the country's main zone (a guess), else UTC ("none")."""
    zone = zone_at(latitude, longitude)
    if zone:
        return zone, "coordinates"
    code = (country_code or "").strip().upper()
    if code in _COUNTRY_TZ:
        return _COUNTRY_TZ[code], "country"
    if code in _MAIN_ZONE:
        return _MAIN_ZONE[code], "guess"
    return "UTC", "none"


def timezone_for(
    country_code: str | None, latitude: float | None = None, longitude: float | None = None
) -> str:
    return locate_timezone(country_code, latitude, longitude)[0]


def venue_row(venue: TmVenue, event_timezone: str | None = None) -> VenueRow:
    latitude, longitude = as_float(venue.latitude), as_float(venue.longitude)
    named = _clean(venue.timezone) or _clean(event_timezone)
    zone, source = (named, "provider") if named else locate_timezone(venue.country_code, latitude, longitude)
    return VenueRow(
        tm_venue_id=venue.id,
        name=_clean(venue.name) or "Unknown venue",  # "The  Pavilion at ..." (2016): one space
        city=_clean(venue.city) or "Unknown",
        state=_clean(venue.state),
        country=_clean(venue.country) or _clean(venue.country_code) or "Unknown",
        postal_code=_clean(venue.postal_code),
        address=_clean(venue.address),
        latitude=latitude,
        longitude=longitude,
        timezone=zone,
        timezone_source=source,
    )


def guessed_zones(venues: Iterable[VenueRow]) -> str:
    """The step-message clause for venues whose zone is a guess or UTC for want of anything better
    ("" when there are none), so that nobody takes a stored UTC for the venue's local time."""
    rows = [v for v in venues if v.timezone_source in GUESSED_SOURCES]
    if not rows:
        return ""
    places = sorted({f"{v.name} ({v.country})" for v in rows})
    names = ", ".join(places[:3])
    more = f" and {len(places) - 3} more" if len(places) > 3 else ""
    return (
        f"; {len(rows)} venue(s) without coordinates or a zone got a guessed time zone or UTC: {names}{more}"
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
