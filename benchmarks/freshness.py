"""Fleet freshness on free keys (issue 15): the signal plan against a simulated world, day by day.

1. The world (mysetlist_sandbox/world): N artists, seeded; the sandbox serves it at the
   providers' paths with the free daily quotas enforced by the sandbox itself (Ticketmaster 5,000,
   setlist.fm 1,440, Spotify the settings' 20,000); a call past a quota is a 429 there.
2. Seed (not timed as a figure): the N artists in the app's tables as an earlier import left them
   (ids, the releases already out in pipelines.spotify_releases, last checks spread over their
   cadence, as in a steady state), then a warm-up sweep on day 0 with no budget (the shows as they
   stood), and the setlist.fm feed's cursor at day 0.
3. Each simulated day at 06:00 UTC: the sandbox's `today` moves on and its daily counters reset; the
   plan runs (lib/fleet/signals.run_day: the same functions a schedule would run, without the
   daemon) within 80 % of each quota; then the app's tables are compared with the world's truth.
   Staleness of a change = the first day-end at which the app's tables show it minus when it
   happened in the world; changes still not visible at the end count at their age then.

The per-artist-timer design is modelled on the same world (freshness_timer.py).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psycopg

from mysetlist_pipelines.lib.fleet.signals import SignalSettings, day_allowances, fm_feed, run_day, tm_sweep
from mysetlist_pipelines.lib.fleet.signals.state import set_cursor
from mysetlist_pipelines.lib.http import ProviderLimits
from mysetlist_pipelines.lib.providers.clients import PROVIDERS, Providers
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_sandbox import sandbox_env
from mysetlist_sandbox.server import SandboxServer
from mysetlist_sandbox.world import World, WorldConfig
from mysetlist_sandbox.world.model import DAY
from mysetlist_sandbox.world.routes import NOW_MINUTE

QUOTAS = {"spotify": 20_000, "ticketmaster": 5_000, "setlistfm": 1_440}
RESERVE = 0.2
# The table: row -> what "fresh" allows, in hours.
GOALS = {
    "shows, artist with a show in the next 60 days": 24.0,
    "shows, every other artist": 7 * 24.0,
    "setlist of a show that happened (from its posting)": 48.0,
    "new releases": 7 * 24.0,
    "profile (name, images, ids)": 30 * 24.0,
}
ROWS = tuple(GOALS)


@dataclass
class Tracker:
    """Changes of the world not yet seen in the app's tables: row -> {key: (minute, item)}."""

    pending: dict[str, dict[Any, tuple[int, int]]] = field(default_factory=lambda: {r: {} for r in ROWS})
    done: dict[str, list[float]] = field(default_factory=lambda: {r: [] for r in ROWS})
    dropped: int = 0


def providers_for(sandbox: Any, app_url: str, rate: float = 1e6) -> Providers:
    env = {k: v for variables in sandbox_env(sandbox.base_url).values() for k, v in variables.items()}
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        **{k.lower(): v for k, v in env.items()},
        http_max_retries=0,
        http_backoff_seconds=0.05,
    )
    # The sandbox enforces the daily quotas; the clients' own budget is set out of the way.
    limits = {p: ProviderLimits(rate, 10**9) for p in PROVIDERS}
    return Providers.from_settings(settings, app_url, limits=limits)


