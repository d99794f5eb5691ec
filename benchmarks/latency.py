"""Sync latency under `mysetlist dev` with the sandbox: pending -> in_progress and pending -> completed.

    .venv/bin/python -m benchmarks.latency --jobs 10 [--json out.json]

Starts `mysetlist dev` (benchmarks/devstack.py: a free port, never 3000; fresh databases; the
settings' provider rates, as a user's import would pace), then inserts `sync_jobs` rows exactly as the
app does, one at a time (each waits for the previous to end, as a user importing an artist would see
it), cycling through the sandbox's bundled artists. One warm-up job is run first and reported apart.
Timestamps are the database's own (`created_at`, `started_at`, `completed_at`), and the Dagster run
records split the wait:

- pickup: created -> claimed by the pending-jobs sensor (= in_progress)
- launch: claimed -> run worker started (queue dequeue + process start + loading the code)
- setup: run worker started -> first step started
- steps: first step started -> last step ended (= completed)

Goals (issue 5): p50 pending -> in_progress <= 8 s, p50 pending -> completed <= 20 s.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
from psycopg.types.json import Jsonb

from mysetlist_pipelines.lib.tracking import SYNC_JOB_TAG
from mysetlist_sandbox.server import SandboxServer

from .devstack import DevStack, dev_stack
from .env import BenchEnv, bench_env, figure, percentile, poll

GOALS = {"to_in_progress": 8.0, "to_completed": 20.0}
KEYS = ("to_in_progress", "to_completed", "pickup", "launch", "setup", "steps")


def run_one(
    conn: psycopg.Connection, instance: dg.DagsterInstance, name: str, spotify_id: str, job_type: str
) -> dict[str, Any]:
    job_id = conn.execute(
        "INSERT INTO sync_jobs (entity_type, entity_id, spotify_id, job_type, priority, metadata) "
        "VALUES ('artist', gen_random_uuid()::text, %s, %s, 1, %s) RETURNING id",
        (spotify_id, job_type, Jsonb({"artist_name": name})),
    ).fetchone()[0]  # type: ignore[index]

    def ended() -> tuple[Any, ...] | None:
        row = conn.execute(
            "SELECT status, created_at, started_at, completed_at FROM sync_jobs WHERE id = %s", (job_id,)
        ).fetchone()
        return row if row and row[0] in ("completed", "partial", "failed") else None

    status, created, claimed, completed = poll(ended, 300, f"job {job_id}")
    first_step = conn.execute(
        "SELECT min(started_at) FROM pipelines.sync_step_state WHERE job_id = %s", (job_id,)
    ).fetchone()[0]  # type: ignore[index]
    (record,) = instance.get_run_records(dg.RunsFilter(tags={SYNC_JOB_TAG: str(job_id)}))
    run_started = record.start_time or record.create_timestamp.timestamp()
    return {
        "job_id": str(job_id),
        "artist": name,
        "status": status,
        "to_in_progress": (claimed - created).total_seconds(),
        "to_completed": (completed - created).total_seconds(),
        "pickup": (claimed - created).total_seconds(),
        "launch": run_started - claimed.timestamp(),
        "setup": first_step.timestamp() - run_started,
        "steps": (completed - first_step).total_seconds(),
    }


def run_jobs(
    stack: DevStack, sandbox: SandboxServer, jobs: int, job_type: str, log: bool = True, warmup: bool = True
) -> list[dict[str, Any]]:
    """`jobs` sync_jobs rows one after another (after a warm-up one), the bundled artists in turn."""
    refs = sandbox.artists(synthetic=False)
    results = []
    with psycopg.connect(stack.app_url, autocommit=True) as conn:
        for i in range(0 if warmup else 1, jobs + 1):
            ref = refs[i % len(refs)]
            stack.alive()
            result = run_one(conn, stack.instance, ref.name, ref.spotify_id, job_type)
            result["warmup"] = i == 0
            results.append(result)
            if log:
                label = "warm-up" if i == 0 else f"job {i:2d}"
                print(
                    f"  {label}  {ref.name:<18} {result['status']:<10} in_progress {result['to_in_progress']:5.1f} s  "
                    f"completed {result['to_completed']:5.1f} s  (pickup {result['pickup']:.1f}, launch "
                    f"{result['launch']:.1f}, setup {result['setup']:.1f}, steps {result['steps']:.1f})",
                    flush=True,
                )
    return results


def summarize(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    measured = [r for r in results if not r["warmup"]]
    return {
        key: {
            "p50": round(percentile([r[key] for r in measured], 50), 2),
            "p90": round(percentile([r[key] for r in measured], 90), 2),
            "max": round(max(r[key] for r in measured), 2),
        }
        for key in KEYS
    }


def measure(
    env: BenchEnv, jobs: int = 10, job_type: str = "full_sync", log: bool = True
) -> list[dict[str, Any]]:
    with SandboxServer() as sandbox, dev_stack(env, sandbox, "latency") as stack:
        results = run_jobs(stack, sandbox, jobs, job_type, log)
        ready = stack.ready_seconds
    return [latency_figure(results, job_type, ready)]


def latency_figure(
    results: list[dict[str, Any]], job_type: str, ready: float, rates: str = "settings' provider rates"
) -> dict[str, Any]:
    jobs = sum(1 for r in results if not r["warmup"])
    s = summarize(results)
    failed = [r["artist"] for r in results if r["status"] != "completed"]
    ok = not failed and all(s[k]["p50"] <= goal for k, goal in GOALS.items())
    split = ", ".join(f"{k} {s[k]['p50']:.1f}" for k in ("pickup", "launch", "setup", "steps"))
    return figure(
        "pickup and completion latency",
        "pickup p50 <= 8 s, completion p50 <= 20 s",
        f"pickup p50 {s['to_in_progress']['p50']:.1f} s / p90 {s['to_in_progress']['p90']:.1f} s; completion p50 "
        f"{s['to_completed']['p50']:.1f} s / p90 {s['to_completed']['p90']:.1f} s ({jobs} jobs; p50 split: {split} s)"
        + (f"; not completed: {', '.join(failed)}" if failed else ""),
        f"`mysetlist dev` (ready in {ready:.0f} s), {jobs} app-style `{job_type}` sync_jobs inserts one after "
        f"another ({'after a warm-up' if jobs < len(results) else 'no warm-up'}), the bundled artists in turn, {rates}; database timestamps",
        ok,
        {"job_type": job_type, "jobs": jobs, "ready_seconds": ready, "summary": s, "results": results},
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=10, help="measured jobs (default 10)")
    parser.add_argument("--job-type", default="full_sync")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    with bench_env() as env:
        (result,) = measure(env, args.jobs, args.job_type)
    print(f"{result['measured']}\ngoals ({result['goal']}): {'met' if result['pass'] else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
