"""A fleet refresh end to end on the real daemon (the session's `dagster_stack`): master-sync is
evaluated as the scheduler would (its one request: a `fleet_refresh` planning run), that run is
submitted to the deployment's run queue (`dagster job launch`, as the scheduler submits a tick's
request) and the daemon runs it; the deployment's `refresh_batches` sensor then launches the batch
runs it opened, run workers sync each batch's artists from the sandbox and the run-status sensors
settle one sync_jobs row per artist. The cron_logs row says what was launched."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.schedules.refresh import master_sync
from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.fleet import group
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines.lib.steps import JOB_ASSETS
from mysetlist_pipelines.lib.text import slugify
from mysetlist_sandbox import sandbox_env

from .dagster_stack import FINAL, DagsterStack, poll
from .fleet_helpers import batch_rows, cron_rows

pytestmark = pytest.mark.e2e

# Small bundled artists; the first is registered before LONG_GONE, the others only by the tick.
FLEET = ("neon-harbor", "melodie-fjord", "zoe-marlowe", "paper-satellites")
LONG_GONE = "Long Gone Band"  # imported long ago, no show: registered, not active


@pytest.fixture
def stack_env(dagster_stack: DagsterStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[DagsterStack]:
    """This process sees what the deployment's code server sees: its app database and providers."""
    dagster_stack.sandbox.reset()
    monkeypatch.setenv("DATABASE_URL", dagster_stack.app_url)
    for variables in sandbox_env(dagster_stack.sandbox.base_url).values():
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield dagster_stack
    get_settings.cache_clear()


def _register(stack: DagsterStack, conn: psycopg.Connection, artist_id: str) -> str:
    (key,) = artist_keys.register(conn, [artist_keys.ArtistRequest(artist_id=artist_id)])
    if not stack.instance.has_dynamic_partition("artists", key):
        stack.instance.add_dynamic_partitions("artists", [key])
    return key


def _prepare(stack: DagsterStack, conn: psycopg.Connection) -> tuple[dict[str, str], bool]:
    """Rows as the old app left them (name and Ticketmaster id, imported today, never synced by the
    pipelines); returns artists.id by sandbox key, and whether none of them existed before."""
    ids, clean = {}, True
    for key in FLEET:
        ref = stack.sandbox.artist(key)
        row = conn.execute(
            "SELECT id::text FROM artists WHERE tm_attraction_id = %s", (ref.tm_attraction_id,)
        )
        found = row.fetchone()
        if found:  # another end-to-end test imported it: make every part of it due again
            clean = False
            ids[key] = found[0]
            conn.execute(
                "UPDATE pipelines.artist_sync_state SET catalog_synced_at = now() - interval '2 days' "
                "WHERE artist_id = %s",
                (found[0],),
            )
        else:
            ids[key] = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO artists (id, name, slug, tm_attraction_id) VALUES (%s, %s, %s, %s)",
                (ids[key], ref.name, f"{slugify(ref.name)}-{ids[key][:6]}", ref.tm_attraction_id),
            )
        if key == FLEET[0]:
            _register(stack, conn, ids[key])
    gone = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO artists (id, name, slug, created_at) VALUES (%s, %s, %s, now() - interval '300 days')",
        (gone, LONG_GONE, f"long-gone-band-{gone[:6]}"),
    )
    _register(stack, conn, gone)
    ids["long-gone"] = gone
    _only_due(conn, list(ids.values()))
    return ids, clean


def _only_due(conn: psycopg.Connection, artist_ids: list[str]) -> None:
    """Artists other tests synced today are fresh already; any they left half-synced are not this
    test's business: mark them fresh so that the tick is about this test's artists only."""
    conn.execute(
        "INSERT INTO pipelines.artist_sync_state (artist_id, catalog_synced_at, shows_synced_at, "
        "setlists_synced_at) SELECT id, now(), now(), now() FROM artists WHERE NOT (id::text = ANY(%s)) "
        "ON CONFLICT (artist_id) DO UPDATE SET catalog_synced_at = now(), shows_synced_at = now(), "
        "setlists_synced_at = now()",
        (artist_ids,),
    )


def _submit(stack: DagsterStack, request: dg.RunRequest, job_name: str) -> str:
    """Submit a run request to the deployment's queue, as the scheduler does with a tick's request."""
    run_id = str(uuid.uuid4())
    tags = {**request.tags, "dagster/run_key": request.run_key or ""}
    command = [
        sys.executable, "-m", "dagster", "job", "launch", "-m", stack.module, "-j", request.job_name or job_name,
        "--tags", json.dumps(tags), "--run-id", run_id,
    ]  # fmt: skip
    if request.run_config:
        command += ["--config-json", json.dumps(request.run_config)]
    subprocess.run(command, env=stack.env, cwd=stack.home, check=True, capture_output=True, timeout=120)
    return run_id


