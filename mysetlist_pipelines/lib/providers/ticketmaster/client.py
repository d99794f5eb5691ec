"""Ticketmaster Discovery API v2 (apikey in the query string, HAL answers).

Cost (calls, each paced and counted; `N` = events that match):
    attraction(id), event(id)         1 each
    venue(id)                         1 (venues also come embedded in events: usually 0)
    search_attractions(keyword)       1 (one page)
    events_by_attraction / discover   max(1, ceil(N / 200)) when N <= 1000, the deep-paging limit
                                      (size * page < 1000); beyond it the search restarts from the last
                                      event's date, so ceil(N / 200) + about one page per 1000 events.
Pages are size=200, sort=date,asc; `_links.next.href` is relative and lacks the apikey: it is resolved
against our base URL and the key re-added. Dates go out as exactly YYYY-MM-DDTHH:mm:ssZ.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...http import ProviderNotConfigured, ProviderSession, redacting_logger, register_secret
from ...http.paths import segment
from ..base import parse, parse_items
from .models import Attraction, Event, Page, Venue

PROVIDER = "ticketmaster"
PAGE_SIZE = 200  # the maximum; more is 400 DIS1036
DEEP_LIMIT = 1000  # size * page must stay below it (DIS1035)
_TEMPLATE = re.compile(r"\{[^}]*\}")

log: logging.Logger = redacting_logger(__name__)


def tm_datetime(value: datetime | date) -> str:
    """The only format the API accepts: YYYY-MM-DDTHH:mm:ssZ (milliseconds are a 400 DIS1015)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TicketmasterClient:
    def __init__(self, session: ProviderSession, *, api_url: str, api_key: str | None) -> None:
        self._session = session
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        register_secret(api_key)

    def _key(self) -> str:
        if not self._api_key:
            raise ProviderNotConfigured(
                PROVIDER,
                "TICKETMASTER_API_KEY is not set: set it, or run under `mysetlist dev`, which points "
                "Ticketmaster at the sandbox",
            )
        return self._api_key

    def _get(self, endpoint: str, url: str, params: dict[str, Any], *, not_found_ok: bool = False) -> Any:
        if not url.startswith(("http://", "https://")):
            url = self.api_url + url
        return self._session.get(
            endpoint, url, params={**params, "apikey": self._key()}, not_found_ok=not_found_ok
        )

    def _next_url(self, href: str) -> str:
        """A relative `next` href on our base (keeping a proxy's or sandbox's prefix), without any
        apikey of its own (ours is added as a parameter) and without HAL template braces."""
        href = _TEMPLATE.sub("", href)
        parts = urlsplit(href)
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "apikey"]
        )
        base = urlsplit(self.api_url)
        path = parts.path
        api_path = base.path.rstrip("/")  # e.g. /discovery/v2
        if not path.startswith(api_path + "/"):
            marker = path.find("/discovery/v2/")
            path = api_path + (
                path[marker + len("/discovery/v2") :] if marker >= 0 else "/" + path.lstrip("/")
            )
        return urlunsplit((base.scheme, base.netloc, path, query, ""))

    # -- single objects -----------------------------------------------------------------------

    def attraction(self, attraction_id: str) -> Attraction | None:
        """`GET /attractions/{id}.json` (1 call); None when unknown."""
        data = self._get(
            "ticketmaster:attraction", f"/attractions/{segment(attraction_id)}.json", {}, not_found_ok=True
        )
        return None if data is None else parse(Attraction, data, PROVIDER, "ticketmaster:attraction")

    def event(self, event_id: str) -> Event | None:
        """`GET /events/{id}.json` (1 call); None when unknown. The importer reads events by search;
        this refreshes one show."""
        data = self._get("ticketmaster:event", f"/events/{segment(event_id)}.json", {}, not_found_ok=True)
        return None if data is None else parse(Event, data, PROVIDER, "ticketmaster:event")

    def venue(self, venue_id: str) -> Venue | None:
        """`GET /venues/{id}.json` (1 call); None when unknown."""
        data = self._get("ticketmaster:venue", f"/venues/{segment(venue_id)}.json", {}, not_found_ok=True)
        return None if data is None else parse(Venue, data, PROVIDER, "ticketmaster:venue")

    def search_attractions(
        self, keyword: str, *, classification_name: str | None = "music", size: int = 20, page: int = 0
    ) -> list[Attraction]:
        """`GET /attractions.json?keyword=` (1 call, one page; empty when there is no `_embedded`)."""
        params: dict[str, Any] = {"keyword": keyword, "size": size, "page": page}
        if classification_name:
            params["classificationName"] = classification_name
        endpoint = "ticketmaster:attractions"
        page = parse(Page, self._get(endpoint, "/attractions.json", params), PROVIDER, endpoint)
        return parse_items(Attraction, page.embedded.attractions, PROVIDER, endpoint, noun="attraction")

    # -- event searches -----------------------------------------------------------------------

    def events_by_attraction(
        self,
        attraction_id: str,
        *,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
        include_tba: bool = False,
    ) -> list[Event]:
        """Every event of one attraction, oldest first. Without `start` Ticketmaster lists from now
        on; date-less (TBA) events come only with `include_tba` (last, after the dated ones)."""
        filters: dict[str, Any] = {"attractionId": attraction_id}
        if include_tba:
            filters["includeTBA"] = "yes"
        return list(self.iter_events(filters, start=start, end=end))

    def discover_events(
        self,
        *,
        country_code: str | None = None,
        classification_name: str | None = "music",
        keyword: str | None = None,
        state_code: str | None = None,
        city: str | None = None,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
    ) -> Iterator[Event]:
        """Events of a region and window, for schedules (same paging and windowing)."""
        filters = {
            "countryCode": country_code,
            "classificationName": classification_name,
            "keyword": keyword,
            "stateCode": state_code,
            "city": city,
        }
        return self.iter_events({k: v for k, v in filters.items() if v}, start=start, end=end)

    def iter_events(
        self,
        filters: dict[str, Any],
        *,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
        skipped: Counter[str] | None = None,
    ) -> Iterator[Event]:
        """`GET /events.json` with `filters`, pages of 200 by date, each event once.

        Paging stops short of the deep-paging limit; the search then restarts at the last event's
        start time (inclusive, so events sharing that instant are not lost; repeats are dropped).
        A page of the wrong shape raises BadProviderResponse; a malformed event (no id, a bad date)
        is left out and counted in `skipped`."""
        seen: set[str] = set()
        window_start = _as_utc(start)
        while True:
            last_start = yield from self._one_window(filters, window_start, _as_utc(end), seen, skipped)
            if last_start is None:
                return
            if window_start is not None and last_start <= window_start:
                # More than 1000 events at one instant cannot be paged at all: say so, keep what we have.
                log.warning(
                    "ticketmaster:events: over %d events start at %s; the rest cannot be paged",
                    DEEP_LIMIT,
                    tm_datetime(last_start),
                )
                return
            window_start = last_start

    def _one_window(
        self,
        filters: dict[str, Any],
        start: datetime | None,
        end: datetime | None,
        seen: set[str],
        skipped: Counter[str] | None,
    ) -> Iterator[Event]:
        """Pages of one window; returns None when the search is complete, else the start time of the
        last event read (where the next window begins)."""
        params: dict[str, Any] = {**filters, "size": PAGE_SIZE, "sort": "date,asc"}
        if start is not None:
            params["startDateTime"] = tm_datetime(start)
        if end is not None:
            params["endDateTime"] = tm_datetime(end)
        url, last = "/events.json", None
        while True:
            result = parse(
                Page, self._get("ticketmaster:events", url, params), PROVIDER, "ticketmaster:events"
            )
            items = result.embedded.events
            events = parse_items(Event, items, PROVIDER, "ticketmaster:events", noun="event", skipped=skipped)
            for event in events:
                last = _event_instant(event) or last
                if event.id not in seen:
                    seen.add(event.id)
                    yield event
            page, href = result.page, result.next_href
            if not items or not href or page.number + 1 >= page.total_pages:
                return None
            if (page.number + 1) * PAGE_SIZE >= DEEP_LIMIT:
                return last
            url, params = self._next_url(href), {}


def _as_utc(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _event_instant(event: Event) -> datetime | None:
    """When an event starts, as a UTC instant; a day-only event from the day before its local date,
    so that a window starting there cannot skip it whatever its timezone."""
    start = event.dates.start
    if start.date_time is not None:
        return start.date_time if start.date_time.tzinfo else start.date_time.replace(tzinfo=UTC)
    if start.local_date is not None:
        return _as_utc(start.local_date - timedelta(days=1))
    return None


def events_cost(events: int) -> int:
    """Calls for `events` matching events (N <= 1000: exact; beyond: the floor)."""
    return max(1, math.ceil(events / PAGE_SIZE))
