"""The refresh schedules evaluated with Dagster's test helpers against prepared database states:
what each requests, in how many runs, what it defers under a small budget, nothing when a circuit
is open; a batch request executed in process syncs only its batch's artists."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.resources import build_resources
from mysetlist_pipelines.defs.schedules.maintenance import (
    calculate_trending,
    cleanup_old_data_schedule,
    cleanup_old_sync_data,
    trending_scores,
)
from mysetlist_pipelines.defs.schedules.past_setlists import import_past_setlists
from mysetlist_pipelines.defs.schedules.planning import fleet_refresh, refresh_batches
from mysetlist_pipelines.defs.schedules.refresh import (
    complete_catalog_sync,
    master_sync,
    sync_artist_data,
    sync_artist_images,
    update_active_artists,
)
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines.lib.tracking.state_rows import STEP_BY_NAME

from .artist_support import Sandbox, step_metadata
from .fleet_helpers import (
    DAY,
    HOUR,
    add_artist,
    add_setlist,
    add_show,
    batch_rows,
    cron_rows,
    open_circuit,
    use_quota,
)
from .ticks import app_connection, sensor_tick
from .tracking_helpers import insert_job

TICK = datetime(2025, 6, 2, 4, 15, tzinfo=UTC)
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
BATCH = "mysetlist/batch_id"


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def fleet_env(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MYSETLIST_FLEET_BATCH_SIZE", "2")
    get_settings.cache_clear()
    yield app_env
    get_settings.cache_clear()


# Each test's launcher cursor, by instance (the daemon keeps one per sensor).
_cursors: dict[str, str | None] = {}


def schedule_request(
    schedule: dg.ScheduleDefinition, inst: dg.DagsterInstance, tick: datetime = TICK
) -> tuple[dg.RunRequest, float]:
    """The schedule's own evaluation: its one run request and how long it took."""
    started = time.perf_counter()
    data = schedule.evaluate_tick(dg.build_schedule_context(instance=inst, scheduled_execution_time=tick))
    seconds = time.perf_counter() - started
    (request,) = data.run_requests or []
    return request, seconds


def evaluate(
    schedule: dg.ScheduleDefinition, inst: dg.DagsterInstance, tick: datetime = TICK
) -> tuple[list[dg.RunRequest], str | None]:
    """A tick as the daemon runs it: the schedule's evaluation (one planning run request), that run
    (in process here), then the refresh_batches sensor -> (its batch run requests, and when there
    are none, why: the planning's counts from its cron_logs row)."""
    request, _ = schedule_request(schedule, inst, tick)
    if schedule.job_name != fleet_refresh.name:
        return [request], None
    planned = fleet_refresh.execute_in_process(
        run_config=request.run_config, instance=inst, tags=request.tags, resources=build_resources()
    )
    assert planned.success
    data = sensor_tick(refresh_batches, instance=inst, cursor=_cursors.get(inst.root_directory))
    _cursors[inst.root_directory] = data.cursor
    requests = list(data.run_requests or [])
    if requests:
        return requests, None
    with app_connection() as conn:
        (log,) = cron_rows(conn, request.tags["mysetlist/schedule"])[-1:]
    result, deferred = log["result"], log["result"].get("deferred", {})
    return [], (
        f"{data.skip_message}: {result.get('candidates', 0)} candidate(s), {deferred.get('count', 0)} "
        f"deferred {deferred.get('by_reason') or ''}"
    )


def keyed(conn: psycopg.Connection, inst: dg.DagsterInstance, name: str, **kw: object) -> str:
    artist_id, key = add_artist(conn, name, **kw)  # type: ignore[arg-type]
    assert key
    inst.add_dynamic_partitions("artists", [key])
    return artist_id


