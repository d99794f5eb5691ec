"""Imports under fleet load (issue 15 item 4): an import the app asks for while the signal plan runs.

The fleet (one day of lib/fleet/signals on a 2,000-artist world) and the imports (the bundled
sandbox artists, one after another: profile, catalog, shows, setlists through lib/sync, as a run
worker runs the steps) share one Postgres pacing state at the settings' provider rates (4/s, 4/s,
1/s), against a sandbox enforcing the documented rate windows. Each import is marked in `sync_jobs`
(`in_progress` from its first call to its last) as the app's request would be. Its bound = its calls
/ the slowest provider's rate (as the latency and pacing figures define it); the figure is the p50 of
wall / bound, with the plan's gate (lib/fleet/signals/gate.py) and, for comparison, without it.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.fleet.signals import SignalSettings, run_day
from mysetlist_pipelines.lib.fleet.signals.gate import ImportGate
from mysetlist_pipelines.lib.http import ProviderLimits
from mysetlist_pipelines.lib.providers.clients import PROVIDERS, Providers
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_pipelines.lib.sync.artist_catalog import sync_catalog
from mysetlist_pipelines.lib.sync.artist_profile import sync_profile
from mysetlist_pipelines.lib.sync.artist_setlists import sync_setlists
from mysetlist_pipelines.lib.sync.artist_shows import sync_shows
from mysetlist_sandbox import sandbox_env
from mysetlist_sandbox.server import SandboxServer
from mysetlist_sandbox.world import World, WorldConfig
from mysetlist_sandbox.world.model import DAY
from mysetlist_sandbox.world.routes import NOW_MINUTE

from .freshness import seed

RATES = {"spotify": 4.0, "ticketmaster": 4.0, "setlistfm": 1.0}  # the settings' defaults
GOAL = 1.2


def paced(sandbox: SandboxServer, app_url: str) -> Providers:
    """Clients at the settings' rates on the shared pacing state in `app_url`."""
    env = {k: v for variables in sandbox_env(sandbox.base_url).values() for k, v in variables.items()}
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})  # type: ignore[call-arg]
    limits = {p: ProviderLimits(RATES[p], 10**9) for p in PROVIDERS}
    return Providers.from_settings(settings, app_url, limits=limits)


def one_import(conn: psycopg.Connection, providers: Providers, name: str, today: Any) -> dict[str, Any]:
    (key,) = artist_keys.register(conn, [artist_keys.ArtistRequest(name=name)])
    job = conn.execute(
        "INSERT INTO sync_jobs (entity_type, entity_id, job_type, status, metadata) "
        "VALUES ('artist', %s, 'full_sync', 'in_progress', %s) RETURNING id",
        (key, Jsonb({"artist_name": name})),
    ).fetchone()
    assert job is not None
    before = providers.calls()
    started = time.perf_counter()
    try:
        artist_id = sync_profile(conn, providers, key).artist_id
        assert artist_id is not None
        sync_catalog(conn, providers, artist_id)
        sync_shows(conn, providers, artist_id, today=today)
        sync_setlists(conn, providers, artist_id, today=today)
    finally:
        wall = time.perf_counter() - started
        conn.execute(
            "UPDATE sync_jobs SET status = 'completed', completed_at = now() WHERE id = %s", (job[0],)
        )
    calls = providers.calls_by_provider(providers.calls_since(before))
    bound = max(calls.get(p, 0) / RATES[p] for p in PROVIDERS)
    return {"artist": name, "wall": round(wall, 2), "calls": calls, "bound": round(bound, 2),
            "ratio": round(wall / bound, 2) if bound else None}  # fmt: skip


class _Stop(Exception):
    """Ends the plan's thread at its next gate once the imports are measured."""


def under_load(app_url: str, names: list[str], gated: bool | None, artists: int = 2000) -> dict[str, Any]:
    """`gated` None: the imports alone (no plan running), for the baseline."""
    world = World(WorldConfig(artists, days=2))
    with (
        SandboxServer(world=world, today=world.day_of(1).isoformat(), enforce_rates=True) as sandbox,
        psycopg.connect(app_url, autocommit=True) as conn,
    ):
        seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
        conn.execute("UPDATE pipelines.signal_artists SET releases_checked_at = NULL")  # a busy day
        fleet, imports = paced(sandbox, app_url), paced(sandbox, app_url)
        gate = ImportGate(app_url) if gated else None
        stop = threading.Event()

        def step_aside() -> None:
            if stop.is_set():
                raise _Stop
            if gate is not None:
                gate.wait()

        stop_after = {"spotify": 2000, "ticketmaster": 400, "setlistfm": 100}
        fleet_error: list[BaseException] = []

        def plan() -> None:
            try:
                with psycopg.connect(app_url, autocommit=True) as own:
                    run_day(own, fleet, now=world.at(DAY + NOW_MINUTE), allow=stop_after, gate=step_aside)
            except _Stop:
                pass
            except BaseException as exc:  # reported, not raised in a thread
                fleet_error.append(exc)

        thread = threading.Thread(target=plan, daemon=True)
        if gated is not None:
            thread.start()
            time.sleep(5)  # the plan is sending
        results = [one_import(conn, imports, name, world.day_of(1)) for name in names]
        fleet_calls = fleet.calls_by_provider()
        busy_while_importing = thread.is_alive()
        stop.set()
        if gated is not None:
            thread.join(timeout=120)
        counters = sandbox.counters()
        fleet.close()
        imports.close()
        if gate is not None:
            gate.close()
    ratios = [r["ratio"] for r in results if r["ratio"]]
    return {
        "gated": gated,
        "imports": results,
        "p50_ratio": round(statistics.median(ratios), 2) if ratios else None,
        "fleet_calls_so_far": fleet_calls,
        "fleet_still_running": busy_while_importing,
        "paused_seconds": round(gate.paused_seconds, 1) if gate else 0.0,
        "status_429": {p: counters["status_by_provider"][p].get("429", 0) for p in PROVIDERS},
        "fleet_error": repr(fleet_error[0]) if fleet_error else None,
    }


def measure(database: Callable[[str], str], names: list[str]) -> list[dict[str, Any]]:
    from .env import figure

    alone = under_load(database("imports_alone"), names, None)
    gated = under_load(database("imports_gated"), names, True)
    plain = under_load(database("imports_plain"), names, False)
    ok = gated["p50_ratio"] is not None and gated["p50_ratio"] <= GOAL and gated["fleet_still_running"]
    return [
        figure(
            "imports under fleet load",
            f"an import's wall <= {GOAL} x its pacing bound at p50 while the plan runs; zero 429s",
            f"p50 {gated['p50_ratio']}x with the plan's gate ({len(names)} imports; the plan paused "
            f"{gated['paused_seconds']} s for them); without the gate {plain['p50_ratio']}x; no plan running "
            f"{alone['p50_ratio']}x; 429s "
            f"{sum(gated['status_429'].values())} / {sum(plain['status_429'].values())}",
            "one signal-plan day on 2,000 artists in a thread and the bundled artists imported one after "
            "another, one pacing state, settings' rates 4/4/1 per s, sandbox enforcing the rate windows "
            "(benchmarks/freshness_imports.py)",
            ok and sum(gated["status_429"].values()) == 0,
            {"gated": gated, "plain": plain, "alone": alone},
        )
    ]
