"""Ticketmaster's HAL shapes: events with embedded venues and attractions, string coordinates, no
state outside the US/CA, optional timezone and priceRanges, the 1900 public-sale placeholder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..context import Ctx
from ..ids import hexid, number, slug
from .events import CURRENCY, GENRE_IDS, MUSIC_SEGMENT, TM_COUNTRY, TM_DOMAIN, Attraction, Event, Venue

_PREFIX = "/discovery/v2"


SALE_PLACEHOLDER = "1900-01-01T06:00:00Z"


# -- shapes -------------------------------------------------------------------------------------
def _images(seed: str) -> list[dict[str, object]]:
    h = hexid(seed, 32)
    return [
        {
            "ratio": "16_9",
            "url": f"https://s1.ticketm.net/dam/a/{h[:3]}/{h}_RETINA_PORTRAIT_16_9.jpg",
            "width": 640,
            "height": 360,
            "fallback": False,
        },
        {
            "ratio": "3_2",
            "url": f"https://s1.ticketm.net/dam/a/{h[:3]}/{h}_ARTIST_PAGE_3_2.jpg",
            "width": 305,
            "height": 203,
            "fallback": False,
        },
    ]


def _classifications(genre: str) -> list[dict[str, object]]:
    gid = GENRE_IDS.get(genre, "KnvZfZ7vAeA")
    return [
        {
            "primary": True,
            "segment": dict(MUSIC_SEGMENT),
            "genre": {"id": gid, "name": genre},
            "subGenre": {"id": "KZazBEonSMnZfZ7v6F1", "name": "Pop" if genre == "Pop" else genre},
            "type": {"id": "KZAyXgnZfZ7v7nI", "name": "Undefined"},
            "subType": {"id": "KZFzBErXgnZfZ7v7lJ", "name": "Undefined"},
            "family": False,
        }
    ]


def venue_json(ctx: Ctx, venue: Venue) -> dict[str, object]:
    upcoming = ctx.live.upcoming_by_venue[venue.key]
    shape: dict[str, object] = {
        "name": venue.name,
        "type": "venue",
        "id": venue.tm_id,
        "test": False,
        "url": f"https://www.{TM_DOMAIN.get(venue.cc, 'ticketmaster.com')}/{slug(venue.name)}-tickets/venue/{number(venue.key, 100000, 999999)}",
        "locale": "en-us",
        "postalCode": venue.postal,
        "timezone": venue.tz,
        "city": {"name": venue.city},
        "country": {"name": TM_COUNTRY[venue.cc], "countryCode": venue.cc},
        "address": {"line1": venue.address},
        # Strings, as the live API sends them (the swagger says numbers).
        "location": {"longitude": f"{venue.lon}", "latitude": f"{venue.lat}"},
        "upcomingEvents": {"_total": upcoming, "ticketmaster": upcoming, "_filtered": 0},
        "_links": {"self": {"href": f"{_PREFIX}/venues/{venue.tm_id}?locale=en-us"}},
    }
    if venue.state:  # only US and Canadian venues have a state
        shape["state"] = {"name": venue.state, "stateCode": venue.state_code}
    return shape


def attraction_json(ctx: Ctx, attraction: Attraction) -> dict[str, object]:
    upcoming = ctx.live.upcoming_by_attraction[attraction.id]
    shape: dict[str, object] = {
        "name": attraction.name,
        "type": "attraction",
        "id": attraction.id,
        "test": False,
        "url": f"https://www.ticketmaster.com/{slug(attraction.name)}-tickets/artist/{number(attraction.id, 100000, 9999999)}",
        "locale": "en-us",
    }
    if attraction.links is not None:
        shape["externalLinks"] = attraction.links
    shape.update(
        {
            "images": _images(attraction.id),
            "classifications": _classifications(attraction.genre),
            "upcomingEvents": {"_total": upcoming, "ticketmaster": upcoming, "_filtered": 0},
            "_links": {"self": {"href": f"{_PREFIX}/attractions/{attraction.id}?locale=en-us"}},
        }
    )
    return shape


def _moment(e: Event, local_date: object, local_time: object) -> dict[str, object]:
    out: dict[str, object] = {"localDate": str(local_date)}
    if local_time is not None:
        out["localTime"] = f"{local_time}"
        start = e.start_utc() if local_date == e.local_date else None
        if start is not None:
            out["dateTime"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def event_json(ctx: Ctx, e: Event) -> dict[str, object]:
    start: dict[str, object] = {}
    if e.local_date is not None:
        start.update(_moment(e, e.local_date, e.local_time))
    start.update(
        {
            "dateTBD": False,
            "dateTBA": e.local_date is None,
            "timeTBA": e.local_time is None,
            "noSpecificTime": e.local_date is not None and e.local_time is None,
        }
    )
    dates: dict[str, object] = {"start": start}
    if e.has_tz:
        dates["timezone"] = e.venue.tz
    dates["status"] = {"code": e.status}
    dates["spanMultipleDays"] = False
    if e.initial is not None:
        initial_date, initial_time = e.initial
        dates["initialStartDate"] = {"localDate": str(initial_date), "localTime": f"{initial_time}"}
    begins = e.start_utc()
    sale_start = SALE_PLACEHOLDER if e.sale_placeholder else _sale_start(ctx, e)
    public: dict[str, object] = {"startDateTime": sale_start, "startTBD": False, "startTBA": False}
    if begins is not None:
        public["endDateTime"] = begins.strftime("%Y-%m-%dT%H:%M:%SZ")
    attractions = [ctx.live.attractions[a] for a in e.attraction_ids]
    shape: dict[str, object] = {
        "name": e.name,
        "type": "event",
        "id": e.id,
        "test": False,
        "url": f"https://www.{TM_DOMAIN.get(e.venue.cc, 'ticketmaster.com')}/event/{e.id}",
        "locale": "en-us",
        "images": _images(e.id),
        "sales": {"public": public},
        "dates": dates,
        "classifications": _classifications(attractions[0].genre),
    }
    if e.price is not None:  # usually absent
        shape["priceRanges"] = [
            {
                "type": "standard",
                "currency": CURRENCY.get(e.venue.cc, "EUR"),
                "min": e.price[0],
                "max": e.price[1],
            }
        ]
    shape["_links"] = {
        "self": {"href": f"{_PREFIX}/events/{e.id}?locale=en-us"},
        "attractions": [{"href": f"{_PREFIX}/attractions/{a.id}?locale=en-us"} for a in attractions],
        "venues": [{"href": f"{_PREFIX}/venues/{e.venue.tm_id}?locale=en-us"}],
    }
    shape["_embedded"] = {
        "venues": [venue_json(ctx, e.venue)],
        "attractions": [attraction_json(ctx, a) for a in attractions],
    }
    return shape


def _sale_start(ctx: Ctx, e: Event) -> str:
    base = e.local_date or ctx.today
    return (datetime(base.year, base.month, base.day, 15, tzinfo=UTC) - timedelta(days=60)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
