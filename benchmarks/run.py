"""Every benchmark, one command: `make bench` (= `.venv/bin/python -m benchmarks.run`).

    .venv/bin/python -m benchmarks.run                      # all; writes BENCHMARKS.md, benchmarks/results.json
                                                            # and the capacity table of docs/operations.md
    .venv/bin/python -m benchmarks.run --only calls,writes  # some (the files are written only for a full run)
    .venv/bin/python -m benchmarks.run --out /tmp/b         # write the two files elsewhere

Against the sandbox providers and an embedded PostgreSQL in a temporary folder (or DATABASE_URL's
server: databases are created and dropped on it). About 55 minutes on a 2-core machine. The sections,
cheapest first: writes, calls, connections (Postgres connections per run), pacing (+ memory), executor, latency (`mysetlist dev`), fleet
(`mysetlist dev`, 1,000 synthetic artists), scale (100,000 partitions: registration, the UI's queries
against `dagster-webserver`, sensor ticks, event-log rows and run retention), freshness (issue 15: the
signal plan on simulated worlds of 1,000 / 10,000 / 100,000 artists for 7 days each, 100,000 also
modelled; `--freshness-artists 1000,10000` leaves out the 100,000 run, about 32 minutes of the total),
imports_under_fleet. A section that fails is reported as such and the others
still run; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from . import (
    calls,
    capacity,
    connections,
    executor,
    fleet,
    freshness,
    freshness_imports,
    latency,
    pacing,
    report,
    scale,
    writes,
)
from .env import ROOT, BenchEnv, bench_env, load_average


@dataclass(frozen=True)
class Sizes:
    write_rows: int = 100_000
    write_chunk: int = 100
    call_artists: tuple[str, ...] | None = None  # None: all bundled artists
    pacing_artist: str = pacing.LARGEST
    pacing_tuned: bool = True
    executor_artist: str = "zoe-marlowe"
    executor_job: str = "catalog_only"
    latency_jobs: int = 10
    fleet_artists: int = 1000
    fleet_sample: int = 10
    scale_partitions: int = 100_000
    scale_open_jobs: int = 2_000
    scale_done_jobs: int = 100_000
    scale_materialized: int = 5_000
    # End to end (sandbox, Postgres, 7 days each); 100,000 also modelled (freshness_model.py). The
    # 100,000 run took 31.7 min in the 2026-12-03 `make bench` (setup included; load 3 on 2 cores):
    # most of a day is the Ticketmaster sweep reading the whole market (356,000 events, 1,887 calls).
    freshness_artists: tuple[int, ...] = (1_000, 10_000, 100_000)
    freshness_modelled: tuple[int, ...] = (100_000,)
    freshness_fallback: tuple[int, ...] = (1_000,)
    freshness_days: int = 7
    freshness_imports: tuple[str, ...] = (
        "echo-valley",
        "zoe-marlowe",
        "neon-harbor",
        "paper-satellites",
        "hollow-pines",
    )


SMOKE = Sizes(
    write_rows=2_000, call_artists=("echo-valley",), pacing_artist="echo-valley", pacing_tuned=False,
    executor_artist="echo-valley", latency_jobs=1, fleet_artists=4, fleet_sample=2,
    scale_partitions=500, scale_open_jobs=50, scale_done_jobs=100, scale_materialized=20,
    freshness_artists=(200,), freshness_fallback=(), freshness_days=2, freshness_modelled=(300,), freshness_imports=("echo-valley",),
)  # fmt: skip

# Cheapest and most timing-sensitive first; the fleet's seed runs in the background during `calls`
# (which only counts calls), so that nothing timed shares the machine with it.
SECTIONS: dict[str, Callable[[BenchEnv, Sizes], list[dict[str, Any]]]] = {
    "writes": lambda env, s: writes.measure(env, s.write_rows, s.write_chunk),
    "pacing": lambda env, s: pacing.measure(env, s.pacing_artist, s.pacing_tuned),
    "calls": lambda env, s: calls.measure(env, list(s.call_artists) if s.call_artists else None),
    "connections": lambda env, s: connections.measure(env),
    "executor": lambda env, s: executor.measure(env, s.executor_artist, s.executor_job, prepare=False),
    "latency": lambda env, s: latency.measure(env, s.latency_jobs),
    "fleet": lambda env, s: fleet.measure(
        env, s.fleet_artists, s.fleet_sample, prepared=_prepared.pop("fleet", None)
    ),
    "scale": lambda env, s: scale.measure(
        env, s.scale_partitions, s.scale_open_jobs, s.scale_done_jobs, materialized=s.scale_materialized
    ),
    # Issue 15: the signal plan on simulated worlds of 1,000 and 10,000 artists, 7 days each; 100,000 modelled.
    "freshness": lambda env, s: freshness.measure(
        env, s.freshness_artists, s.freshness_days, s.freshness_fallback, s.freshness_modelled
    ),
    # Issue 15 item 4: the app's imports while the plan runs, at the settings' rates.
    "imports_under_fleet": lambda env, s: freshness_imports.measure(env.database, list(s.freshness_imports)),
}
_prepared: dict[str, fleet.Prepared] = {}

NOTES = [
    "The sandbox answers in a few milliseconds; real providers add network time to every call. At the "
    "settings' rates (4/s, 4/s, 1/s) pacing hides up to 250 ms (1 s for setlist.fm) of it per call; a batch "
    "run, which syncs its artists one after another, would take about 3 x that latency longer per artist.",
    "Provider calls are counted by the sandbox (its own counters, reset before each run), not by the clients.",
    "Fleet: the artists are seeded by the lib/sync step functions directly (no Dagster) and not timed; the "
    "one-run-per-artist side runs on a sample and is extrapolated linearly to the whole fleet. Daily quotas "
    "are raised for the fleet (1,000 refreshes need more setlist.fm calls than its 1,440 a day); clients "
    "pace at 100/s, the most the settings accept. `mysetlist dev` keeps its schedules running; none falls "
    "due inside a benchmark unless it runs across a scheduled minute (then results.json's load shows it).",
    "Latency uses the settings' provider rates (4/s Spotify and Ticketmaster, 1/s setlist.fm), so a big "
    "artist's steps wait on pacing as a user's import would.",
    "Each `update` run fetches one Spotify token (one per run process); a batch run shares it across its "
    "artists.",
    "The executor row is context for the jobs' in-process executor (no goal): the same run with a process "
    "per step.",
]


def run(env: BenchEnv, sizes: Sizes, only: list[str], log: Callable[[str], None] = print) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    results: dict[str, Any] = {"started_at": started_at.strftime("%Y-%m-%d %H:%M UTC"), "sizes": sizes.__dict__,
                               "sections": {}, "figures": []}  # fmt: skip
    results["load"] = {"before": load_average()}
    for name in only:
        log(f"[{time.perf_counter() - started:6.0f} s] {name} (load {load_average()})")
        section: dict[str, Any] = {"load_before": load_average()}
        t0 = time.perf_counter()
        try:
            if name == "calls" and "fleet" in only:
                _prepared["fleet"] = fleet.prepare(env, sizes.fleet_artists)
                section["background"] = f"fleet seed of {sizes.fleet_artists} artists"
            figures = SECTIONS[name](env, sizes)
            if name == "calls" and "fleet" in _prepared:
                seeded = _prepared["fleet"].seeding.wait()
                log(
                    f"    (fleet seed: {seeded['artists']} artists in {seeded['seconds']:.0f} s, in the background)"
                )
            results["figures"] += figures
            section["figures"] = [f["figure"] for f in figures]
            for f in figures:
                log(
                    f"    {'PASS' if f['pass'] else 'MISS' if f['pass'] is False else '    '}  {f['figure']}: {f['measured']}"
                )
        except Exception as exc:  # one broken section must not lose the others' figures
            section["error"] = f"{type(exc).__name__}: {exc}"
            section["traceback"] = traceback.format_exc()
            log(f"    ERROR {section['error']}\n{section['traceback']}")
        section["seconds"] = round(time.perf_counter() - t0, 1)
        section["load_after"] = load_average()
        results["sections"][name] = section
    left = _prepared.pop("fleet", None)
    if left is not None:  # the fleet section did not run
        left.sandbox.stop()
    results["load"]["after"] = load_average()
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    results["postgres"] = {"embedded": env.embedded, "version": _pg_version(env.server_url)}
    results["machine"] = machine()
    results["commit"] = _commit()
    results["notes"] = NOTES
    return results


def machine() -> dict[str, Any]:
    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": round(memory, 1),
            "python": platform.python_version(), "platform": platform.platform()}  # fmt: skip


def _pg_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        return "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    md, raw = out / "BENCHMARKS.md", out / "benchmarks" / "results.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(results, indent=1, default=str) + "\n")
    md.write_text(report.render(results))
    guide = out / "docs" / "operations.md"
    if guide.exists():  # its capacity table follows the new numbers
        capacity.update(raw, guide)
    return md, raw


def merge(partial: dict[str, Any], previous: Path) -> dict[str, Any]:
    """The earlier full run's results with `partial`'s sections (figures, timings) in their place."""
    results = json.loads(previous.read_text())
    for name, section in partial["sections"].items():
        old = set(results["sections"].get(name, {}).get("figures", []))
        results["figures"] = [f for f in results["figures"] if f["figure"] not in old]
        section["merged"] = {"commit": partial["commit"], "started_at": partial["started_at"]}
        results["sections"][name] = section
    results["figures"] += partial["figures"]
    results["sizes"] = {
        **results.get("sizes", {}),
        **{k: v for k, v in partial["sizes"].items() if k.startswith(tuple(partial["sections"]))},
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=ROOT, help="where BENCHMARKS.md and benchmarks/ go")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (what the test suite runs)")
    parser.add_argument("--fleet-artists", type=int)
    parser.add_argument("--freshness-artists", help="comma-separated fleet sizes simulated end to end")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs of mysetlist dev)")
    parser.add_argument(
        "--merge", action="store_true",
        help="with --only: put these sections' figures into the existing results.json and re-render the files",
    )  # fmt: skip
    args = parser.parse_args(argv)
    only = args.only.split(",") if args.only else list(SECTIONS)
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    sizes = SMOKE if args.smoke else Sizes()
    if args.freshness_artists:
        sizes = Sizes(
            **{
                **sizes.__dict__,
                "freshness_artists": tuple(int(x) for x in args.freshness_artists.split(",")),
            }
        )
    if args.fleet_artists:
        sizes = Sizes(**{**sizes.__dict__, "fleet_artists": args.fleet_artists})
    with bench_env(keep=args.keep) as env:
        print(f"benchmarks: {', '.join(only)}; work folder {env.workdir}", flush=True)
        results = run(env, sizes, only, lambda line: print(line, flush=True))
    failed = [n for n, s in results["sections"].items() if s.get("error")]
    if only == list(SECTIONS) and not args.smoke:
        md, raw = write(results, args.out)
        print(f"wrote {md} and {raw}")
    elif args.merge and not args.smoke and not failed:
        md, raw = write(merge(results, args.out / "benchmarks" / "results.json"), args.out)
        print(f"merged {', '.join(only)} into {raw}; wrote {md}")
    else:
        print(
            json.dumps(
                [{k: f[k] for k in ("figure", "measured", "pass")} for f in results["figures"]], indent=1
            )
        )
    print(
        f"done in {results['wall_seconds'] / 60:.1f} min"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
