"""Ticketmaster discovery for sync-us-shows, sync-eu-shows and trending-artist-sync.

One `events.json` search per country (`countryCode`, `classificationName=music`, from now to
`days` ahead, sorted by date), read up to `max_pages` pages of 200 (lib/providers/ticketmaster cost: 1 call per
page). Every call goes through the shared HTTP policy (pacing, the daily quota, the breaker). A
country is searched only while the calls it may take still fit `call_budget`, and while the deadline
holds (a schedule tick must end well inside Dagster's 60-s evaluation timeout); the others are
deferred, saying why. What comes back is, per attraction met, Ticketmaster's own count of its
upcoming events (`upcomingEvents._total`, all markets) and the events seen here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..http import ProviderError
from ..providers.clients import Providers
from ..providers.ticketmaster.client import PAGE_SIZE


@dataclass
class SeenAttraction:
    attraction_id: str
    name: str
    upcoming_total: int  # Ticketmaster's count of its upcoming events, every market
    events: set[str] = field(default_factory=set)  # event ids seen in this discovery
    countries: set[str] = field(default_factory=set)


@dataclass
class Discovery:
    countries_done: list[str] = field(default_factory=list)
    countries_deferred: dict[str, str] = field(default_factory=dict)  # country -> why
    events: int = 0
    calls: int = 0
    timed_out: bool = False
    attractions: dict[str, SeenAttraction] = field(default_factory=dict)
    error: str | None = None

    def summary(self) -> dict[str, object]:
        return {
            "countries": self.countries_done,
            "countries_deferred": self.countries_deferred,
            "events_seen": self.events,
            "attractions_seen": len(self.attractions),
            "ticketmaster_calls": self.calls,
            **({"error": self.error} if self.error else {}),
        }


def discover(
    providers: Providers,
    countries: Sequence[str],
    *,
    start: datetime,
    end: datetime,
    max_pages: int,
    call_budget: int,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> Discovery:
    """Search each country in turn (see the module docstring); `deadline` is a `clock()` value."""
    found = Discovery()
    for i, country in enumerate(countries):
        rest = list(countries[i:])
        if found.calls + max_pages > call_budget:
            why = f"ticketmaster budget: {max(0, call_budget - found.calls)} calls left, a country may take {max_pages}"
            found.countries_deferred.update(dict.fromkeys(rest, why))
            break
        if clock() >= deadline:
            found.timed_out = True
            found.countries_deferred.update(dict.fromkeys(rest, "the tick's deadline passed"))
            break
        before = providers.calls()
        try:
            _one_country(providers, country, start, end, max_pages * PAGE_SIZE, deadline, clock, found)
        except ProviderError as exc:
            found.error = str(exc)
            found.countries_deferred.update(dict.fromkeys(rest, f"ticketmaster failed: {exc}"))
            break
        finally:
            found.calls += sum(providers.calls_since(before).values())
        found.countries_done.append(country)
    return found


def _one_country(
    providers: Providers,
    country: str,
    start: datetime,
    end: datetime,
    max_events: int,
    deadline: float,
    clock: Callable[[], float],
    found: Discovery,
) -> None:
    events = providers.ticketmaster.discover_events(
        country_code=country, classification_name="music", start=start, end=end
    )
    for n, event in enumerate(events, start=1):
        found.events += 1
        for attraction in event.attractions:
            seen = found.attractions.get(attraction.id)
            if seen is None:
                seen = found.attractions[attraction.id] = SeenAttraction(
                    attraction.id, attraction.name, attraction.upcoming_total
                )
            seen.upcoming_total = max(seen.upcoming_total, attraction.upcoming_total)
            seen.events.add(event.id)
            seen.countries.add(country)
        # Stop between pages: at the page cap, or past the deadline (the next page is not fetched).
        if n % PAGE_SIZE == 0 and (n >= max_events or clock() >= deadline):
            if n < max_events:
                found.timed_out = True
            return
