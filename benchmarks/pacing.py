"""Pacing and memory: the largest sandbox artist imported with the sandbox enforcing the documented
rates (Spotify 150 calls per rolling 30 s, Ticketmaster 5/s, setlist.fm 2/s) and the clients pacing at
the settings' rates, in a process of its own (benchmarks/import_child.py) whose peak RSS is the
memory figure.

Bound: the slowest provider's calls / rate, max over providers of (calls_p - 1) / rate_p (the first
call of each goes at once), with rate_p the rate the pacer holds (the settings: what a deployment
configures). Goal: wall time of the run <= 1.2 x that bound, and no 429 at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_sandbox.server import SandboxServer

from .calls import by_provider
from .env import ROOT, BenchEnv, figure, provider_vars, settings_env

LARGEST = "velvet-static"
GOAL_FACTOR = 1.2
GOAL_RSS_MB = 300


def pacing_rates(extra_env: dict[str, str] | None = None) -> dict[str, float]:
    """The rates the child's pacer holds: the settings, with `extra_env` on top."""
    with settings_env(extra_env or {}):
        s = Settings(_env_file=None)  # type: ignore[call-arg]
    return {
        "spotify": s.spotify_rate_limit_per_second,
        "ticketmaster": s.ticketmaster_rate_limit_per_second,
        "setlistfm": s.setlistfm_rate_limit_per_second,
    }


def import_in_child(
    env: BenchEnv, sandbox: SandboxServer, key: str, extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Import artist `key` into a fresh database from a child process; its report plus the calls
    and statuses the sandbox saw."""
    url = env.database("pacing")
    ref = sandbox.artist(key)
    with psycopg.connect(url, autocommit=True) as conn:
        (partition,) = artist_keys.register(conn, [artist_keys.ArtistRequest(name=ref.name)])
    child_env = {**os.environ, **provider_vars(sandbox), "DATABASE_URL": url, **(extra_env or {})}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), child_env.get("PYTHONPATH")]))
    sandbox.reset(config=False)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_child", partition],
        env=child_env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"import child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(lines[-1])
    counters = sandbox.counters()
    calls = {k: v for k, v in counters["calls"].items() if v}
    report.update(
        process_seconds=round(wall, 3),
        calls=calls,
        by_provider=by_provider(calls),
        status=counters["status"],
        rate_violations=counters["rate_violations"],
    )
    return report


TUNED = {"MYSETLIST_SPOTIFY_RATE_BURST": "20"}


def measure(env: BenchEnv, key: str = LARGEST, tuned: bool = True) -> list[dict[str, Any]]:
    """The import with the shipped settings (the goal and the memory figure), then, in the same run,
    with the tune (a Spotify burst) for before/after."""
    sandbox = SandboxServer(enforce_rates=True).start()
    try:
        runs = [("settings defaults", {}, import_in_child(env, sandbox, key))]
        if tuned:
            runs.append(("MYSETLIST_SPOTIFY_RATE_BURST=20", TUNED, import_in_child(env, sandbox, key, TUNED)))
    finally:
        sandbox.stop()
    figures = [pacing_figure(key, run, pacing_rates(extra), label) for label, extra, run in runs]
    return [*figures, memory_figure(key, runs[0][2])]


def bound(by: dict[str, int], rates: dict[str, float]) -> tuple[str, float, float]:
    """(slowest provider, its (calls - 1) / rate, the sum of every provider's)."""
    times = {p: max(n - 1, 0) / rates[p] for p, n in by.items()}
    slowest = max(times, key=times.__getitem__)
    return slowest, times[slowest], sum(times.values())


def pacing_figure(key: str, run: dict[str, Any], rates: dict[str, float], label: str) -> dict[str, Any]:
    by = run["by_provider"]
    slowest, limit, serial = bound(by, rates)
    wall = run["run_seconds"]
    too_many = int(run["status"].get("429", 0))
    ok = bool(run["success"]) and wall <= GOAL_FACTOR * limit and too_many == 0
    return figure(
        f"pacing (largest artist, documented rates enforced; {label})",
        f"wall <= {GOAL_FACTOR} x slowest provider's calls/rate; zero 429s",
        f"{wall:.1f} s for {sum(by.values())} calls ({', '.join(f'{p} {n}' for p, n in by.items())}); "
        f"bound {slowest} {by[slowest]} calls at {rates[slowest]:g}/s = {limit:.1f} s -> {wall / limit:.2f}x; "
        f"{too_many} x 429, {sum(run['rate_violations'].values())} rate violations",
        f"`full_sync` of {key} in its own process (benchmarks/import_child.py); sandbox enforcing Spotify "
        "150/30 s, Ticketmaster 5/s, setlist.fm 2/s; clients at the settings' rates "
        f"({', '.join(f'{p} {r:g}/s' for p, r in rates.items())}); wall = the run, not the interpreter start",
        ok,
        {
            "artist": key,
            "rates": rates,
            "bound_seconds": limit,
            "bound_provider": slowest,
            "serial_bound_seconds": serial,
            **run,
        },
    )


def memory_figure(key: str, run: dict[str, Any]) -> dict[str, Any]:
    rss = run["peak_rss_mb"]
    return figure(
        "memory (peak RSS, largest artist's import)",
        f"<= {GOAL_RSS_MB} MB",
        f"{rss:.0f} MB",
        f"VmHWM of the process that ran {key}'s `full_sync` (Dagster and the code loaded, the run "
        "executed in process, as a run worker does)",
        bool(run["success"]) and rss <= GOAL_RSS_MB,
        {"artist": key, "peak_rss_mb": rss},
    )
