"""Dagster at the fleet's size (issue 15): 100,000 `artists` dynamic partitions on Postgres storage.

Measured, on fresh databases of the benchmark's server:
- registering the partitions in bulk (`instance.add_dynamic_partitions`, chunks of 10,000), and what
  one full load of them costs (`get_dynamic_partitions`: what any code that resolves a partition
  range pays, which is why nothing does it per tick);
- the UI: the GraphQL queries its asset page (AssetViewDefinitionQuery, own fields) and partitions
  page (PartitionHealthQuery, verbatim from the webapp bundle) issue, against a running
  `dagster-webserver` on that storage, with `materialized` partitions materialized;
- the sensors' ticks with the project's definitions through `build_sensor_context` (the code the
  code server runs, without gRPC): intake, reconciliation and cancellation, with `open_jobs` open
  sync_jobs rows, `done_jobs` finished ones and pending requests; and the run-status sensors'
  handler (`settle_run`) for a finished batch run whose range spans every partition;
- event-log rows one artist's `update` writes, and the same storage over simulated days with run
  retention on (runs aged one day a day, then pruned): the rows stop growing.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import yaml

from mysetlist_pipelines.lib import artist_keys, tracking
from mysetlist_pipelines.lib.db.urls import sqlalchemy_psycopg2_url
from mysetlist_sandbox.server import SandboxServer

from .calls import QUIET
from .devstack import free_port
from .env import FAST_RATES, ROOT, BenchEnv, figure, poll, provider_vars, settings_env

CHUNK = 10_000
ASSET = "artist_profile"
TICK_GOAL_SECONDS = 10.0  # a sensor tick is cut off at 60 s; the goal leaves room for load and growth
UI_GOAL_SECONDS = 5.0

PARTITIONS_PAGE = """
query PartitionHealthQuery($assetKey: AssetKeyInput!) {
  assetNodeOrError(assetKey: $assetKey) {
    ... on AssetNode {
      id
      partitionKeysByDimension { name type partitionKeys }
      assetPartitionStatuses {
        ... on TimePartitionStatuses { ranges { status startTime endTime startKey endKey } }
        ... on DefaultPartitionStatuses { materializedPartitions materializingPartitions failedPartitions }
        ... on MultiPartitionStatuses { primaryDimensionName }
      }
    }
  }
}"""
ASSET_PAGE = """
query AssetViewDefinitionQuery($assetKey: AssetKeyInput!) {
  assetOrError(assetKey: $assetKey) {
    ... on Asset {
      id
      key { path }
      assetMaterializations(limit: 1) { timestamp runId }
      definition {
        id groupName isExecutable
        partitionDefinition { description dimensionTypes { type dynamicPartitionsDefinitionName } }
        partitionKeysByDimension { name }
        partitionStats { numMaterialized numMaterializing numFailed numPartitions }
      }
    }
  }
}"""


def _instance_home(workdir: Path, dagster_url: str) -> Path:
    home = workdir / "scale_dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    config["storage"] = {"postgres": {"postgres_url": dagster_url}}
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return home


@contextlib.contextmanager
def _instance(home: Path) -> Iterator[dg.DagsterInstance]:
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield instance
    finally:
        instance.dispose()


def _timed(fn: Any, rounds: int = 3) -> tuple[float, list[float]]:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(round(time.perf_counter() - t0, 3))
    return statistics.median(times), times


def register(instance: dg.DagsterInstance, n: int) -> dict[str, Any]:
    keys = [f"scale-artist-{i:06d}" for i in range(n)]
    t0 = time.perf_counter()
    for i in range(0, n, CHUNK):
        instance.add_dynamic_partitions("artists", keys[i : i + CHUNK])
    seconds = time.perf_counter() - t0
    full, full_runs = _timed(lambda: instance.get_dynamic_partitions("artists"))
    one, _ = _timed(lambda: instance.has_dynamic_partition("artists", keys[n // 2]), rounds=5)
    return {"partitions": n, "seconds": round(seconds, 2), "per_second": round(n / seconds),
            "full_load_seconds": full, "full_load_rounds": full_runs, "has_partition_seconds": one,
            "keys": keys}  # fmt: skip


def materialize_some(instance: dg.DagsterInstance, keys: list[str], n: int) -> float:
    t0 = time.perf_counter()
    for key in keys[:n]:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=ASSET, partition=key))
    return round(time.perf_counter() - t0, 1)


def seed_app(app_url: str, open_jobs: int, done_jobs: int, pending: int) -> dict[str, float]:
    """The app's side at the fleet's size: finished rows (a week of refreshes), open rows claimed by
    the pipelines' own intake (targets queued, run just requested) and pending requests."""
    with psycopg.connect(app_url, autocommit=True) as conn:
        t0 = time.perf_counter()
        conn.execute(
            "INSERT INTO sync_jobs (entity_type, entity_id, job_type, status, priority, metadata, "
            "created_at, started_at, completed_at, updated_at) SELECT 'artist', gen_random_uuid()::text, "
            "'update', 'completed', 3, jsonb_build_object('artist_name', 'Done ' || i), "
            "now() - interval '2 days', now() - interval '2 days', now() - interval '2 days', "
            "now() - interval '2 days' FROM generate_series(1, %s) AS i",
            (done_jobs,),
        )
        conn.execute(
            "INSERT INTO sync_jobs (entity_type, entity_id, job_type, priority, metadata) "
            "SELECT 'artist', gen_random_uuid()::text, 'update', 3, "
            "jsonb_build_object('artist_name', 'Open Band ' || i) FROM generate_series(1, %s) AS i",
            (open_jobs,),
        )
        claimed = tracking.claim_pending(conn, open_jobs)
        conn.execute(
            "INSERT INTO sync_jobs (entity_type, entity_id, job_type, priority, metadata) "
            "SELECT 'artist', gen_random_uuid()::text, 'full_sync', 1, "
            "jsonb_build_object('artist_name', 'Pending Band ' || i) FROM generate_series(1, %s) AS i",
            (pending,),
        )
        return {"seconds": round(time.perf_counter() - t0, 1), "claimed": len(claimed.launches)}


