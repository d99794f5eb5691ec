"""Postgres connections one `full_sync` run opens on the app database (issue 14: "one run opens three
database connections"), counted by the server: `pg_stat_database.sessions` of the run's own fresh
database before and after the run (Postgres 14+ counts every session established), minus the
measuring connection itself. The run is the real job (Dagster, in process, the project's
definitions and resources) importing one sandbox artist at the shipped settings but fast provider
rates (the rates change waits, not connections). Dagster's own storage is the test instance's
(not on this database), so only the app's connections are counted.

    .venv/bin/python -m benchmarks.connections        # prints the figure as JSON
    .venv/bin/python -m benchmarks.run --only connections --merge   # into BENCHMARKS.md
"""

from __future__ import annotations

import json
import sys
from typing import Any

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_sandbox.server import SandboxServer

from .env import FAST_RATES, BenchEnv, bench_env, figure, provider_vars, settings_env

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
ARTIST = "echo-valley"


def _sessions(url: str) -> int:
    """Sessions established on `url`'s database so far, this query's own included."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def measure(env: BenchEnv, artist: str = ARTIST, job: str = "full_sync") -> list[dict[str, Any]]:
    from mysetlist_pipelines.definitions import defs

    sandbox = SandboxServer().start()
    url = env.database("connections")
    try:
        with (
            settings_env({"DATABASE_URL": url, **provider_vars(sandbox, FAST_RATES)}),
            dg.instance_for_test() as instance,
        ):
            definitions = defs()
            (ref,) = [r for r in sandbox.artists(synthetic=False) if r.key == artist]
            with psycopg.connect(url, autocommit=True) as conn:
                (partition,) = artist_keys.register(conn, [artist_keys.ArtistRequest(name=ref.name)])
            instance.add_dynamic_partitions("artists", [partition])
            before = _sessions(url)
            result = definitions.resolve_job_def(job).execute_in_process(
                instance=instance, partition_key=partition, raise_on_error=False, run_config=QUIET
            )
            # The statistics are flushed when a session ends; every session of the run has ended.
            opened = _sessions(url) - before - 1  # the second measuring session is not the run's
            steps = len(result.get_step_success_events()) + len(result.get_failed_step_keys())
    finally:
        sandbox.stop()
    raw = {"artist": artist, "job": job, "connections": opened, "steps": steps, "success": result.success}
    return [
        figure(
            f"Postgres connections per `{job}` run (context)",
            "none (issue 14: one connection per run where sharing is safe)",
            f"{opened} connections to the app database for {steps} steps (five assets, four checks): one "
            "shared by the steps, checks and tracking writes, one for the provider pacing store, one for the "
            "prefetch's own clients' pacing store (lib/sync/prefetch.py); 15 before "
            "issue 14 (d71af20: two per asset, one per check, one pacing)",
            f"`{job}` of {artist} in process with the project's definitions and resources (sandbox, fast "
            "rates); sessions counted by Postgres (`pg_stat_database.sessions` of the run's fresh database "
            "before and after, minus the counting session); Dagster's storage elsewhere",
            None if result.success else False,
            raw,
        )
    ]


def main() -> int:
    with bench_env() as env:
        rows = measure(env)
    print(json.dumps(rows, indent=2))
    return 0 if all(r["raw"]["success"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
