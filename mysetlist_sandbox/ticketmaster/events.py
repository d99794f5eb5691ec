"""Ticketmaster's side of the data: venues, attractions and events with dates resolved against `today`.

Events are written as day offsets (`"day": 9` = nine days after the sandbox's today) so upcoming shows
stay upcoming whenever the sandbox runs. `"tba": true` is a date-less event, `"time": null` a date
without a time (`noSpecificTime`), `"no_tz": true` drops `dates.timezone` (as on ~1 event in 5),
`"sale": "placeholder"` gives the `1900-01-01` public-sale start, `"with"` adds co-headliners and
`"support"` support acts (attractions of the same event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .. import ids

TM_COUNTRY = {
    "US": "United States Of America",
    "CA": "Canada",
    "GB": "Great Britain",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "IS": "Iceland",
    "DK": "Denmark",
    "IE": "Ireland",
}
CURRENCY = {"US": "USD", "CA": "CAD", "GB": "GBP", "IS": "ISK", "DK": "DKK"}
TM_DOMAIN = {
    "US": "ticketmaster.com",
    "CA": "ticketmaster.ca",
    "GB": "ticketmaster.co.uk",
    "IE": "ticketmaster.ie",
}
GENRE_IDS = {
    "Rock": "KnvZfZ7vAeA",
    "Pop": "KnvZfZ7vAev",
    "Folk": "KnvZfZ7vAva",
    "Country": "KnvZfZ7vAv6",
    "Electronic": "KnvZfZ7vAvF",
}
MUSIC_SEGMENT = {"id": "KZFzniwnSyZfZ7v7nJ", "name": "Music"}


@dataclass(frozen=True)
class Venue:
    key: str
    name: str
    city: str | None  # as Ticketmaster spells it, stray whitespace included
    state: str | None
    state_code: str | None
    cc: str
    tz: str
    postal: str | None
    address: str | None
    lat: float
    lon: float
    fm_state: str | None
    fm_state_code: str | None
    tm_id: str | None  # None: Ticketmaster does not know this venue
    fm_id: str
    fm_city_id: str | None


@dataclass(frozen=True)
class Attraction:
    id: str
    key: str
    name: str
    genre: str
    links: dict[str, list[dict[str, str]]] | None


@dataclass(frozen=True)
class Event:
    id: str
    key: str  # owning artist key
    name: str
    attraction_ids: tuple[str, ...]
    venue: Venue
    local_date: date | None
    local_time: time | None
    status: str
    has_tz: bool
    sale_placeholder: bool
    price: tuple[float, float] | None
    initial: tuple[date, time | None] | None
    start: datetime | None = None  # UTC; filled by build_events (zone lookups are too slow per query)

    @property
    def tba(self) -> bool:
        return self.local_date is None

    def start_utc(self) -> datetime | None:
        return self.start


def _start_utc(local_date: date | None, local_time: time | None, tz: str) -> datetime | None:
    """When an event starts in UTC; a date without a time counts from the venue's midnight."""
    if local_date is None:
        return None
    return datetime.combine(local_date, local_time or time(0, 0), ZoneInfo(tz)).astimezone(UTC)


def build_venue(spec: dict[str, Any]) -> Venue:
    key = spec["key"]
    return Venue(
        key=key,
        name=spec["name"],
        city=None if spec.get("no_city") else spec["city"],
        state=spec.get("state"),
        state_code=spec.get("state_code"),
        cc=spec["cc"],
        tz=spec["tz"],
        postal=spec.get("postal"),
        address=spec.get("address"),
        lat=spec["lat"],
        lon=spec["lon"],
        fm_state=spec.get("fm_state") or spec.get("state"),
        fm_state_code=spec.get("fm_state_code") or spec.get("state_code"),
        tm_id=ids.tm_venue_id(key) if spec.get("tm", True) else None,
        fm_id=ids.hexid(f"fm-venue:{key}"),
        fm_city_id=None
        if spec.get("no_city")
        else str(ids.number(f"fm-city:{spec['city'].strip()}", 1000000, 9999999)),
    )


def build_links(spec: dict[str, Any]) -> dict[str, list[dict[str, str]]] | None:
    links = spec["ticketmaster"].get("links")
    if links is None:
        return None
    out: dict[str, list[dict[str, str]]] = {}
    key, name = spec["key"], spec["name"]
    if "youtube" in links:
        out["youtube"] = [{"url": f"https://www.youtube.com/channel/UC{ids.b62('yt:' + key, 22)}"}]
    if "spotify" in links:
        out["spotify"] = [
            {"url": f"https://open.spotify.com/artist/{spec['ids']['spotify']}{links['spotify']}"}
        ]
    if "musicbrainz" in links:
        mbid = spec["ids"]["mbid"]
        out["musicbrainz"] = [{"id": mbid, "url": f"https://musicbrainz.org/artist/{mbid}"}]
    if "homepage" in links:
        out["homepage"] = [{"url": links["homepage"]}]
    if "wiki" in links:
        out["wiki"] = [{"url": f"https://en.wikipedia.org/wiki/{name.replace(' ', '_')}"}]
    return out


def build_attraction(spec: dict[str, Any]) -> Attraction:
    tm = spec["ticketmaster"]
    return Attraction(
        id=spec["ids"]["ticketmaster"],
        key=spec["key"],
        name=spec["name"],
        genre=tm.get("genre", "Rock"),
        links=build_links(spec),
    )


def build_events(
    spec: dict[str, Any],
    today: date,
    venues: dict[str, Venue],
    attraction_ids: dict[str, str],
) -> list[Event]:
    key = spec["key"]
    events = []
    for n, ev in enumerate(spec["ticketmaster"].get("events", [])):
        local_date = None if ev.get("tba") else today + timedelta(days=ev["day"])
        local_time = time.fromisoformat(ev["time"]) if ev.get("time") else None
        day = ev.get("day")
        status = ev.get("status") or ("offsale" if day is not None and day < 0 else "onsale")
        initial = None
        if "rescheduled_from" in ev:
            initial = (today + timedelta(days=ev["rescheduled_from"]), local_time)
        price = tuple(ev["price"]) if ev.get("price") else None
        attractions = (spec["ids"]["ticketmaster"],)
        attractions += tuple(attraction_ids[k] for k in ev.get("with", []) + ev.get("support", []))
        events.append(
            Event(
                id=ids.tm_event_id(f"{key}:{n}:{ev.get('day')}:{ev['venue']}"),
                key=key,
                name=ev.get("name") or spec["name"],
                attraction_ids=attractions,
                venue=venues[ev["venue"]],
                local_date=local_date,
                local_time=local_time,
                status=status,
                has_tz=not ev.get("no_tz", False),
                sale_placeholder=ev.get("sale") == "placeholder",
                price=price,  # type: ignore[arg-type]
                initial=initial,
                start=_start_utc(local_date, local_time, venues[ev["venue"]].tz),
            )
        )
    return events