def test_master_sync_refreshes_the_fleet_in_batches_on_the_real_daemon(stack_env: DagsterStack) -> None:
    stack = stack_env
    with stack.connect() as conn:
        ids, clean = _prepare(stack, conn)
    tick = datetime.now(UTC).replace(second=0, microsecond=0)
    context = dg.build_schedule_context(instance=stack.instance, scheduled_execution_time=tick)
    (planning,) = master_sync.evaluate_tick(context).run_requests or []
    assert master_sync.job_name == "fleet_refresh"
    planning_run = _submit(stack, planning, "fleet_refresh")

    def launched() -> list[dg.DagsterRun] | None:
        """The batch runs the sensor launched for the tick's batches, once the planning run ended."""
        run = stack.instance.get_run_by_id(planning_run)
        if run is None or run.status != dg.DagsterRunStatus.SUCCESS:
            assert run is None or run.status not in (
                dg.DagsterRunStatus.FAILURE,
                dg.DagsterRunStatus.CANCELED,
            )
            return None
        with stack.connect() as conn:
            batches = [b for (b,) in conn.execute(
                "SELECT batch_id FROM pipelines.fleet_batches WHERE schedule = 'master-sync' AND tick = %s "
                "ORDER BY batch_id", (tick,),
            )]  # fmt: skip
        runs = [stack.instance.get_runs(dg.RunsFilter(tags={"mysetlist/batch_id": b})) for b in batches]
        return [r[0] for r in runs] if batches and all(len(r) == 1 for r in runs) else None

    try:
        batch_runs = poll(launched, 180, "the planning run and the sensor's batch runs", interval=1)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- daemon log ---\n{stack.log_tail()}") from None
    assert all(r.tags["dagster/sensor_name"] == "refresh_batches" for r in batch_runs)
    assert all(
        r.tags["mysetlist/schedule"] == "master-sync" and r.tags["dagster/priority"] == "-10"
        for r in batch_runs
    )
    run_ids = [r.run_id for r in batch_runs]
    requests = batch_runs  # one run per batch, with the tags a tick's requests always had

    with stack.connect() as conn:
        members = {
            q.tags["mysetlist/batch_id"]: [
                r["partition_key"] for r in batch_rows(conn, q.tags["mysetlist/batch_id"])
            ]
            for q in requests
        }
        keys = {k: conn.execute(
            "SELECT partition_key FROM pipelines.artist_keys WHERE artist_id = %s", (ids[k],)
        ).fetchone()[0] for k in FLEET}  # fmt: skip
    fleet_keys = sorted(keys.values())
    assert sorted(k for batch in members.values() for k in batch) == fleet_keys
    order = stack.instance.get_dynamic_partitions("artists")
    # the planning ran in the deployment's run worker: its batch size is the deployment's setting
    with stack.connect() as conn:
        log = next(r for r in cron_rows(conn, "master-sync") if r["result"]["tick"] == tick.isoformat())
    size = log["result"]["launched"]["batch_size"]
    expected = group(fleet_keys, order, size)
    assert len(requests) == len(expected) < len(FLEET)  # batched: fewer runs than artists
    assert [sorted(m) for m in members.values()] == [sorted(m) for m, _ in expected]
    assert [
        (q.tags["dagster/asset_partition_range_start"], q.tags["dagster/asset_partition_range_end"])
        for q in requests
    ] == [(span[0], span[-1]) for _, span in expected]

    def settled() -> list[dict[str, object]] | None:
        with stack.connect() as conn:
            rows = [r for batch in members for r in batch_rows(conn, batch)]
        return rows if rows and all(r["status"] in FINAL for r in rows) else None

    try:
        rows = poll(settled, 300, "the batch rows to settle", interval=1)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- daemon log ---\n{stack.log_tail()}") from None
    assert len(rows) == len(FLEET)
    for row in rows:
        assert (row["status"], row["job_type"], row["priority"], row["completed_steps"], row["total_steps"]) == (
            "completed", "update", 3, 5, 5,
        ), row  # fmt: skip
        assert row["metadata"]["schedule"] == "master-sync" and row["error"] is None
    # a row completes as its last step does; the run still has its checks to run
    ended = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}

    def finished() -> list[dg.DagsterRun] | None:
        runs = [stack.instance.get_run_by_id(r) for r in run_ids]
        return runs if all(r is not None and r.status in ended for r in runs) else None  # type: ignore[return-value]

    runs = poll(finished, 120, "the batch runs to end", interval=1)
    assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * len(requests)
    assert all(r.tags["mysetlist/batch_id"] in members for r in runs)
    # Dagster's partition status matches the rows: every artist synced is materialized at every
    # step by these runs; the long-gone one, inside a range but not in its batch, is not.
    with stack.connect() as conn:
        (gone_key,) = conn.execute(
            "SELECT partition_key FROM pipelines.artist_keys WHERE artist_id = %s", (ids["long-gone"],)
        ).fetchone()
    for asset in JOB_ASSETS["update"]:
        for key, want in [*((k, True) for k in fleet_keys), (gone_key, False)]:
            records = stack.instance.fetch_materializations(
                dg.AssetRecordsFilter(
                    asset_key=dg.AssetKey(asset), asset_partitions=[key], after_timestamp=tick.timestamp()
                ),
                limit=1,
            ).records
            assert bool(records) == want, (asset, key)
    with stack.connect() as conn:
        # every artist of the fleet synced (shows from Ticketmaster), the long-gone one untouched
        synced = conn.execute(
            "SELECT count(*) FROM pipelines.artist_sync_state WHERE artist_id = ANY(%s::uuid[]) "
            "AND shows_synced_at > %s",
            ([ids[k] for k in FLEET], tick),
        ).fetchone()
        assert synced == (len(FLEET),)
        gone = conn.execute(
            "SELECT a.last_synced_at, s.artist_id FROM artists a LEFT JOIN pipelines.artist_sync_state s "
            "ON s.artist_id = a.id WHERE a.name = %s ORDER BY a.created_at DESC LIMIT 1",
            (LONG_GONE,),
        ).fetchone()
        assert gone == (None, None)
        log = next(r for r in cron_rows(conn, "master-sync") if r["result"]["tick"] == tick.isoformat())
    assert log["status"] == "success"
    assert log["result"]["launched"]["runs"] == len(requests)
    assert log["result"]["launched"]["artists"] == len(FLEET)
    assert log["result"]["deferred"]["count"] == 0
    if clean:
        assert log["result"]["launched"]["skipped_in_ranges"] == 1


