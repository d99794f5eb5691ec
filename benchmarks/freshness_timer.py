"""The per-artist-timer design (today's refresh schedules) on the same world, as a model.

What each schedule can do a day comes from the real selection rules and cost model: the artists
are turned into lib/fleet `Candidate`s with the world's facts (Spotify releases, recent events),
and lib/fleet/budget.plan is asked, with 80 % of each quota, how many `master_sync` (`update` work,
1 Ticketmaster + 1 setlist.fm + the album pages) takes in its daily tick, then how many shows-only
refreshes `update_active_artists` fits in its four ticks with what Ticketmaster has left, and how
many catalogs the weekly `complete_catalog_sync` fits with what Spotify has left. Selection is
least recently refreshed first, so in a steady state each artist is refreshed once per cycle of
(artists due / artists a day) days at a fixed phase; a change is visible at the first refresh of its
artist after it. Artists with no upcoming show are not "active": no timer refreshes their shows (the
discovery routes only read the first pages of each market, the next few days at this size), and
their profiles only through `sync_artist_data`, which needs setlist.fm calls `master_sync` has spent.
Nothing here runs against the sandbox: the model is the figure's "how measured".
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from mysetlist_pipelines.lib.fleet.allowances import Allowance
from mysetlist_pipelines.lib.fleet.budget import plan
from mysetlist_pipelines.lib.fleet.candidates import Candidate
from mysetlist_pipelines.lib.fleet.tick import MAX_ARTISTS_PER_TICK
from mysetlist_pipelines.lib.fleet.work import PROVIDERS, WORK
from mysetlist_sandbox.world import World
from mysetlist_sandbox.world.model import DAY

from .freshness import GOALS, QUOTAS, RESERVE, ROWS, changes, stats

BATCH = 25  # MYSETLIST_FLEET_BATCH_SIZE default


def _allowances(spent: dict[str, int]) -> dict[str, Allowance]:
    return {
        p: Allowance(p, QUOTAS[p], QUOTAS[p] - spent.get(p, 0), math.ceil(RESERVE * QUOTAS[p]), 0)
        for p in PROVIDERS
    }


def _active(world: World, i: int, support: list[list[int]], t: int) -> bool:
    today = t // DAY
    return any(
        world.listed(e, t) and world.ev["cancel_at"][e] > t and world.event_day(e, t) >= today
        for e in world.events_of[i] + support[i]
    )


def capacities(world: World, t: int) -> dict[str, Any]:
    now = world.at(t)
    support: list[list[int]] = [[] for _ in range(world.config.artists)]
    for e, s in enumerate(world.ev["support"]):
        if s >= 0:
            support[s].append(e)
    cands, active = [], 0
    for i in range(world.config.artists):
        releases = sum(1 for r in world.releases_of[i] if world.release_out(r, t))
        recent = sum(1 for e in world.events_of[i] if world.listed(e, t))
        c = Candidate(str(i), str(i), world.artist_name(i), world.spotify_ids[i], world.tm_ids[i], world.mbids[i],
                      now - timedelta(days=1), now - timedelta(days=2), now - timedelta(days=2),
                      now - timedelta(days=2), releases, recent, now - timedelta(days=2))  # fmt: skip
        if _active(world, i, support, t):
            cands.append(c)
            active += 1
    master = plan(
        cands, lambda c: WORK["update"].calls(c, now), _allowances({}), now, BATCH, MAX_ARTISTS_PER_TICK
    )
    spent = dict(master.spend)
    shows = 0
    for _ in range(4):  # update_active_artists: every 6 h, what Ticketmaster has left
        rest = [c for c in cands[len(master.selected) + shows :]]
        tick = plan(
            rest, lambda c: WORK["shows"].calls(c, now), _allowances(spent), now, BATCH, MAX_ARTISTS_PER_TICK
        )
        shows += len(tick.selected)
        for p, n in tick.spend.items():
            spent[p] = spent.get(p, 0) + n
    everyone = [
        Candidate(str(i), str(i), "", world.spotify_ids[i], None, None, now, now - timedelta(days=8), None, None,
                  sum(1 for r in world.releases_of[i] if world.release_out(r, t)), 0, None)
        for i in range(world.config.artists)
    ]  # fmt: skip
    catalog = plan(
        everyone,
        lambda c: WORK["catalog"].calls(c, now),
        _allowances(spent),
        now,
        BATCH,
        MAX_ARTISTS_PER_TICK,
    )
    return {
        "active": active,
        "master_sync_per_day": len(master.selected),
        "shows_refreshes_per_day": len(master.selected) + shows,
        "catalogs_per_week": len(catalog.selected),
        "spend_per_day": spent,
        "support": support,
    }


def model(world: World, days: int, t0: int) -> dict[str, Any]:
    cap = capacities(world, t0 + DAY)
    support = cap.pop("support")
    n = world.config.artists
    active = max(1, cap["active"])
    cycle = {  # days between two refreshes of one artist, per part (None: never refreshed)
        "shows": max(0.25, active / max(1, cap["shows_refreshes_per_day"])),
        "setlists": active / max(1, cap["master_sync_per_day"]) if cap["master_sync_per_day"] else None,
        "releases_active": active / max(1, cap["master_sync_per_day"])
        if cap["master_sync_per_day"]
        else None,
        "releases_other": 7 * n / max(1, cap["catalogs_per_week"]) if cap["catalogs_per_week"] else None,
    }
    rng = random.Random(7)
    phase = [rng.random() for _ in range(n)]
    end = days * DAY + t0
    out: dict[str, list[float]] = {r: [] for r in ROWS}
    open_: dict[str, int] = dict.fromkeys(ROWS, 0)
    for minute, row, item in changes(world, t0, end):
        artist = world.rel["artist"][item] if row == ROWS[3] else world.ev["artist"][item]
        if row in ROWS[:2]:
            c = cycle["shows"] if _active(world, artist, support, minute - 1) else None  # as the app saw it
        elif row == ROWS[2]:
            c = cycle["setlists"]
        else:
            c = (
                cycle["releases_active"]
                if _active(world, artist, support, minute)
                else cycle["releases_other"]
            )
        if c is None:
            out[row].append((end - minute) / 60)
            open_[row] += 1
            continue
        step = c * DAY
        k = math.ceil((minute - phase[artist] * step) / step)
        seen = min(end, phase[artist] * step + k * step)  # past the end: its age then, as for the plan
        out[row].append((seen - minute) / 60)
    # Profiles: master_sync's `update` looks an active artist up again once its profile is 7 days
    # old; the others only through sync_artist_data, with what setlist.fm has left after master_sync.
    left = max(0, math.floor(QUOTAS["setlistfm"] * (1 - RESERVE)) - cap["spend_per_day"].get("setlistfm", 0))
    others = n - cap["active"]
    active_age = None if cycle["setlists"] is None else max(7.0, cycle["setlists"])
    other_age = 7.0 if others == 0 else (max(7.0, others / left) if left else None)
    worst = None if active_age is None or other_age is None else 24 * max(active_age, other_age)
    result = {row: {**stats(out[row]), "open": open_[row], "goal_h": GOALS[row]} for row in ROWS[:4]}
    # A 7-day window cannot show a longer cycle: each row's max is also bounded by its cycle.
    bounds = {ROWS[0]: cycle["shows"], ROWS[1]: cycle["shows"], ROWS[2]: cycle["setlists"],
              ROWS[3]: max(c for c in (cycle["releases_active"], cycle["releases_other"]) if c is not None)
              if any((cycle["releases_active"], cycle["releases_other"])) else None}  # fmt: skip
    for row, c in bounds.items():
        if c is not None:
            result[row]["max"] = max(result[row]["max"], round(c * 24, 1))
    result[ROWS[4]] = {
        "count": n,
        "max": worst,
        "open": 0 if worst is not None else (others if other_age is None else n),
        "note": f"active every {active_age} d, the other {others} every {other_age} d",
        "goal_h": GOALS[ROWS[4]],
    }
    return {"capacity": cap, "cycle_days": cycle, "staleness": result}


def timer_meets_model(timer: dict[str, Any]) -> bool:
    """Whether the modelled timers meet every row of the table."""
    for s in timer["staleness"].values():
        if s.get("max") is None or s.get("open", 0) or s["max"] > s["goal_h"]:
            return False
    return True
