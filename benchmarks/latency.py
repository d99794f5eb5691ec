"""Sync latency under `mysetlist dev` with the sandbox: pending -> in_progress and pending -> completed.

    .venv/bin/python benchmarks/latency.py --jobs 10            # a fresh embedded Postgres in a temp dir
    .venv/bin/python benchmarks/latency.py --jobs 10 --json out.json

Starts `mysetlist dev` (UI on a port other than 3000) on its own data folder, waits until the sync
sensors run, then inserts `sync_jobs` rows exactly as the app does, one at a time (each waits for the
previous to end, as a user importing an artist would see it), cycling through the sandbox's bundled
artists. One warm-up job is run first and reported apart. Timestamps are the database's own
(`created_at`, `started_at`, `completed_at`), and the Dagster run records split the wait:

- pickup: created -> claimed by the pending-jobs sensor (= in_progress)
- launch: claimed -> run worker started (queue dequeue + process start + loading the code)
- setup: run worker started -> first step started
- steps: first step started -> last step ended (= completed)

Goals (issue 5): p50 pending -> in_progress <= 8 s, p50 pending -> completed <= 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (name, spotify id) of the sandbox's bundled artists (mysetlist_pipelines/sandbox/data).
ARTISTS = [
    ("Zoë Marlowe", "D0hmAHahAI9fFQVGnYxiy8"),
    ("Neon Harbor", "f8TdnQugmi1WaGf6cUrZwy"),
    ("Mélodie Fjörd", "Rn4thvn19tuNrZtMiEGRrb"),
    ("Hollow Pines", "gpckCGsytiRwbdIcPzUC1q"),
    ("Ghost Arcade", "FzEzj2G0AduspFc3fSQaw1"),
    ("Paper Satellites", "vj7Jr3PxT1GMPNVGapzQni"),
    ("Echo Valley", "PkcYGc0lW6Q4Ci2nOP7r11"),
    ("The Velvet Static", "8IG9N3Cp7rHCP3M1yb94bC"),
]
RUN_STATUS_SENSORS = ("sync_jobs_on_run_success", "sync_jobs_on_run_failure", "sync_jobs_on_run_canceled")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def wait(condition: Any, timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=10, help="measured jobs (default 10)")
    parser.add_argument("--job-type", default="full_sync")
    parser.add_argument(
        "--port", type=int, default=0, help="Dagster UI port (default: a free one, never 3000)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="data folder for the embedded Postgres (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="mysetlist-bench-"))
    os.environ["MYSETLIST_DATA_DIR"] = str(data_dir)
    for name in ("DATABASE_URL", "DAGSTER_POSTGRES_URL", "DAGSTER_HOME"):
        os.environ.pop(name, None)
    port = args.port or free_port()
    if port == 3000:
        parser.error("port 3000 is reserved for the lead's `mysetlist dev`")

    import dagster as dg
    import psycopg
    from dagster._core.scheduler.instigation import InstigatorType

    from mysetlist_pipelines.lib.db.migrate import migrate
    from mysetlist_pipelines.lib.db.runtime import resolve
    from mysetlist_pipelines.lib.settings import get_settings
    from mysetlist_pipelines.lib.tracking import SYNC_JOB_TAG

    databases = resolve(get_settings())  # starts (or attaches to) the embedded server of data_dir
    migrate(databases.app_url)
    os.environ["DAGSTER_POSTGRES_URL"] = databases.dagster_url
    log_path = data_dir / "dev.log"
    print(f"mysetlist dev on port {port}, data in {data_dir} (log: {log_path})", flush=True)
    with log_path.open("wb") as log:
        dev = subprocess.Popen(
            [str(ROOT / ".venv/bin/mysetlist"), "dev", "--port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    home = data_dir / "dagster_home"
    results: list[dict[str, Any]] = []
    try:
        started = time.monotonic()
        wait(lambda: (home / "dagster.yaml").exists(), 120, "DAGSTER_HOME")
        instance = dg.DagsterInstance.from_config(str(home))

        def sensors_ready() -> bool:
            if dev.poll() is not None:
                raise RuntimeError(f"mysetlist dev exited with {dev.returncode}; see {log_path}")
            states = {s.name: s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)}
            return all(n in states and states[n].instigator_data.cursor for n in RUN_STATUS_SENSORS)  # type: ignore[union-attr]

        wait(sensors_ready, 300, "the sync sensors", interval=1)
        print(f"ready in {time.monotonic() - started:.1f} s", flush=True)

        with psycopg.connect(databases.app_url, autocommit=True) as conn:
            for i in range(args.jobs + 1):
                name, spotify_id = ARTISTS[i % len(ARTISTS)]
                results.append(
                    run_one(conn, instance, name, spotify_id, args.job_type, SYNC_JOB_TAG, warmup=i == 0)
                )
                r = results[-1]
                print(
                    f"{'warm-up' if r['warmup'] else f'job {i:2d}'}  {name:<18} {r['status']:<10} "
                    f"in_progress {r['to_in_progress']:5.1f} s  completed {r['to_completed']:5.1f} s  "
                    f"(pickup {r['pickup']:.1f}, launch {r['launch']:.1f}, setup {r['setup']:.1f}, "
                    f"steps {r['steps']:.1f})",
                    flush=True,
                )
    finally:
        os.killpg(dev.pid, signal.SIGINT)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
    report(results, args.json)
    return 0


def run_one(
    conn: Any, instance: Any, name: str, spotify_id: str, job_type: str, tag: str, warmup: bool
) -> dict[str, Any]:
    import dagster as dg
    from psycopg.types.json import Jsonb

    job_id = conn.execute(
        "INSERT INTO sync_jobs (entity_type, entity_id, spotify_id, job_type, priority, metadata) "
        "VALUES ('artist', gen_random_uuid()::text, %s, %s, 1, %s) RETURNING id",
        (spotify_id, job_type, Jsonb({"artist_name": name})),
    ).fetchone()[0]

    def ended() -> tuple[Any, ...] | None:
        row = conn.execute(
            "SELECT status, created_at, started_at, completed_at FROM sync_jobs WHERE id = %s", (job_id,)
        ).fetchone()
        return row if row[0] in ("completed", "partial", "failed") else None

    status, created, claimed, completed = wait(ended, 300, f"job {job_id}")
    first_step = conn.execute(
        "SELECT min(started_at) FROM pipelines.sync_step_state WHERE job_id = %s", (job_id,)
    ).fetchone()[0]
    (record,) = instance.get_run_records(dg.RunsFilter(tags={tag: job_id}))
    run_started = record.start_time or record.create_timestamp.timestamp()
    return {
        "job_id": job_id,
        "artist": name,
        "status": status,
        "warmup": warmup,
        "to_in_progress": (claimed - created).total_seconds(),
        "to_completed": (completed - created).total_seconds(),
        "pickup": (claimed - created).total_seconds(),
        "launch": run_started - claimed.timestamp(),
        "setup": first_step.timestamp() - run_started,
        "steps": (completed - first_step).total_seconds(),
    }


def report(results: list[dict[str, Any]], json_path: Path | None) -> None:
    measured = [r for r in results if not r["warmup"]]
    if not measured:
        return
    print(f"\n{len(measured)} jobs (after one warm-up):")
    summary: dict[str, dict[str, float]] = {}
    for key in ("to_in_progress", "to_completed", "pickup", "launch", "setup", "steps"):
        values = [r[key] for r in measured]
        summary[key] = {"p50": percentile(values, 50), "p90": percentile(values, 90), "max": max(values)}
        print(
            f"  {key:<15} p50 {summary[key]['p50']:5.1f} s   p90 {summary[key]['p90']:5.1f} s   max {max(values):5.1f} s"
        )
    goals = summary["to_in_progress"]["p50"] <= 8 and summary["to_completed"]["p50"] <= 20
    print(f"goals (p50 in_progress <= 8 s, completed <= 20 s): {'met' if goals else 'NOT met'}")
    if json_path:
        json_path.write_text(json.dumps({"summary": summary, "jobs": results}, indent=2, default=str))


if __name__ == "__main__":
    sys.exit(main())