def test_a_batch_artist_that_failed_shows_failed_in_dagster_on_the_real_daemon(
    stack_env: DagsterStack,
) -> None:
    """An artist no service knows, in a master-sync batch: its row ends with the profile step
    failed; the deployment's batch_failure_records sensor launches its failure record, which fails
    without a provider call or a row of its own, and Dagster's partition status says failed."""
    from mysetlist_pipelines.defs.artists.partitions import artists_partitions

    stack = stack_env
    name = f"Nobody Anyone Has Heard Of {uuid.uuid4().hex[:6]}"
    with stack.connect() as conn:
        artist_id = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO artists (id, name, slug) VALUES (%s, %s, %s)", (artist_id, name, slugify(name))
        )
        key = _register(stack, conn, artist_id)
        _only_due(conn, [artist_id])
    # a tick of its own (batches are named by their tick's minute)
    tick = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=7)
    context = dg.build_schedule_context(instance=stack.instance, scheduled_execution_time=tick)
    (planning,) = master_sync.evaluate_tick(context).run_requests or []
    _submit(stack, planning, "fleet_refresh")

    def row_ended() -> dict[str, object] | None:
        with stack.connect() as conn:
            found = conn.execute(
                "SELECT j.id, j.status FROM sync_jobs j JOIN pipelines.sync_job_targets t ON t.job_id = j.id "
                "WHERE t.partition_key = %s AND t.batch_id LIKE %s",
                (key, f"master-sync@{tick:%Y-%m-%dT%H:%M}Z#%"),
            ).fetchone()
        return {"id": found[0], "status": found[1]} if found and found[1] in FINAL else None

    def recorded() -> dg.DagsterRun | None:
        runs = stack.instance.get_runs(dg.RunsFilter(tags={"mysetlist/failure_record": row["id"]}))
        ended = [r for r in runs if r.status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)]
        return ended[0] if ended else None

    try:
        row = poll(row_ended, 240, "the unknown artist's row to end", interval=1)
        record = poll(recorded, 120, "its failure record to run", interval=1)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- daemon log ---\n{stack.log_tail()}") from None
    assert row["status"] in ("partial", "failed")
    assert record.status == dg.DagsterRunStatus.FAILURE and record.tags["dagster/max_retries"] == "0"
    status = stack.instance.get_status_by_partition(dg.AssetKey("artist_profile"), [key], artists_partitions)
    assert status == {key: dg.AssetPartitionStatus.FAILED}
    with stack.connect() as conn:
        # the record is no sync run: no row of its own, and the artist's row kept its end
        assert conn.execute(
            "SELECT count(*) FROM sync_jobs WHERE metadata->>'dagster_run_id' = %s", (record.run_id,)
        ).fetchone() == (0,)
        assert conn.execute("SELECT status FROM sync_jobs WHERE id = %s", (row["id"],)).fetchone() == (
            row["status"],
        )
    # nothing retried it
    assert len(stack.instance.get_runs(dg.RunsFilter(tags={"mysetlist/failure_record": row["id"]}))) == 1
