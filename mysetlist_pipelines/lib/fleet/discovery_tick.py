"""One tick of sync-us-shows / sync-eu-shows / trending-artist-sync, in plain Python (run by the
`discovery` job's op, defs/schedules/discovery.py).

1. Nothing is asked of Ticketmaster while its circuit is open; otherwise discovery (discovery.py)
   searches the markets within what the Ticketmaster allowance leaves and the tick's deadline.
2. `refresh_known`: the known artists with events the app has no show for get a shows refresh, in
   batches, planned like any fleet refresh against the allowances as they stand after discovery.
3. Attractions worth importing (imports.py), most upcoming events first, up to `max_imports` and what
   the allowances leave for first imports, are requested as pending `sync_jobs` rows (the app's own
   path); the rest wait for a later tick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg

from ..providers.clients import Providers
from . import imports, selection
from .batches import Batch
from .tick import TickInfo, read_allowances, refresh
from .tm_discovery import discover
from .work import PROVIDERS, WORK

WINDOW = timedelta(days=90)  # how far ahead discovery looks
# The discovery run's own bound (it runs in a job, not in a schedule's 60-s evaluation): long enough
# for the paced search of every market when other runs share the Ticketmaster pace, short enough that
# a stuck provider does not hold the tick for hours; what it did not reach waits for the next tick.
DEADLINE_SECONDS = 600.0
MIN_UPCOMING = 3  # Ticketmaster upcoming events that make an unknown artist worth importing


@dataclass
class DiscoveryOutcome:
    batches: list[Batch] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # attraction id -> sync_jobs id
    result: dict[str, Any] = field(default_factory=dict)
    timed_out: bool = False


def discovery_tick(
    conn: psycopg.Connection,
    clients: Providers,
    info: TickInfo,
    countries: Sequence[str],
    *,
    reserve_fraction: float,
    max_pages: int,
    max_imports: int,
    min_upcoming: int,
    refresh_known: bool,
    register_partitions: Callable[[list[str]], Sequence[str]],
    deadline: float,
) -> DiscoveryOutcome:
    out = DiscoveryOutcome()
    out.result = {"tick": info.tick.isoformat(), "countries_planned": list(countries)}
    allowed = read_allowances(conn, clients, reserve_fraction)
    tm = allowed["ticketmaster"]
    if tm.is_open(info.now):
        why = f"ticketmaster circuit open until {tm.circuit_open_until}: {tm.circuit_reason or ''}".rstrip(
            ": "
        )
        out.result["deferred"] = {
            "count": len(countries),
            "by_reason": {"circuit:ticketmaster": 1},
            "why": why,
        }
        out.result["budget"] = {p: a.as_dict() for p, a in sorted(allowed.items())}
        return out
    found = discover(
        clients,
        countries,
        start=info.now,
        end=info.now + WINDOW,
        max_pages=max_pages,
        call_budget=tm.available,
        deadline=deadline,
    )
    out.timed_out = found.timed_out
    out.result["discovery"] = found.summary()
    allowed = read_allowances(conn, clients, reserve_fraction)  # discovery's own calls now counted
    spent = dict.fromkeys(PROVIDERS, 0)
    if refresh_known:
        new = imports.artists_with_new_events(conn, found.attractions)
        refreshed = refresh(
            conn,
            info,
            WORK["shows"],
            lambda c, now: selection.with_new_events(c, now, list(new)),
            allowed,
            register_partitions,
        )
        out.batches = refreshed.batches
        spent = refreshed.plan.spend
        out.result.update({k: v for k, v in refreshed.result.items() if k != "tick"})
        out.result["known_artists_with_new_events"] = len(new)
        out.result["new_events_of_known_artists"] = sum(new.values())
    else:
        out.result["budget"] = {p: a.as_dict() for p, a in sorted(allowed.items())}
    worth = imports.worth_importing(conn, found.attractions.values(), min_upcoming)
    wanted = min(len(worth), max_imports)
    fits, why = imports.imports_that_fit(allowed, spent, wanted, info.now)
    chosen = worth[:fits]
    out.imports = imports.request_imports(conn, chosen, info.schedule)
    out.result["imports"] = {
        "worth_importing": len(worth),
        "min_upcoming_events": min_upcoming,
        "requested": len(chosen),
        "max_per_tick": max_imports,
        "artists": [{"name": a.name, "upcoming_events": a.upcoming_total} for a in chosen],
        "deferred": {"count": wanted - len(chosen), "why": why} if len(chosen) < wanted else {"count": 0},
        "over_the_cap": len(worth) - wanted,
    }
    return out
