"""Wall time of one artist's run per job, with the in-process executor the jobs use and with Dagster's
default multiprocess executor, as real runs (`dg.execute_job` on a reconstructable job, a persistent
instance) against the sandbox and a real Postgres. Not a test: the README quotes its output.

    .venv/bin/python -m mysetlist_pipelines_tests.bench_artist_executor [artist-key] [--rates] [--in-process-only]

`--rates` keeps the settings' provider rates (default 4/s Spotify and Ticketmaster, 1/s setlist.fm)
instead of 100/s, so the wall time includes the pacing a real import pays.

DATABASE_URL must name a server where databases can be created (the script creates and drops its own).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable

import dagster as dg
import psycopg
from psycopg import sql

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.db.urls import libpq_url, with_database
from mysetlist_pipelines.lib.steps import JOB_ASSETS

EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}
SEQUENCE = ("full_sync", "update", "catalog_only", "shows_only", "full_sync")


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


def main(argv: list[str]) -> None:
    key = argv[0] if argv and not argv[0].startswith("--") else "velvet-static"
    from mysetlist_pipelines.sandbox import sandbox_env
    from mysetlist_pipelines.sandbox.server import SandboxServer

    server = SandboxServer().start()
    for env in sandbox_env(server.base_url).values():
        os.environ.update(env)
    if "--rates" not in argv:
        for provider in ("SPOTIFY", "TICKETMASTER", "SETLISTFM"):
            os.environ[f"{provider}_RATE_LIMIT_PER_SECOND"] = "100"
    root = libpq_url(os.environ["DATABASE_URL"])
    ref = server.artist(key)
    print(f"artist {ref.name}; provider rates {'settings defaults' if '--rates' in argv else '100/s'}")
    for ex in ["in_process"] if "--in-process-only" in argv else list(EXECUTORS):
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(root, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = with_database(root, name)
        os.environ["DATABASE_URL"] = url
        migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            (partition,) = artist_keys.register(conn, [artist_keys.ArtistRequest(name=ref.name)])
        with tempfile.TemporaryDirectory() as home, dg.instance_for_test(temp_dir=home) as instance:
            instance.add_dynamic_partitions("artists", [partition])
            for job in SEQUENCE:
                server.reset()
                started = time.perf_counter()
                result = dg.execute_job(
                    dg.reconstructable(globals()[f"get__{job}__{ex}"]),
                    instance=instance,
                    tags={"dagster/partition": partition},
                )
                took = time.perf_counter() - started
                calls = sum(server.counters()["calls"].values())
                print(f"{ex:13s} {job:13s} {took:6.2f} s  success={result.success}  provider calls={calls}")
        os.environ["DATABASE_URL"] = root
        with psycopg.connect(root, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