def seed(conn: psycopg.Connection, world: World, now: datetime, plan: SignalSettings) -> dict[str, str]:
    """The N artists, their releases already out and their last checks; returns world index -> id."""
    rng = random.Random(world.config.seed + 1)
    n = world.config.artists
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]
    with conn.transaction():
        with conn.cursor().copy(
            "COPY artists (id, name, slug, spotify_id, tm_attraction_id, mbid, import_status) FROM STDIN"
        ) as copy:
            for i in range(n):
                copy.write_row((ids[i], world.artist_name(i), f"world-artist-{i:06d}", world.spotify_ids[i],
                                world.tm_ids[i], world.mbids[i], "complete"))  # fmt: skip
        with conn.cursor().copy(
            "COPY pipelines.spotify_releases (artist_id, album_id, name, album_type, release_date, "
            "total_tracks, status, tracks_kept) FROM STDIN"
        ) as copy:
            rel = world.rel
            for r in range(len(rel["artist"])):
                if rel["minute"][r] < world.minute(now):
                    tracks = rel["tracks"][r]
                    copy.write_row((ids[rel["artist"][r]], world.album_id(r), world.release_name(r),
                                    "album" if tracks > 2 else "single",
                                    world.day_of(rel["minute"][r] // DAY).isoformat(), tracks, "imported", tracks))  # fmt: skip
        buf = io.StringIO()
        for i in range(n):
            releases = now - timedelta(minutes=rng.randrange(plan.active_days * DAY))
            profile = now - timedelta(minutes=rng.randrange(plan.profile_days * DAY))
            buf.write(f"{ids[i]}\t{releases.isoformat()}\t{profile.isoformat()}\n")
        with conn.cursor().copy(
            "COPY pipelines.signal_artists (artist_id, releases_checked_at, profile_checked_at) FROM STDIN"
        ) as copy:
            copy.write(buf.getvalue())
    return dict(enumerate(ids))  # type: ignore[arg-type]


def near_artist(world: World, support_of: list[list[int]], i: int, t: int) -> bool:
    """At minute t, the artist has a listed, not cancelled show in the next 60 days."""
    today = t // DAY
    for e in world.events_of[i] + support_of[i]:
        if world.listed(e, t) and world.ev["cancel_at"][e] > t and 0 <= world.event_day(e, t) - today <= 60:
            return True
    return False


def changes(world: World, t0: int, end: int) -> list[tuple[int, str, int]]:
    """(minute, row, item) of every change in (t0, end]: shows announced, moved, cancelled;
    setlists posted; releases out."""
    ev, rel = world.ev, world.rel
    support_of: list[list[int]] = [[] for _ in range(world.config.artists)]
    for e, s in enumerate(ev["support"]):
        if s >= 0:
            support_of[s].append(e)
    out = []
    for e in range(len(ev["artist"])):
        for t in (ev["announce"][e], ev["move_at"][e], ev["cancel_at"][e]):
            if t0 < t <= end:
                row = ROWS[0] if near_artist(world, support_of, ev["artist"][e], t) else ROWS[1]
                out.append((t, row, e))
        if t0 < ev["posted"][e] <= end:
            out.append((ev["posted"][e], ROWS[2], e))
    for r in range(len(rel["artist"])):
        if t0 < rel["minute"][r] <= end:
            out.append((rel["minute"][r], ROWS[3], r))
    return sorted(out)


def observe(conn: psycopg.Connection, world: World, tracker: Tracker, t: int) -> None:
    """Moves the changes the app's tables show at minute t from pending to done (hours stale)."""
    today = t // DAY
    for row in ROWS[:2]:
        pending = tracker.pending[row]
        keys_of: dict[
            str, list[Any]
        ] = {}  # an event can have several changes pending (announced, then moved)
        for key, (_, e) in pending.items():
            keys_of.setdefault(world.event_id(e), []).append(key)
        stored = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "SELECT tm_event_id, date, status::text FROM shows WHERE tm_event_id = ANY(%s)",
                (list(keys_of),),
            )
        }
        for eid, keys in keys_of.items():
            e = pending[keys[0]][1]
            if world.event_day(e, t) < today:
                tracker.dropped += len(keys)  # over before anyone could see it: not a freshness figure
                for key in keys:
                    del pending[key]
                continue
            want = (
                world.day_of(world.event_day(e, t)),
                "cancelled" if world.ev["cancel_at"][e] <= t else "upcoming",
            )
            if stored.get(eid) == want:
                for key in keys:
                    tracker.done[row].append((t - pending[key][0]) / 60)
                    del pending[key]
    _observe_simple(
        conn, tracker, ROWS[2], t, lambda e: world.setlist_id(e),
        "SELECT external_id FROM setlists WHERE type = 'actual' AND external_id = ANY(%s)",
    )  # fmt: skip
    _observe_simple(
        conn, tracker, ROWS[3], t, lambda r: world.album_id(r),
        "SELECT album_id FROM pipelines.spotify_releases WHERE album_id = ANY(%s)",
    )  # fmt: skip


def _observe_simple(
    conn: psycopg.Connection, tracker: Tracker, row: str, t: int, key_of: Any, query: str
) -> None:
    pending = tracker.pending[row]
    wanted: dict[str, list[Any]] = {}
    for key, (_, item) in pending.items():
        wanted.setdefault(key_of(item), []).append(key)
    seen = {r[0] for r in conn.execute(query, (list(wanted),))}
    for ext, keys in wanted.items():
        if ext in seen:
            for key in keys:
                tracker.done[row].append((t - pending[key][0]) / 60)
                del pending[key]


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]  # noqa: E731
    return {"count": len(v), "p50": round(pick(0.5), 1), "p99": round(pick(0.99), 1), "max": round(v[-1], 1)}