def sensor_ticks(instance: dg.DagsterInstance, app_url: str, keys: list[str]) -> dict[str, Any]:
    from mysetlist_pipelines.definitions import defs as load
    from mysetlist_pipelines.defs.resources import build_resources
    from mysetlist_pipelines.defs.sensors.cancel import CANCEL_SENSOR_NAME
    from mysetlist_pipelines.defs.sensors.intake import PENDING_SENSOR_NAME
    from mysetlist_pipelines.defs.sensors.reconciliation import RECONCILE_SENSOR_NAME
    from mysetlist_pipelines.defs.tracking import settle_run

    defs = load()
    repo = defs.get_repository_def()
    out: dict[str, Any] = {}
    for name, ticks in ((PENDING_SENSOR_NAME, 3), (RECONCILE_SENSOR_NAME, 4), (CANCEL_SENSOR_NAME, 2)):
        if name == CANCEL_SENSOR_NAME:
            with psycopg.connect(app_url, autocommit=True) as conn:
                conn.execute(
                    "UPDATE sync_jobs SET status = 'cancelled' WHERE id IN (SELECT id FROM sync_jobs "
                    "WHERE status = 'in_progress' LIMIT 50)"
                )
        cursor, times = None, []
        for _ in range(ticks):
            # The tick's resources set up and torn down around it, as the daemon's code server does.
            with dg.build_sensor_context(
                instance=instance, instance_ref=instance.get_ref(), cursor=cursor, definitions=defs,
                sensor_name=name, resources=build_resources(),
            ) as context:  # fmt: skip
                t0 = time.perf_counter()
                result = repo.get_sensor_def(name).evaluate_tick(context)
                times.append(round(time.perf_counter() - t0, 3))
            cursor = result.cursor or cursor
        out[name] = {"seconds": times, "max": max(times)}
    # The run-status sensors' handler for one finished batch run (100 artists, its range as tight as
    # lib/fleet/batches makes it). Dagster writes a planned event per asset and partition of a range
    # when it creates the run, which is why batch ranges are capped at twice their size.
    with psycopg.connect(app_url, autocommit=True) as conn:
        batch_keys = keys[:100]
        artist_keys.register(conn, [artist_keys.ArtistRequest(name=k) for k in batch_keys])
        tracking.open_batch(conn, "scale-batch", "update", batch_keys)
    run = instance.create_run_for_job(
        defs.resolve_job_def("update"),
        status=dg.DagsterRunStatus.SUCCESS,
        tags={tracking.BATCH_TAG: "scale-batch", "dagster/asset_partition_range_start": keys[0],
              "dagster/asset_partition_range_end": batch_keys[-1]},
    )  # fmt: skip
    with psycopg.connect(app_url, autocommit=True) as conn:
        t0 = time.perf_counter()
        settle_run(conn, instance, run)
        seconds = round(time.perf_counter() - t0, 3)
    out["run_status (settle_run, one batch run)"] = {"seconds": [seconds], "max": seconds}
    return out


