"""Orchestration cost of fleet refreshes. Not a test: the report quotes its output.

    .venv/bin/python -m mysetlist_pipelines_tests.bench_fleet [--artists 10000] [--batch 25] [--runs 25]

1. One master-sync tick over `--artists` stale active artists (half with partition keys, half rows
   the old app created: the tick registers them), as the daemon runs it: the schedule's evaluation
   (its one planning run request), the `fleet_refresh` planning run executed in process (selection,
   planning, key and partition registration, one sync_jobs row per artist, batch records), and the
   `refresh_batches` sensor's evaluations until every batch is requested; the wall time of each.
2. `--runs` synthetic sandbox artists refreshed with `update` (already imported, nothing new), as
   one batch run (a partition range) and as one run per artist, in process against the sandbox.

DATABASE_URL names a server where databases can be created; unset, an embedded PostgreSQL is started.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.db.urls import libpq_url, with_database
from mysetlist_pipelines.lib.settings import get_settings


def _server() -> str:
    if os.environ.get("DATABASE_URL"):
        return libpq_url(os.environ["DATABASE_URL"])
    from mysetlist_pipelines.lib.db.embedded import start_embedded

    return start_embedded(Path(tempfile.mkdtemp(prefix="bench-pg-")) / "data")


def _database(server: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(server, name)
    migrate(url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def tick(server: str, artists: int, batch: int) -> None:
    from mysetlist_pipelines.defs.resources import build_resources
    from mysetlist_pipelines.defs.schedules.planning import fleet_refresh, refresh_batches
    from mysetlist_pipelines.defs.schedules.refresh import master_sync

    from .ticks import sensor_tick

    url = _database(server)
    for provider in ("SPOTIFY", "TICKETMASTER", "SETLISTFM"):
        os.environ[f"MYSETLIST_{provider}_DAILY_QUOTA"] = "10000000"
    os.environ["MYSETLIST_FLEET_BATCH_SIZE"] = str(batch)
    get_settings.cache_clear()
    with psycopg.connect(url, autocommit=True) as conn, dg.instance_for_test() as instance:
        conn.execute(
            "INSERT INTO artists (name, slug, tm_attraction_id, spotify_id, mbid) SELECT 'Artist ' || i, "
            "'artist-' || i, 'K8vZ9' || i, lpad(i::text, 22, 'x'), gen_random_uuid()::text "
            "FROM generate_series(1, %s) AS i",
            (artists,),
        )
        conn.execute(
            "INSERT INTO pipelines.artist_sync_state (artist_id, profile_synced_at, catalog_synced_at, "
            "shows_synced_at, setlists_synced_at) SELECT id, now(), now() - interval '2 days', "
            "now() - interval '2 days', now() - interval '2 days' FROM artists"
        )
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id::text FROM artists ORDER BY created_at, name LIMIT %s", (artists // 2,)
            )
        ]
        keys = artist_keys.register(conn, [artist_keys.ArtistRequest(artist_id=i) for i in ids])
        instance.add_dynamic_partitions("artists", keys)
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=datetime.now(UTC))
        evaluations = []
        for _ in range(2):  # the first in the process, then as the daemon's long-lived code server
            started = time.perf_counter()
            (request,) = master_sync.evaluate_tick(context).run_requests or []
            evaluations.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert fleet_refresh.execute_in_process(
            run_config=request.run_config,
            instance=instance,
            tags=request.tags,
            resources=build_resources(url),
        ).success
        planning = time.perf_counter() - started
        cursor, requested, sensor = None, 0, []
        while True:
            started = time.perf_counter()
            data = sensor_tick(refresh_batches, instance=instance, cursor=cursor)
            sensor.append(time.perf_counter() - started)
            cursor = data.cursor
            if not data.run_requests:
                break
            requested += len(data.run_requests)
        rows = conn.execute("SELECT count(*) FROM sync_jobs").fetchone()
        print(
            f"master-sync tick, {artists} stale active artists ({artists - len(keys)} registered by the tick), "
            f"batch size {batch}: schedule evaluation {evaluations[0] * 1000:.1f} ms (first), "
            f"{evaluations[1] * 1000:.1f} ms (again); planning run {planning:.1f} s "
            f"({rows[0] if rows else 0} sync_jobs rows); refresh_batches: {requested} runs requested in "
            f"{len(sensor) - 1} evaluation(s), slowest {max(sensor) * 1000:.0f} ms, then an empty one "
            f"{sensor[-1] * 1000:.0f} ms"
        )


def runs(server: str, n: int) -> None:
    from mysetlist_pipelines.definitions import defs
    from mysetlist_sandbox import sandbox_env
    from mysetlist_sandbox.server import SandboxServer
    from mysetlist_sandbox.synthetic import synthetic_key

    sandbox = SandboxServer(synthetic_artists=n).start()
    for env in sandbox_env(sandbox.base_url).values():
        os.environ.update(env)
    for provider in ("SPOTIFY", "TICKETMASTER", "SETLISTFM"):
        os.environ[f"{provider}_RATE_LIMIT_PER_SECOND"] = "100"
    url = _database(server)
    definitions = defs()
    with psycopg.connect(url, autocommit=True) as conn, dg.instance_for_test() as instance:
        keys = artist_keys.register(
            conn,
            [artist_keys.ArtistRequest(tm_attraction_id=sandbox.artist(synthetic_key(i)).tm_attraction_id,
                                       name=sandbox.artist(synthetic_key(i)).name) for i in range(1, n + 1)],
        )  # fmt: skip
        instance.add_dynamic_partitions("artists", keys)
        span = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
        job = definitions.resolve_job_def("full_sync")
        assert job.execute_in_process(instance=instance, tags=span).success  # the first import
        update = definitions.resolve_job_def("update")
        started = time.perf_counter()
        assert update.execute_in_process(instance=instance, tags=span).success
        batched = time.perf_counter() - started
        started = time.perf_counter()
        for key in keys:
            assert update.execute_in_process(instance=instance, partition_key=key).success
        single = time.perf_counter() - started
    sandbox.stop()
    print(
        f"update of {n} imported artists (nothing new): one batch run {batched:.1f} s "
        f"({batched / n:.2f} s/artist); {n} single runs {single:.1f} s ({single / n:.2f} s/artist)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artists", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    server = _server()
    tick(server, args.artists, args.batch)
    if args.runs:
        runs(server, args.runs)


if __name__ == "__main__":
    main()