class RemoteSandbox:
    """The world's sandbox in its own process (the plan and the sandbox then use both cores), driven
    through its control API as any test drives a sandbox over HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(f"{self.base_url}/_sandbox/{path}", data=data, method=method)
        with urllib.request.urlopen(req, timeout=120) as answer:
            return json.loads(answer.read())

    def configure(self, **kw: Any) -> Any:
        return self._call("POST", "config", kw)

    def reset(self, config: bool = True) -> Any:
        return self._call("POST", "reset", {"config": config})

    def counters(self) -> dict[str, Any]:
        return self._call("GET", "counters")


def _serve_world(config: WorldConfig, today: str, ready: Any) -> None:
    server = SandboxServer(world=World(config), today=today)
    ready.put(server.base_url)
    server._httpd.serve_forever()


@contextmanager
def world_sandbox(config: WorldConfig, today: str) -> Iterator[RemoteSandbox]:
    ctx = get_context("spawn")
    ready = ctx.Queue()
    process = ctx.Process(target=_serve_world, args=(config, today, ready), daemon=True)
    process.start()
    try:
        yield RemoteSandbox(ready.get(timeout=600))
    finally:
        process.terminate()
        process.join(timeout=10)


def simulate(app_url: str, n: int, days: int = 7, mode: str = "feed", world_seed: int = 15) -> dict[str, Any]:
    started = time.monotonic()
    config = WorldConfig(n, seed=world_seed, days=days + 1)
    world = World(config)  # the truth, here; the sandbox process builds the same world from the seed
    built = time.monotonic() - started
    settings = SignalSettings(setlist_mode=mode, spotify_workers=4)  # type: ignore[arg-type]
    start = world.config.start
    t0 = NOW_MINUTE
    with (
        world_sandbox(config, start.isoformat()) as sandbox,
        psycopg.connect(app_url, autocommit=True) as conn,
    ):
        providers = providers_for(sandbox, app_url)
        now0 = world.at(t0)
        seeding = time.monotonic()
        ids = seed(conn, world, now0, settings)
        seed_s = time.monotonic() - seeding
        del ids
        # Warm-up (not a figure): the shows as they stood on day 0, the feed's cursor at day 0.
        warm = time.monotonic()
        tm_sweep.sweep(conn, providers, today=start, countries=settings.countries, budget=10**9)
        set_cursor(conn, fm_feed.FEED_CURSOR, now0, 1)
        warm_s = time.monotonic() - warm
        sandbox.configure(quotas=QUOTAS)
        tracker = Tracker()
        todo = changes(world, t0, days * DAY + t0)
        k = 0
        per_day: list[dict[str, Any]] = []
        for d in range(1, days + 1):
            t = d * DAY + t0
            sandbox.configure(today=world.day_of(d).isoformat())
            sandbox.reset(config=False)  # a new provider day: quotas and counters start again
            while k < len(todo) and todo[k][0] <= t:
                minute, row, item = todo[k]
                tracker.pending[row][(minute, item, k)] = (minute, item)
                k += 1
            day_start = time.monotonic()
            report = run_day(
                conn, providers, now=world.at(t), allow=day_allowances(QUOTAS, {}, RESERVE), settings=settings
            )
            plan_s = time.monotonic() - day_start
            counters = sandbox.counters()
            observe(conn, world, tracker, t)
            ages = [
                (t - world.minute(r[0])) / 60
                for r in conn.execute("SELECT profile_checked_at FROM pipelines.signal_artists")
            ]
            release_ages = [
                (t - world.minute(r[0])) / 60
                for r in conn.execute("SELECT releases_checked_at FROM pipelines.signal_artists")
            ]
            per_day.append({
                "day": world.day_of(d).isoformat(),
                "calls": counters["by_provider"],
                "quota": QUOTAS,
                "status_429": {p: counters["status_by_provider"][p].get("429", 0) for p in PROVIDERS},
                "plan_seconds": round(plan_s, 1),
                "step_seconds": report.step_seconds,
                "profile_age_max_h": round(max(ages), 1),
                "release_check_age_max_h": round(max(release_ages), 1),
                "report": {"ticketmaster": report.ticketmaster, "setlistfm": report.setlistfm,
                           "spotify": report.spotify, "profiles": report.profiles},
            })  # fmt: skip
            if progress := os.environ.get("MYSETLIST_FRESHNESS_PROGRESS"):  # a long run's partial figures
                partial = {row: stats(v) for row, v in tracker.done.items()}
                Path(progress).write_text(json.dumps({"per_day": per_day, "done": partial}, default=str))
        end = days * DAY + t0
        for row in ROWS[:4]:  # still not visible: counted at their age now
            tracker.done[row].extend((end - since) / 60 for since, _ in tracker.pending[row].values())
        open_ = {row: len(tracker.pending[row]) for row in ROWS[:4]}
        tracker.done[ROWS[4]] = ages
        providers.close()
    staleness = {
        row: {**stats(tracker.done[row]), "open": open_.get(row, 0), "goal_h": GOALS[row]} for row in ROWS
    }
    # Releases: detection is bounded by the check cadence (a 7-day window cannot show a 7-day miss).
    staleness[ROWS[3]]["bound_h"] = max(d["release_check_age_max_h"] for d in per_day) + 24
    return {
        "artists": n,
        "days": days,
        "setlist_mode": mode,
        "events": len(world.ev["artist"]),
        "releases": len(world.rel["artist"]),
        "world_build_s": round(built, 1),
        "seed_s": round(seed_s, 1),
        "warmup_s": round(warm_s, 1),
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "per_day": per_day,
        "staleness": staleness,
        "dropped_changes": tracker.dropped,
        "meets": meets(staleness, per_day),
    }


def meets(staleness: dict[str, dict[str, float]], per_day: list[dict[str, Any]]) -> bool:
    fresh = all(max(s["max"], s.get("bound_h", 0.0)) <= s["goal_h"] for s in staleness.values())
    no_429 = all(sum(d["status_429"].values()) == 0 for d in per_day)
    within = all(d["calls"][p] <= QUOTAS[p] * (1 - RESERVE) for d in per_day for p in PROVIDERS)
    return fresh and no_429 and within


if __name__ == "__main__":  # pragma: no cover - a quick manual run: python -m benchmarks.freshness N
    import sys

    from .env import bench_env

    with bench_env() as env:
        print(json.dumps(simulate(env.database("fresh"), int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 7,
                                  sys.argv[3] if len(sys.argv) > 3 else "feed"), indent=1, default=str))  # fmt: skip
    _ = UTC


def measure(
    env: Any, sizes: tuple[int, ...], days: int, fallback: tuple[int, ...], modelled: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    """The `freshness` section of `make bench`: the signal plan (feed mode) at each N, the per-show
    fallback at the sizes in `fallback`, and the per-artist-timer model on the same worlds."""
    from .freshness_timer import model

    runs: list[dict[str, Any]] = []
    for n in sizes:
        result = simulate(env.database(f"fresh{n}"), n, days, "feed")
        world = World(WorldConfig(n, days=days + 1))
        result["timer"] = model(world, days, NOW_MINUTE)
        runs.append(result)
    for n in fallback:
        runs.append(simulate(env.database(f"fallback{n}"), n, days, "per_show"))
    from .freshness_model import day_cost, figure_of

    return figures_of(runs) + [figure_of(day_cost(n)) for n in modelled]


def figures_of(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """BENCHMARKS.md rows of simulation results (also for runs made one at a time)."""
    from .env import figure
    from .freshness_timer import timer_meets_model as timer_meets

    feed = [r for r in runs if r["setlist_mode"] == "feed"]
    best = max((r["artists"] for r in feed if r["meets"]), default=0)
    timer_best = max((r["artists"] for r in feed if timer_meets(r["timer"])), default=0)
    rows = []
    for r in runs:
        worst = {row: s["max"] for row, s in r["staleness"].items()}
        calls = {p: max(d["calls"][p] for d in r["per_day"]) for p in PROVIDERS}
        n429 = sum(sum(d["status_429"].values()) for d in r["per_day"])
        rows.append(
            figure(
                f"fleet freshness, {r['artists']:,} artists ({r['setlist_mode']})",
                "the issue's table (24 h / 7 d / 48 h / 7 d / 30 d), 0 x 429, calls <= 80 % of each quota",
                f"max staleness h: {', '.join(f'{v:.0f}' for v in worst.values())}; peak calls/day "
                + ", ".join(f"{p} {calls[p]:,}/{QUOTAS[p]:,}" for p in PROVIDERS)
                + f"; {n429} x 429; {r['seconds']:.0f} s wall",
                f"{r['days']} simulated days, world of {r['events']:,} events and {r['releases']:,} releases "
                "(benchmarks/freshness.py)",
                r["meets"],
                {"freshness": r},
            )
        )
    rows.append(
        figure(
            "largest fleet that meets the whole table",
            "100,000 artists",
            f"signal plan: {best:,}; per-artist timers: {timer_best:,}",
            "the sizes measured above",
            best >= 100_000,
            {"largest": best, "timer_largest": timer_best},
        )
    )
    return rows