@contextlib.contextmanager
def webserver(home: Path, app_url: str, workdir: Path) -> Iterator[int]:
    port = free_port()
    log = (workdir / "scale_webserver.log").open("wb")
    env = {**os.environ, "DAGSTER_HOME": str(home), "DATABASE_URL": app_url, "DAGSTER_DISABLE_TELEMETRY": "1"}
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/dagster-webserver"), "-h", "127.0.0.1", "-p", str(port),
         "-m", "mysetlist_pipelines.definitions"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        poll(lambda: _answers(port), 180, "dagster-webserver", interval=1)
        yield port
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
            return True
    except OSError:
        return False


def graphql(port: int, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        data = json.loads(answer.read())
    if data.get("errors"):
        raise RuntimeError(f"GraphQL errors: {data['errors']}")
    return data["data"]


def ui_pages(port: int) -> dict[str, Any]:
    variables = {"assetKey": {"path": [ASSET]}}
    out: dict[str, Any] = {}
    for name, query in (("asset page", ASSET_PAGE), ("partitions page", PARTITIONS_PAGE)):
        answer = graphql(port, query, variables)  # warm: the first load of the location
        median, rounds = _timed(lambda q=query: graphql(port, q, variables))
        out[name] = {"median": median, "rounds": rounds}
        if name == "partitions page":
            node = answer["assetNodeOrError"]
            out[name]["partition_keys"] = len(node["partitionKeysByDimension"][0]["partitionKeys"])
            out[name]["materialized"] = len(node["assetPartitionStatuses"]["materializedPartitions"])
        else:
            out[name]["partition_stats"] = answer["assetOrError"]["definition"]["partitionStats"]
    return out


def event_rows(
    env: BenchEnv, days: int = 5, runs_per_day: int = 2, retention_days: int = 2
) -> dict[str, Any]:
    """Event-log rows of one artist's `update`, then simulated days of refreshes with retention on."""
    from mysetlist_pipelines.definitions import defs as load
    from mysetlist_pipelines.defs.schedules.retention import prune_runs, retention_cutoff
    from mysetlist_pipelines.defs.tracking import settle_run

    dagster_db = env.database("scale_events_dagster", migrated=False)
    app_url = env.database("scale_events")
    home = _instance_home(env.workdir / "events", sqlalchemy_psycopg2_url(dagster_db))
    sandbox = SandboxServer().start()
    try:
        with (
            settings_env({"DATABASE_URL": app_url, **provider_vars(sandbox, FAST_RATES)}),
            _instance(home) as instance,
            psycopg.connect(dagster_db, autocommit=True) as dconn,
            psycopg.connect(app_url, autocommit=True) as aconn,
        ):
            defs = load()
            ref = next(r for r in sandbox.artists(synthetic=False) if r.key == "zoe-marlowe")
            (key,) = artist_keys.register(aconn, [artist_keys.ArtistRequest(name=ref.name)])
            instance.add_dynamic_partitions("artists", [key])

            def run(job: str) -> int:
                result = defs.resolve_job_def(job).execute_in_process(
                    instance=instance, partition_key=key, raise_on_error=False, run_config=QUIET
                )
                finished = instance.get_run_by_id(result.run_id)
                assert finished is not None
                settle_run(aconn, instance, finished)  # as the run-status sensor does after the run
                row = dconn.execute(
                    "SELECT count(*) FROM event_logs WHERE run_id = %s", (result.run_id,)
                ).fetchone()
                return int(row[0]) if row else 0

            full = run("full_sync")
            update = run("update")
            total = lambda: int(dconn.execute("SELECT count(*) FROM event_logs").fetchone()[0])  # noqa: E731
            per_day = []
            for day in range(1, days + 1):
                for _ in range(runs_per_day):
                    run("update")
                # The hourly retention job's work over the day, then the day passes (every run a day older).
                cutoff = retention_cutoff(retention_days)
                assert cutoff is not None
                pruned = prune_runs(instance, cutoff, aconn)
                rows_now, runs_now = total(), len(instance.get_runs())
                dconn.execute(
                    "UPDATE runs SET update_timestamp = update_timestamp - interval '1 day', "
                    "create_timestamp = create_timestamp - interval '1 day'"
                )
                per_day.append({"day": day, "event_rows": rows_now, "runs": runs_now,
                                "deleted": pruned.deleted})  # fmt: skip
    finally:
        sandbox.stop()
    return {"full_sync_rows": full, "update_rows": update, "days": per_day, "retention_days": retention_days,
            "runs_per_day": runs_per_day}  # fmt: skip


def measure(
    env: BenchEnv, partitions: int = 100_000, open_jobs: int = 2_000, done_jobs: int = 100_000,
    pending: int = 100, materialized: int = 5_000,
) -> list[dict[str, Any]]:  # fmt: skip
    dagster_url = sqlalchemy_psycopg2_url(env.database("scale_dagster", migrated=False))
    app_url = env.database("scale_app")
    home = _instance_home(env.workdir, dagster_url)
    with (
        settings_env({"DATABASE_URL": app_url}),
        _instance(home) as instance,
    ):
        reg = register(instance, partitions)
        keys = reg.pop("keys")
        mat_seconds = materialize_some(instance, keys, materialized)
        seeded = seed_app(app_url, open_jobs, done_jobs, pending)
        with webserver(home, app_url, env.workdir) as port:
            ui = ui_pages(port)
        ticks = sensor_ticks(instance, app_url, keys)
    events = event_rows(env)
    return [
        register_figure(reg),
        ui_figure(ui, partitions, materialized, mat_seconds),
        ticks_figure(ticks, partitions, open_jobs, done_jobs, pending, seeded),
        events_figure(events),
    ]


def register_figure(reg: dict[str, Any]) -> dict[str, Any]:
    return figure(
        f"registering {reg['partitions']:,} artist partitions",
        "(context)",
        f"{reg['seconds']:.1f} s in bulk ({reg['per_second']:,}/s); one full load of them "
        f"(get_dynamic_partitions) {reg['full_load_seconds']:.2f} s, one key's check "
        f"(has_dynamic_partition) {reg['has_partition_seconds'] * 1000:.1f} ms",
        f"`instance.add_dynamic_partitions` in chunks of {CHUNK:,} on Postgres storage (fresh database); "
        "loads: median of 3 (5 for the key check)",
        None,
        reg,
    )


def ui_figure(ui: dict[str, Any], partitions: int, materialized: int, mat_seconds: float) -> dict[str, Any]:
    asset, parts = ui["asset page"], ui["partitions page"]
    ok = asset["median"] <= UI_GOAL_SECONDS and parts["median"] <= UI_GOAL_SECONDS
    return figure(
        f"UI with {partitions:,} partitions",
        f"each page's query <= {UI_GOAL_SECONDS:g} s",
        f"asset page {asset['median']:.2f} s, partitions page {parts['median']:.2f} s "
        f"({parts['partition_keys']:,} keys, {parts['materialized']:,} materialized) (median of 3)",
        f"the GraphQL the UI issues for `{ASSET}` (PartitionHealthQuery verbatim, AssetViewDefinitionQuery's "
        f"own fields + partitionStats) against `dagster-webserver` on Postgres storage, after a warm-up query; "
        f"{materialized:,} partitions materialized first (runless events, {mat_seconds:.0f} s)",
        ok,
        ui,
    )


def ticks_figure(
    ticks: dict[str, Any],
    partitions: int,
    open_jobs: int,
    done_jobs: int,
    pending: int,
    seeded: dict[str, Any],
) -> dict[str, Any]:
    worst = max(v["max"] for v in ticks.values())
    per = ", ".join(f"{name} {max(v['seconds']):.2f} s" for name, v in ticks.items())
    return figure(
        f"sensor ticks with {partitions:,} partitions",
        f"every tick <= {TICK_GOAL_SECONDS:g} s (Dagster cuts a tick at 60 s)",
        f"slowest tick per sensor: {per}",
        f"the project's sensors through `build_sensor_context` on Postgres storage, {done_jobs:,} finished "
        f"sync_jobs rows, {open_jobs:,} open (claimed by the intake: {seeded['claimed']:,} targets), {pending} "
        "pending; intake 3 ticks, reconciliation 4 (its sweep), cancellation 2 (50 rows cancelled); settle_run "
        "(the run-status sensors' work) of a finished 100-artist batch run",
        worst <= TICK_GOAL_SECONDS,
        {"ticks": ticks, "seed": seeded},
    )


def events_figure(ev: dict[str, Any]) -> dict[str, Any]:
    days = ev["days"]
    rows = [d["event_rows"] for d in days]
    steady = rows[-1] == rows[-2] if len(rows) > 1 else False
    return figure(
        "Dagster event-log rows per artist refresh, and storage with run retention",
        "storage stops growing once runs older than the retention go",
        f"one artist's `update` run: {ev['update_rows']} event_logs rows (its `full_sync`: {ev['full_sync_rows']}); "
        f"{ev['runs_per_day']} refreshes a day, retention {ev['retention_days']} days: event rows by day "
        f"{' -> '.join(str(r) for r in rows)}",
        "zoe-marlowe (sandbox) in process on Postgres storage; each simulated day ages every run by a day "
        "(runs.update_timestamp) and runs prune_runs as the hourly dagster_run_retention schedule does",
        steady,
        ev,
    )