def test_update_active_artists_batches_the_stale_active_artists(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    # partitions in this order: a range follows it
    a1 = keyed(db, instance, "Alpha", shows_ago=9 * HOUR, profile_ago=DAY)
    keyed(db, instance, "Dormant", shows_ago=30 * DAY)  # no upcoming show: not active
    a2 = keyed(db, instance, "Bravo", shows_ago=10 * HOUR, profile_ago=DAY)
    fresh = keyed(db, instance, "Fresh", shows_ago=HOUR, profile_ago=DAY)
    a3 = keyed(db, instance, "Charlie", shows_ago=11 * HOUR, profile_ago=DAY)
    old_app, _ = add_artist(db, "Old App Band", key=None)  # the old app's row: never synced, no key
    for artist in (a1, a2, fresh, a3, old_app):
        add_show(db, artist, 14)

    requests, skip = evaluate(update_active_artists, instance)

    assert skip is None and len(requests) == 2  # 4 artists, batches of 2
    first, second = requests
    assert (first.tags[RANGE_START], first.tags[RANGE_END]) == ("alpha", "bravo")
    assert (second.tags[RANGE_START], second.tags[RANGE_END]) == ("charlie", "old-app-band")
    for request in requests:
        assert request.job_name == "shows_only"
        assert request.asset_selection == [
            dg.AssetKey("artist_profile"),
            dg.AssetKey("artist_shows"),
            dg.AssetKey("predicted_setlists"),
        ]
        assert request.run_key == request.tags[BATCH]
        assert request.tags["dagster/priority"] == "-10"  # the app's imports are dequeued first
        assert request.tags["mysetlist/schedule"] == "update-active-artists"
    # the old app's artist got its partition key, and Dagster its partition (last in order)
    assert instance.get_dynamic_partitions("artists")[-1] == "old-app-band"
    # one sync_jobs row per artist, low priority, with the steps of the work
    rows = batch_rows(db, first.tags[BATCH])
    # "dormant" is in the range, not in the batch
    assert [r["partition_key"] for r in rows] == ["alpha", "bravo"]
    for row in rows + batch_rows(db, second.tags[BATCH]):
        assert (row["job_type"], row["priority"], row["status"], row["total_steps"]) == (
            "shows_only",
            3,
            "in_progress",
            3,
        )
        assert row["metadata"]["schedule"] == "update-active-artists"
    (log,) = cron_rows(db, "update-active-artists")
    assert log["status"] == "success" and log["execution_time_ms"] >= 0
    result = log["result"]
    assert result["tick"] == TICK.isoformat() and result["candidates"] == 4
    assert result["launched"]["runs"] == 2 and result["launched"]["artists"] == 4
    assert result["launched"]["skipped_in_ranges"] == 1
    # 1 events page each; the old app's artist has never had its profile looked up: 1 call per
    # service more, and the Spotify token of its run
    assert result["launched"]["expected_calls"] == {"ticketmaster": 4 + 1, "spotify": 1 + 1, "setlistfm": 1}
    assert result["deferred"]["count"] == 0


@pytest.mark.parametrize(
    "schedule",
    [update_active_artists, master_sync, sync_artist_data, import_past_setlists],
    ids=lambda s: s.name,
)
def test_a_refresh_tick_calls_no_provider_and_takes_well_under_a_second(
    schedule: dg.ScheduleDefinition,
    fleet_env: str,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    artist_sandbox: Sandbox,
) -> None:
    """A refresh tick's evaluation only requests its planning run (no database, no provider);
    the planning run decides from the database (selection, today's budgets from the shared pacing
    table) and opens the batches the sensor launches; every provider call is the batch runs'.
    (Tick times at 10,000 artists: bench_fleet.py, BENCHMARKS.md.)"""
    for i in range(8):
        artist = keyed(db, instance, f"Fleet {i:02d}", shows_ago=30 * HOUR, profile_ago=30 * DAY)
        add_show(db, artist, 14)
    artist_sandbox.reset()
    request, seconds = schedule_request(schedule, instance)
    assert request.job_name in (None, "fleet_refresh") and schedule.job_name == "fleet_refresh"
    assert db.execute("SELECT count(*) FROM pipelines.fleet_batches").fetchone() == (
        0,
    )  # nothing planned yet
    print(f"{schedule.name}: tick evaluated in {seconds * 1000:.1f} ms")
    assert seconds < 1.0, f"{schedule.name}: {seconds:.3f} s"
    requests, _ = evaluate(schedule, instance)
    assert artist_sandbox.calls() == {}
    assert requests or schedule is import_past_setlists  # no past show here: nothing to launch


def test_a_tick_evaluated_again_asks_for_the_same_runs(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    for name in ("One", "Two", "Three"):
        add_show(db, keyed(db, instance, name, shows_ago=DAY), 5)
    first, _ = evaluate(update_active_artists, instance)
    assert len(first) == 2
    # the daemon evaluating the tick again asks for the same planning run (Dagster launches a run
    # key once); were that run executed again, it opens nothing more and the sensor has nothing new
    assert (
        schedule_request(update_active_artists, instance)[0].run_key
        == "update-active-artists@" + TICK.isoformat()
    )
    again, skip = evaluate(update_active_artists, instance)
    assert again == [] and skip is not None
    assert db.execute("SELECT count(*) FROM sync_jobs").fetchone() == (3,)
    assert len(cron_rows(db, "update-active-artists")) == 1
    # the launcher seen from scratch (a cursor lost) asks for the very same runs: same run keys
    fresh = sensor_tick(refresh_batches, instance=instance)
    assert [(r.run_key, r.tags) for r in fresh.run_requests or []] == [(r.run_key, r.tags) for r in first]
    # the next tick finds them in flight: nothing more to do
    later, skip = evaluate(update_active_artists, instance, TICK + timedelta(hours=6))
    assert later == [] and skip is not None and "0 candidate(s)" in skip
    # that tick again: done already, one row per tick
    assert evaluate(update_active_artists, instance, TICK + timedelta(hours=6))[0] == []
    assert [r["result"]["tick"] for r in cron_rows(db, "update-active-artists")] == [
        TICK.isoformat(),
        (TICK + timedelta(hours=6)).isoformat(),
    ]


def test_master_sync_defers_what_the_setlistfm_budget_cannot_cover(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYSETLIST_SETLISTFM_DAILY_QUOTA", "20")  # 20 % reserve: 4 calls
    get_settings.cache_clear()
    use_quota(db, "setlistfm", 13)  # other runs spent these today: 7 left, 3 after the reserve
    parts = {"catalog_ago": HOUR, "shows_ago": HOUR, "profile_ago": HOUR}
    for i, name in enumerate(["Echo", "Delta", "Charlie", "Bravo", "Alpha"]):
        artist = keyed(db, instance, name, setlists_ago=(30 + i) * HOUR, **parts)
        add_show(db, artist, 20)

    requests, _ = evaluate(master_sync, instance)

    # the three least recently refreshed (Alpha, Bravo, Charlie), 1 setlist.fm call each
    members = sorted(r["partition_key"] for q in requests for r in batch_rows(db, q.tags[BATCH]))
    assert members == ["alpha", "bravo", "charlie"] and len(requests) == 2
    assert all(q.job_name == "update" and q.asset_selection is None for q in requests)
    (log,) = cron_rows(db, "master-sync")
    deferred = log["result"]["deferred"]
    assert deferred["count"] == 2 and deferred["by_reason"] == {"budget:setlistfm": 2}
    assert [d["artist"] for d in deferred["artists"]] == ["delta", "echo"]
    assert (
        "setlistfm: 0 calls left for this tick (7 left today, 4 kept for the app's imports"
        in (deferred["why"]["budget:setlistfm"])
    )
    budget = log["result"]["budget"]["setlistfm"]
    assert (
        budget["remaining_today"],
        budget["reserve_for_imports"],
        budget["available"],
        budget["planned"],
    ) == (
        7,
        4,
        3,
        3,
    )
    # next day's quota: the deferred two go first; the three launched are still queued and counted
    db.execute("UPDATE pipelines.provider_pacing SET quota_used = 0 WHERE provider = 'setlistfm'")
    insert_job(db)  # an app request waiting: the reserve grows to its expected cost (4)
    later, _ = evaluate(master_sync, instance, TICK + timedelta(days=1))
    assert sorted(r["partition_key"] for q in later for r in batch_rows(db, q.tags[BATCH])) == [
        "delta",
        "echo",
    ]
    budget = cron_rows(db, "master-sync")[-1]["result"]["budget"]["setlistfm"]
    assert (budget["committed_by_queued_work"], budget["reserve_for_imports"]) == (3, 4)


def test_nothing_that_needs_an_open_circuit_is_launched(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    for name in ("One", "Two", "Three"):
        add_show(db, keyed(db, instance, name, shows_ago=DAY, profile_ago=HOUR), 5)
    open_circuit(db, "ticketmaster", "5 consecutive failures (503 Service Unavailable)")

    requests, skip = evaluate(update_active_artists, instance)

    assert requests == [] and skip is not None and "circuit:ticketmaster" in skip
    assert db.execute("SELECT count(*) FROM sync_jobs").fetchone() == (0,)
    (log,) = cron_rows(db, "update-active-artists")
    assert log["status"] == "success"
    assert log["result"]["deferred"]["by_reason"] == {"circuit:ticketmaster": 3}
    assert "503 Service Unavailable" in log["result"]["deferred"]["why"]["circuit:ticketmaster"]
    assert log["result"]["budget"]["ticketmaster"]["circuit_open_until"]
    # catalogs need only Spotify: they still go while Ticketmaster is out
    catalog, _ = evaluate(complete_catalog_sync, instance)
    assert len(catalog) == 2 and all(r.job_name == "catalog_only" for r in catalog)


def test_missing_images_get_a_forced_profile_lookup(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    keyed(db, instance, "Faceless", image=None, profile_ago=2 * DAY)
    keyed(db, instance, "Pictured", profile_ago=2 * DAY)
    keyed(db, instance, "No Spotify", image=None, spotify=None, profile_ago=2 * DAY)
    (request,), _ = evaluate(sync_artist_images, instance)
    assert request.job_name == "update" and request.asset_selection == [dg.AssetKey("artist_profile")]
    assert request.run_config == {"ops": {"artist_profile": {"config": {"force": True}}}}
    (row,) = batch_rows(db, request.tags[BATCH])
    assert (row["partition_key"], row["job_type"], row["total_steps"]) == ("faceless", "update", 1)


def test_stale_profiles_are_looked_up_again(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    keyed(db, instance, "Old Profile", profile_ago=8 * DAY)
    keyed(db, instance, "Recent Profile", profile_ago=2 * DAY)
    (request,), _ = evaluate(sync_artist_data, instance)
    assert request.asset_selection == [dg.AssetKey("artist_profile")]
    assert [r["partition_key"] for r in batch_rows(db, request.tags[BATCH])] == ["old-profile"]
    (log,) = cron_rows(db, "sync-artist-data")
    assert log["result"]["launched"]["expected_calls"] == {"spotify": 2, "ticketmaster": 1, "setlistfm": 1}


def test_the_sql_routes_request_their_small_jobs(instance: dg.DagsterInstance) -> None:
    for schedule, job in (
        (calculate_trending, "trending_scores"),
        (cleanup_old_data_schedule, "cleanup_old_sync_data"),
    ):
        (request,), _ = evaluate(schedule, instance)
        assert schedule.job_name == job and request.tags["dagster/schedule_name"] == schedule.name
    assert (calculate_trending.cron_schedule, cleanup_old_data_schedule.cron_schedule) == (
        "5 */2 * * *",
        "30 1 * * *",
    )


def test_import_past_setlists_settles_shows_and_asks_setlist_fm(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    played = keyed(db, instance, "Played", setlists_ago=3 * DAY, profile_ago=DAY)
    show = add_show(db, played, -1)
    done = keyed(db, instance, "Done")
    add_setlist(db, add_show(db, done, -2, status="completed"), done, "actual")
    (request,), _ = evaluate(import_past_setlists, instance)
    assert request.job_name == "shows_only"
    assert request.asset_selection == [
        dg.AssetKey("artist_profile"),
        dg.AssetKey("artist_setlists"),
        dg.AssetKey("predicted_setlists"),
    ]
    assert [r["partition_key"] for r in batch_rows(db, request.tags[BATCH])] == ["played"]
    assert db.execute("SELECT status FROM shows WHERE id = %s", (show,)).fetchone() == ("completed",)
    (log,) = cron_rows(db, "import-past-setlists")
    assert log["result"]["past_shows"] == {"settled": 1, "missing_setlists": 1, "without_mbid": 0}
    assert log["result"]["launched"]["expected_calls"] == {"setlistfm": 1}


def test_a_batch_run_syncs_its_artists_and_skips_the_rest_of_its_range(
    fleet_env: str,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
) -> None:
    """The schedule's request, executed as the run queue would run it (in process here)."""
    refs = {k: artist_sandbox.server.artist(k) for k in ("zoe-marlowe", "hollow-pines", "neon-harbor")}
    ids = {}
    for key, ref in refs.items():  # rows as the old app left them: name and Ticketmaster id
        recent = key != "hollow-pines"  # Hollow Pines: imported long ago, no show: not active
        ids[key] = keyed(
            db, instance, ref.name, tm=ref.tm_attraction_id, spotify=None, mbid=None, key=key,
            created_ago=DAY if recent else 300 * DAY,
        )  # fmt: skip
    (request,), _ = evaluate(update_active_artists, instance)
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("zoe-marlowe", "neon-harbor")
    artist_sandbox.reset()

    result = definitions.resolve_job_def(request.job_name).execute_in_process(
        instance=instance,
        tags=request.tags,
        run_config=request.run_config,
        asset_selection=request.asset_selection,
    )

    assert result.success
    meta = step_metadata(result, "artist_shows")
    assert meta["artists"] == 2
    assert meta["artists_skipped"]["partitions"] == ["hollow-pines"]  # type: ignore[index]
    shows = dict(db.execute("SELECT headliner_artist_id::text, count(*) FROM shows GROUP BY 1").fetchall())
    assert (
        shows.get(ids["zoe-marlowe"]) and shows.get(ids["neon-harbor"]) and ids["hollow-pines"] not in shows
    )
    calls = artist_sandbox.calls()
    # one events search per synced artist; nobody asked about Hollow Pines
    assert calls.get("ticketmaster:events") == 2
    assert db.execute(
        "SELECT count(*) FROM pipelines.artist_sync_state WHERE artist_id = %s", (ids["hollow-pines"],)
    ).fetchone() == (0,)
    rows = batch_rows(db, request.tags[BATCH])
    assert [(r["partition_key"], r["status"], r["completed_steps"]) for r in rows] == [
        ("neon-harbor", "completed", 3),
        ("zoe-marlowe", "completed", 3),
    ]


def _failure_records(inst: dg.DagsterInstance, definitions: dg.Definitions) -> list[dg.RunRequest]:
    """The batch_failure_records sensor's requests (partitions resolved as the daemon does)."""
    from mysetlist_pipelines.defs.schedules.batch_failures import batch_failure_records

    with dg.partition_loading_context(dynamic_partitions_store=inst):
        data = sensor_tick(batch_failure_records, instance=inst, definitions=definitions)
    return list(data.run_requests or [])


def _materialized(inst: dg.DagsterInstance, asset: str) -> set[str]:
    """The partitions Dagster shows as materialized (what the UI's partition view is built from)."""
    return set(inst.get_materialized_partitions(dg.AssetKey(asset)))


def test_a_batch_runs_partition_status_matches_its_rows(
    fleet_env: str,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
) -> None:
    """A partition-range run with a synced artist, a skipped one (in the range, not in the batch)
    and one that fails: only the synced artist is materialized; the failed one is not (its row says
    partial), the skipped one keeps what it had (here: an earlier real sync)."""
    from mysetlist_pipelines.defs.tracking import settle_run

    ref = artist_sandbox.server.artist("zoe-marlowe")
    known = keyed(db, instance, ref.name, tm=ref.tm_attraction_id, spotify=None, mbid=None, key="zoe-marlowe")
    add_show(db, known, 9)
    # Hollow Pines: synced once on its own before; not active now, so not in this tick's batch.
    pines = artist_sandbox.server.artist("hollow-pines")
    keyed(
        db, instance, pines.name, tm=pines.tm_attraction_id, spotify=None, mbid=None, key="hollow-pines",
        created_ago=300 * DAY,
    )  # fmt: skip
    earlier = definitions.resolve_job_def("shows_only").execute_in_process(
        instance=instance, partition_key="hollow-pines"
    )
    assert earlier.success
    nobody = keyed(db, instance, "Nobody Anyone Has Heard Of", tm=None, spotify=None, mbid=None)
    add_show(db, nobody, 9)
    db.execute(
        "UPDATE pipelines.artist_sync_state SET shows_synced_at = now(), setlists_synced_at = now(), "
        "catalog_synced_at = now() WHERE artist_id = (SELECT id FROM artists WHERE name = %s)",
        (pines.name,),
    )
    (request,), _ = evaluate(master_sync, instance)
    members = [r["partition_key"] for r in batch_rows(db, request.tags[BATCH])]
    assert members == ["nobody-anyone-has-heard-of", "zoe-marlowe"]
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (
        "zoe-marlowe",
        "nobody-anyone-has-heard-of",
    )
    before = {a: _materialized(instance, a) for a in ("artist_profile", "artist_shows")}
    assert before == {"artist_profile": {"hollow-pines"}, "artist_shows": {"hollow-pines"}}
    pines_events = {
        a: len(
            instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=dg.AssetKey(a), asset_partitions=["hollow-pines"]), limit=10
            ).records
        )
        for a in before
    }

    result = definitions.resolve_job_def(request.job_name).execute_in_process(
        instance=instance,
        tags={**request.tags, "dagster/run_key": request.run_key or ""},
        raise_on_error=False,
    )
    assert result.success
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    with app_connection() as conn:
        settle_run(conn, instance, run)
    rows = {r["partition_key"]: r["status"] for r in batch_rows(db, request.tags[BATCH])}
    assert rows == {"zoe-marlowe": "completed", "nobody-anyone-has-heard-of": "partial"}

    # Dagster's view matches the rows: a partition is materialized at an asset exactly when its
    # artist's step completed (the unknown artist's profile failed; its later steps completed saying
    # why they did not apply, or failed), and the skipped one gained no event.
    completed = db.execute(
        "SELECT step, array_agg(partition_key ORDER BY partition_key) FROM pipelines.sync_step_state "
        "WHERE job_id IN (SELECT job_id FROM pipelines.sync_job_targets WHERE batch_id = %s) "
        "AND status = 'completed' GROUP BY step",
        (request.tags[BATCH],),
    ).fetchall()
    want = {STEP_BY_NAME[step].asset: set(keys) for step, keys in completed}
    assert "nobody-anyone-has-heard-of" not in want["artist_profile"]
    got: dict[str, set[str]] = {}
    for e in result.get_asset_materialization_events():
        assert e.partition is not None
        got.setdefault(e.asset_key.path[-1], set()).add(e.partition)
    assert got == want
    assert "nobody-anyone-has-heard-of" not in _materialized(instance, "artist_profile")
    for asset, n in pines_events.items():
        assert (
            len(
                instance.fetch_materializations(
                    dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=["hollow-pines"]),
                    limit=10,
                ).records
            )
            == n
        )
    # Nothing planned for the range either: no partition of it shows as in progress or failed
    # because of this run.
    planned = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    ).records
    assert planned == []

    # The failed artist's failure record (lib/fleet/failure_records.py): the sensor requests a failing
    # single-partition run of the assets whose steps failed; then Dagster shows it *failed* there,
    # as its row says, and nothing else changes.
    from mysetlist_pipelines.defs.artists.partitions import artists_partitions

    jobs_before = db.execute("SELECT id, status, updated_at FROM sync_jobs ORDER BY id").fetchall()
    failed_steps = {
        STEP_BY_NAME[step].asset
        for (step,) in db.execute(
            "SELECT step FROM pipelines.sync_step_state WHERE partition_key = 'nobody-anyone-has-heard-of' "
            "AND status = 'failed'"
        )
    }
    assert "artist_profile" in failed_steps
    records = _failure_records(instance, definitions)
    (record,) = records  # the one artist that failed; not the synced or the skipped one
    assert record.partition_key == "nobody-anyone-has-heard-of" and record.tags["dagster/max_retries"] == "0"
    assert {k.path[-1] for k in record.asset_selection or []} == failed_steps
    artist_sandbox.reset()
    recorded = definitions.resolve_job_def(record.job_name).execute_in_process(
        instance=instance,
        partition_key=record.partition_key,
        asset_selection=record.asset_selection,
        tags={**record.tags, "dagster/run_key": record.run_key or ""},
        raise_on_error=False,
    )
    assert not recorded.success
    (failure,) = [e for e in recorded.all_events if e.event_type_value == "STEP_FAILURE"][:1]
    assert "in " + request.tags[BATCH] in (failure.step_failure_data.error.message or "")  # type: ignore[union-attr]
    assert artist_sandbox.calls() == {}  # a record calls nothing
    recorded_run = instance.get_run_by_id(recorded.run_id)
    assert recorded_run is not None
    with app_connection() as conn:
        settle_run(conn, instance, recorded_run)  # what the run-failure sensor does: nothing, not a sync run
    assert db.execute("SELECT id, status, updated_at FROM sync_jobs ORDER BY id").fetchall() == jobs_before
    for asset in ("artist_profile", "artist_shows"):
        status = instance.get_status_by_partition(
            dg.AssetKey(asset),
            ["zoe-marlowe", "nobody-anyone-has-heard-of", "hollow-pines"],
            artists_partitions,
        )
        assert status == {
            "zoe-marlowe": dg.AssetPartitionStatus.MATERIALIZED,
            "nobody-anyone-has-heard-of": dg.AssetPartitionStatus.FAILED
            if asset in failed_steps
            else (
                dg.AssetPartitionStatus.MATERIALIZED
                if asset in want and "nobody-anyone-has-heard-of" in want[asset]
                else None
            ),
            "hollow-pines": dg.AssetPartitionStatus.MATERIALIZED,  # its earlier sync; this batch skipped it
        }, asset
    # seen again, the same record (same run key): Dagster launches it once
    again = _failure_records(instance, definitions)
    assert [r.run_key for r in again] == [record.run_key]


def test_trending_and_cleanup_jobs_log_their_runs(fleet_env: str, db: psycopg.Connection) -> None:
    a, _ = add_artist(db, "Voted")
    add_setlist(db, add_show(db, a, 30), a, upvotes=(2, 1))  # (1 + 3) * 0.5 = 2
    assert trending_scores.execute_in_process(resources=build_resources()).success
    (log,) = cron_rows(db, "calculate-trending")
    assert log["status"] == "success"
    assert (log["result"]["shows_trending"], log["result"]["artists_trending"]) == (1, 1)
    assert db.execute("SELECT trending_score FROM artists").fetchone() == (2.0,)

    assert cleanup_old_sync_data.execute_in_process(resources=build_resources()).success
    (log,) = cron_rows(db, "cleanup-old-data")
    assert log["status"] == "success" and log["result"]["sync_jobs_deleted"] == 0
    # the app's function missing: the run fails and its cron_logs row says why
    db.execute("DROP FUNCTION cleanup_old_sync_data()")
    assert not cleanup_old_sync_data.execute_in_process(
        raise_on_error=False, resources=build_resources()
    ).success
    failed = cron_rows(db, "cleanup-old-data")[-1]
    assert (
        failed["status"] == "failed" and "cleanup_old_sync_data() does not exist" in failed["error_message"]
    )


def test_a_batch_waiting_long_in_the_queue_is_linked_and_one_never_launched_fails(
    fleet_env: str, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    """Batches wait behind each other (2 batch runs at a time): the reconciliation finds their
    queued runs by batch tag and range, and fails only the rows of a batch no run ever came for."""
    from dagster._core.test_utils import create_run_for_test

    from mysetlist_pipelines.defs.sensors.reconciliation import build_reconcile_sensor

    for name in ("One", "Two", "Three"):
        add_show(db, keyed(db, instance, name, shows_ago=DAY, profile_ago=HOUR), 5)
    queued, lost = evaluate(update_active_artists, instance)[0]
    run = create_run_for_test(
        instance,
        job_name=queued.job_name,
        status=dg.DagsterRunStatus.NOT_STARTED,  # created, waiting in the queue
        tags={**queued.tags, "dagster/run_key": queued.run_key or ""},
    )
    db.execute("UPDATE pipelines.sync_job_targets SET requested_at = now() - interval '20 minutes'")

    sensor_tick(build_reconcile_sensor(), instance=instance, instance_ref=instance.get_ref())

    linked = batch_rows(db, queued.tags[BATCH])
    assert [r["status"] for r in linked] == ["in_progress", "in_progress"]
    assert db.execute(
        "SELECT DISTINCT status, run_id FROM pipelines.sync_job_targets WHERE batch_id = %s",
        (queued.tags[BATCH],),
    ).fetchall() == [("queued", run.run_id)]
    (never,) = batch_rows(db, lost.tags[BATCH])
    assert never["status"] == "failed" and never["error"].startswith("no Dagster run appeared within")


def test_a_failed_batch_run_settles_each_artist_on_its_own(
    fleet_env: str,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
) -> None:
    """One artist of the batch is unknown to every service: its profile fails for it alone; the run
    goes on for the others and succeeds; the run's end is read back from its partition range (tags)
    and each artist's row settles on its own."""
    from mysetlist_pipelines.defs.tracking import settle_run

    ref = artist_sandbox.server.artist("zoe-marlowe")
    known = keyed(db, instance, ref.name, tm=ref.tm_attraction_id, spotify=None, mbid=None, key="zoe-marlowe")
    nobody = keyed(db, instance, "Nobody Anyone Has Heard Of", tm=None, spotify=None, mbid=None)
    for artist in (known, nobody):
        add_show(db, artist, 9)
    (request,), _ = evaluate(master_sync, instance)
    result = definitions.resolve_job_def(request.job_name).execute_in_process(
        instance=instance,
        tags={**request.tags, "dagster/run_key": request.run_key or ""},
        raise_on_error=False,
    )
    assert result.success
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    with app_connection() as conn:
        settle_run(conn, instance, run)
    rows = {r["partition_key"]: r for r in batch_rows(db, request.tags[BATCH])}
    # Its profile failed (no provider to blame: none knows it); the steps after it had no id to go
    # on and say so: partial.
    failed = rows["nobody-anyone-has-heard-of"]
    assert failed["status"] == "partial"
    assert failed["error"].startswith("fetching_artist failed: no service knows the artist")
    # The other artist's steps all ran in the same run.
    other = rows["zoe-marlowe"]
    assert (other["status"], other["completed_steps"], other["error"]) == (
        "completed",
        other["total_steps"],
        None,
    )


def test_a_database_error_of_one_artist_in_a_batch_fails_its_row_alone(
    fleet_env: str,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
) -> None:
    """A psycopg DataError (raised by the real Postgres for one artist's shows) in a batch run: that
    artist's row is partial naming the error, the other artist's row completes, the run succeeds."""
    from mysetlist_pipelines.defs.tracking import settle_run

    ids = {}
    for key in ("zoe-marlowe", "neon-harbor"):
        ref = artist_sandbox.server.artist(key)
        ids[key] = keyed(db, instance, ref.name, tm=ref.tm_attraction_id, spotify=None, mbid=None, key=key)
        add_show(db, ids[key], 9)
    db.execute(
        "CREATE FUNCTION test_bad_show() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NEW.headliner_artist_id = '{ids['neon-harbor']}' THEN "
        "RAISE EXCEPTION 'smallint out of range' USING ERRCODE = '22003'; END IF; RETURN NEW; END $$; "
        "CREATE TRIGGER test_bad_show BEFORE INSERT OR UPDATE ON shows "
        "FOR EACH ROW EXECUTE FUNCTION test_bad_show()"
    )
    (request,), _ = evaluate(master_sync, instance)
    result = definitions.resolve_job_def(request.job_name).execute_in_process(
        instance=instance,
        tags={**request.tags, "dagster/run_key": request.run_key or ""},
        raise_on_error=False,
    )
    assert result.success
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    with app_connection() as conn:
        settle_run(conn, instance, run)
    rows = {r["partition_key"]: r for r in batch_rows(db, request.tags[BATCH])}
    assert rows["zoe-marlowe"]["status"] == "completed"
    bad = rows["neon-harbor"]
    assert bad["status"] == "partial"
    assert bad["error"].startswith("importing_shows failed: NumericValueOutOfRange: smallint out of range")


def test_every_cron_route_is_a_running_utc_schedule() -> None:
    from mysetlist_pipelines.definitions import defs

    want = {
        "update_active_artists": "15 */6 * * *",
        "sync_artist_data": "30 */8 * * *",
        "sync_artist_images": "30 6 * * *",
        "complete_catalog_sync": "0 3 * * 0",
        "master_sync": "15 4 * * *",
        "sync_us_shows": "0 6 * * *",
        "sync_eu_shows": "0 1 * * *",
        "trending_artist_sync": "45 2 * * *",
        "import_past_setlists": "0 6 * * *",
        "calculate_trending": "5 */2 * * *",
        "cleanup_old_data": "30 1 * * *",
        "dagster_run_retention": "45 * * * *",
    }
    schedules = {s.name: s for s in defs().schedules or []}
    assert {name: schedules[name].cron_schedule for name in want} == want
    for name in want:
        assert schedules[name].execution_timezone == "UTC"
        assert schedules[name].default_status == dg.DefaultScheduleStatus.RUNNING
