"""Provider calls per full import (against the minimum, benchmarks/minimum.py) and per refresh when
nothing changed, for every bundled sandbox artist, counted by the sandbox itself.

Each artist is requested by name, as the app does, and imported by the real `full_sync` job (Dagster,
in process, the project's definitions) into one fresh database; then the `update` job runs for each.
The sandbox's counters are reset before every run, so each run's calls are its own.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.providers import registry
from mysetlist_sandbox.expected import catalog_releases
from mysetlist_sandbox.server import SandboxServer

from .env import FAST_RATES, BenchEnv, figure, provider_vars, settings_env
from .minimum import minimum_calls, total

GOAL_RATIO = 1.05
# Dagster's console logger prints every event at DEBUG; the figures need none of it.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
PROVIDERS = registry.names()


def by_provider(calls: dict[str, int]) -> dict[str, int]:
    out: Counter[str] = Counter()
    for endpoint, n in calls.items():
        out[endpoint.split(":")[0]] += n
    return {p: out.get(p, 0) for p in PROVIDERS}


def run_counted(
    sandbox: SandboxServer, definitions: dg.Definitions, instance: dg.DagsterInstance, job: str, key: str
) -> tuple[bool, dict[str, int]]:
    sandbox.reset()
    result = definitions.resolve_job_def(job).execute_in_process(
        instance=instance, partition_key=key, raise_on_error=False, run_config=QUIET
    )
    return result.success, {k: v for k, v in sandbox.counters()["calls"].items() if v}


def measure(env: BenchEnv, keys: list[str] | None = None) -> list[dict[str, Any]]:
    from mysetlist_pipelines.definitions import defs

    sandbox = SandboxServer().start()
    url = env.database("calls")
    try:
        with (
            settings_env({"DATABASE_URL": url, **provider_vars(sandbox, FAST_RATES)}),
            dg.instance_for_test() as instance,
        ):
            definitions = defs()
            refs = [r for r in sandbox.artists(synthetic=False) if keys is None or r.key in keys]
            with psycopg.connect(url, autocommit=True) as conn:
                partitions = artist_keys.register(
                    conn, [artist_keys.ArtistRequest(name=r.name) for r in refs]
                )
            instance.add_dynamic_partitions("artists", partitions)
            imports, refreshes = {}, {}
            for ref, partition in zip(refs, partitions, strict=True):
                ok, calls = run_counted(sandbox, definitions, instance, "full_sync", partition)
                minimum = minimum_calls(sandbox.dataset, ref.key, sandbox.today)
                imports[ref.key] = {"success": ok, "calls": calls, "by_provider": by_provider(calls),
                                    "total": sum(calls.values()), "minimum": minimum,
                                    "minimum_total": total(minimum)}  # fmt: skip
            for ref, partition in zip(refs, partitions, strict=True):
                ok, calls = run_counted(sandbox, definitions, instance, "update", partition)
                releases = len(catalog_releases(sandbox.dataset, ref.spotify_id))
                spotify_known = "album-list pages" in imports[ref.key]["minimum"]["spotify"]
                pages = math.ceil(releases / 10) if spotify_known else 0
                refreshes[ref.key] = {"success": ok, "calls": calls, "by_provider": by_provider(calls),
                                      "album_list_pages": pages}  # fmt: skip
    finally:
        sandbox.stop()
    return [import_figure(imports), refresh_figure(refreshes)]


def import_figure(imports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    for row in imports.values():
        row["ratio"] = round(row["total"] / row["minimum_total"], 3)
    worst_key = max(imports, key=lambda k: imports[k]["ratio"])
    worst = imports[worst_key]
    made, least = sum(r["total"] for r in imports.values()), sum(r["minimum_total"] for r in imports.values())
    ok = all(r["success"] for r in imports.values()) and worst["ratio"] <= GOAL_RATIO
    per_artist = ", ".join(f"{k} {r['total']}/{r['minimum_total']}" for k, r in sorted(imports.items()))
    return figure(
        "provider calls per full import",
        f"<= {GOAL_RATIO} x minimum, every artist",
        f"worst {worst['ratio']:.2f}x ({worst_key}); all {len(imports)} artists: {made} calls vs minimum {least} "
        f"({made / least:.2f}x). Per artist (made/minimum): {per_artist}",
        "`full_sync` of each bundled sandbox artist, requested by name, in one fresh database; calls counted "
        "by the sandbox; minimum per benchmarks/minimum.py (formula in BENCHMARKS.md)",
        ok,
        {"artists": imports},
    )


def refresh_figure(refreshes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    over = {}
    for key, row in refreshes.items():
        got = row["by_provider"]
        tokens = row["calls"].get("spotify:token", 0)
        row["spotify_without_token"] = got["spotify"] - tokens
        row["within_goal"] = (
            row["success"]
            and got["ticketmaster"] <= 1
            and got["setlistfm"] <= 1
            and row["spotify_without_token"] <= row["album_list_pages"]
        )
        if not row["within_goal"]:
            over[key] = got
    per_artist = ", ".join(
        f"{k} {r['by_provider']['ticketmaster']} TM + {r['by_provider']['setlistfm']} FM + "
        f"{r['spotify_without_token']}/{r['album_list_pages']} album pages"
        for k, r in sorted(refreshes.items())
    )
    tokens = sum(r["calls"].get("spotify:token", 0) for r in refreshes.values())
    return figure(
        "provider calls per refresh, nothing changed",
        "<= 1 Ticketmaster + 1 setlist.fm + the Spotify album-list pages",
        f"{'all' if not over else 'not all'} {len(refreshes)} artists within the goal: {per_artist}; plus "
        f"{tokens} Spotify token call(s) in {len(refreshes)} runs (one per run process, shared by a batch)",
        "`update` of each artist right after its import (same database, nothing changed at the sandbox); "
        "calls counted by the sandbox",
        not over,
        {"artists": refreshes, "over": over},
    )
