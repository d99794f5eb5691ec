"""Wall time of one artist's run with the in-process executor the jobs use and with Dagster's default
multiprocess executor (a process per step), as real runs: `dg.execute_job` on a reconstructable job,
a persistent instance, the sandbox and a real Postgres.

In the suite (`measure`): one artist imported in process, then its `update` with each executor.
Standalone, the README's full table (every job, both executors):

    .venv/bin/python -m benchmarks.executor [artist-key] [--rates] [--in-process-only]

`--rates` keeps the settings' provider rates (4/s Spotify and Ticketmaster, 1/s setlist.fm) instead
of 100/s. Standalone, DATABASE_URL may name a server (databases are created and dropped on it);
otherwise an embedded one is started.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.steps import JOB_ASSETS
from mysetlist_sandbox.server import SandboxServer

from .env import FAST_RATES, BenchEnv, bench_env, figure, provider_vars, settings_env

EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}
SEQUENCE = ("full_sync", "update", "catalog_only", "shows_only", "full_sync")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _definitions() -> dg.Definitions:
    from mysetlist_pipelines.definitions import defs

    base = defs()
    jobs = [
        dg.define_asset_job(
            f"{name}__{ex}", selection=dg.AssetSelection.assets(*assets), executor_def=executor
        )
        for name, assets in JOB_ASSETS.items()
        for ex, executor in EXECUTORS.items()
    ]
    return dg.Definitions.merge(base, dg.Definitions(jobs=jobs))


def _job_getter(job: str) -> Callable[[], dg.JobDefinition]:
    def get() -> dg.JobDefinition:
        return _definitions().resolve_job_def(job)

    get.__name__ = get.__qualname__ = f"get__{job}"
    globals()[get.__name__] = get
    return get


for _name in JOB_ASSETS:
    for _ex in EXECUTORS:
        _job_getter(f"{_name}__{_ex}")


def timed_run(
    instance: dg.DagsterInstance, sandbox: SandboxServer, job: str, executor: str, partition: str
) -> dict[str, Any]:
    sandbox.reset(config=False)
    started = time.perf_counter()
    result = dg.execute_job(
        dg.reconstructable(globals()[f"get__{job}__{executor}"]),
        instance=instance,
        tags={"dagster/partition": partition},
        run_config=QUIET,
    )
    return {
        "job": job,
        "executor": executor,
        "seconds": round(time.perf_counter() - started, 2),
        "success": result.success,
        "calls": sum(sandbox.counters()["calls"].values()),
    }


def run_sequence(
    env: BenchEnv, sandbox: SandboxServer, key: str, plan: list[tuple[str, str]], rates: dict[str, str] | None
) -> list[dict[str, Any]]:
    """Register artist `key` in a fresh database and run `plan` [(job, executor), ...] in order."""
    url = env.database("executor")
    ref = sandbox.artist(key)
    with psycopg.connect(url, autocommit=True) as conn:
        (partition,) = artist_keys.register(conn, [artist_keys.ArtistRequest(name=ref.name)])
    with (
        settings_env({"DATABASE_URL": url, **provider_vars(sandbox, rates)}),
        dg.instance_for_test() as instance,
    ):
        instance.add_dynamic_partitions("artists", [partition])
        return [timed_run(instance, sandbox, job, ex, partition) for job, ex in plan]


def measure(
    env: BenchEnv, key: str = "zoe-marlowe", job: str = "update", prepare: bool = True
) -> list[dict[str, Any]]:
    """`job` of artist `key` with each executor (after a `full_sync` import when `prepare`)."""
    plan = [("full_sync", "in_process")] if prepare else []
    plan += [(job, "in_process"), (job, "multiprocess")]
    with SandboxServer() as sandbox:
        runs = run_sequence(env, sandbox, key, plan, FAST_RATES)
    inproc, multi = runs[-2:]
    return [
        figure(
            "one run, in-process vs multiprocess executor (context)",
            "none (the jobs use the in-process executor)",
            f"`{job}` of {key}: {inproc['seconds']:.1f} s in process vs {multi['seconds']:.1f} s with a "
            f"process per step ({multi['seconds'] / inproc['seconds']:.1f}x)",
            "`dg.execute_job` of the same job with each executor, persistent test instance, sandbox at 100/s"
            + (", after a `full_sync` import" if prepare else ""),
            None,
            {"artist": key, "runs": runs},
        )
    ]


def main(argv: list[str]) -> None:
    key = argv[0] if argv and not argv[0].startswith("--") else "velvet-static"
    executors = ["in_process"] if "--in-process-only" in argv else list(EXECUTORS)
    rates = None if "--rates" in argv else FAST_RATES
    print(f"artist {key}; provider rates {'settings defaults' if rates is None else '100/s'}")
    with bench_env() as env, SandboxServer() as sandbox:
        for ex in executors:
            for run in run_sequence(env, sandbox, key, [(job, ex) for job in SEQUENCE], rates):
                print(
                    f"{ex:13s} {run['job']:13s} {run['seconds']:6.2f} s  success={run['success']}  "
                    f"provider calls={run['calls']}"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
