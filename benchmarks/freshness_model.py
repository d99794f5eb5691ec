"""What one day of the signal plan would ask of each provider at a size not run end to end (the
100,000-artist world takes hours on a shared 2-core machine): the same world, counted without HTTP.

Ticketmaster: per country and window of the sweep (near 60 days, 7 far slices), ceil(events / 200)
pages plus one re-read page per 1,000 events (lib/providers/ticketmaster narrows the window there). setlist.fm
feed: setlists changed in the day / 20; per-show fallback: headliners of the last 3 days' shows
without a setlist at the time of the plan. Spotify: the due release checks (N / 6 in the steady
state) and profiles (N / 29 + 1), plus the catalog syncs of the releases out that day (the album
pages + 1 album). A model of the plan's own cost rules, labelled as such in BENCHMARKS.md.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from mysetlist_sandbox.world import World, WorldConfig
from mysetlist_sandbox.world.index import Indexes
from mysetlist_sandbox.world.model import DAY
from mysetlist_sandbox.world.routes import NOW_MINUTE

from .freshness import QUOTAS, RESERVE


def day_cost(n: int, day: int = 1, countries: int = 10) -> dict[str, Any]:
    world = World(WorldConfig(n, days=day + 1))
    t = day * DAY + NOW_MINUTE
    index = Indexes(world).at(t)
    today = t // DAY
    edges = [today * DAY, (today + 60) * DAY] + [int((today + 60 + k * 305 / 7) * DAY) for k in range(1, 8)]
    tm = 0
    for cc in index.by_country:
        for lo, hi in itertools.pairwise(edges):
            found = len(index.window(cc, lo, hi))
            tm += max(1, math.ceil(found / 200)) + found // 1000
    tm += (countries - len(index.by_country)) * 8  # countries searched with no events: 1 call a window
    changed = len(index.updated_since(t - DAY))
    ev = world.ev
    waiting = {
        ev["artist"][e]
        for e in range(len(ev["artist"]))
        if today - 3 <= world.event_day(e, t) < today and ev["cancel_at"][e] > t and ev["posted"][e] > t
    }
    new = [r for r in range(len(world.rel["artist"])) if t - DAY < world.rel["minute"][r] <= t]
    catalog = sum(math.ceil(len(world.releases_of[world.rel["artist"][r]]) / 10) + 1 for r in new)
    spotify = math.ceil(n / 6) + math.ceil(n / 29) + 1 + catalog
    allow = {p: int(QUOTAS[p] * (1 - RESERVE)) for p in QUOTAS}
    return {
        "artists": n,
        "ticketmaster": tm,
        "setlistfm_feed": math.ceil(changed / 20),
        "setlistfm_per_show": len(waiting),
        "spotify": spotify,
        "allow": allow,
        "listed_events": sum(len(s) for s, _ in index.by_country.values()),
    }


def figure_of(cost: dict[str, Any]) -> dict[str, Any]:
    from .env import figure

    allow = cost["allow"]
    over = [p for p, key in (("ticketmaster", "ticketmaster"), ("setlistfm", "setlistfm_feed"), ("spotify", "spotify"))
            if cost[key] > allow[p]]  # fmt: skip
    bound = {
        "spotify": int(cost["artists"] * allow["spotify"] / cost["spotify"]),
        "setlist.fm per show": int(cost["artists"] * allow["setlistfm"] / max(1, cost["setlistfm_per_show"])),
    }
    return figure(
        f"fleet freshness, {cost['artists']:,} artists (one day, modelled)",
        "every provider's day within 80 % of its quota",
        f"Ticketmaster {cost['ticketmaster']:,}/{allow['ticketmaster']:,} ({cost['listed_events']:,} listed events), "
        f"setlist.fm feed {cost['setlistfm_feed']:,}/{allow['setlistfm']:,} (per-show fallback "
        f"{cost['setlistfm_per_show']:,}), Spotify {cost['spotify']:,}/{allow['spotify']:,}; at the default "
        f"quotas Spotify keeps {bound['spotify']:,} artists within the table, the setlist.fm fallback "
        f"{bound['setlist.fm per show']:,}",
        "the plan's cost rules counted on the same world without HTTP (benchmarks/freshness_model.py; at "
        "10,000 artists the model gives TM 241, FM 16, Spotify 2,101 calls a day against 221, 11-18 and "
        "~2,070 measured)",
        not over,
        {"model": cost, "over": over, "bound": bound},
    )
