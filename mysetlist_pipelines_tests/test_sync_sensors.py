"""Each sync sensor evaluated with Dagster's test helpers against a real Postgres (stand-in assets)."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.sensors import reconciliation as reconcile
from mysetlist_pipelines.defs.sensors.intake import PENDING_SENSOR_NAME
from mysetlist_pipelines.defs.sensors.reconciliation import RECONCILE_SENSOR_NAME

from . import standin_location
from .ticks import run_status_tick, sensor_tick
from .tracking_helpers import insert_job, job, progress

pytestmark = pytest.mark.usefixtures("app_env")
DEFS = standin_location.defs


def _sensor(name: str) -> dg.SensorDefinition:
    return DEFS.get_repository_def().get_sensor_def(name)


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test(overrides={"run_retries": {"enabled": True, "max_retries": 0}}) as inst:
        yield inst


def _tick(instance: dg.DagsterInstance, name: str, cursor: str | None = None):
    return sensor_tick(
        _sensor(name),
        instance=instance,
        instance_ref=instance.get_ref(),
        cursor=cursor,
        definitions=DEFS,
        sensor_name=name,
    )


def _execute(instance: dg.DagsterInstance, request: dg.RunRequest) -> dg.DagsterRun:
    """Run a sensor's request in process, with the tags the daemon would add."""
    instance.add_dynamic_partitions("artists", [request.partition_key or ""])
    job_def = DEFS.resolve_job_def(request.job_name or "")
    tags = {
        **request.tags,
        "dagster/run_key": request.run_key or "",
        "dagster/sensor_name": PENDING_SENSOR_NAME,
    }
    result = job_def.execute_in_process(
        instance=instance, partition_key=request.partition_key, tags=tags, raise_on_error=False
    )
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    return run


def _status_tick(sensor: dg.RunStatusSensorDefinition, instance: dg.DagsterInstance, run: dg.DagsterRun):
    event_type = {
        dg.DagsterRunStatus.SUCCESS: dg.DagsterEventType.RUN_SUCCESS,
        dg.DagsterRunStatus.FAILURE: dg.DagsterEventType.RUN_FAILURE,
    }[run.status]
    records = instance.get_records_for_run(run.run_id, of_type=event_type).records
    return run_status_tick(
        sensor,
        sensor_name=sensor.name,
        dagster_event=records[-1].event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
    )


def test_pending_sensor_requests_each_job_once_with_its_tags(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    fleet = insert_job(db, priority=3, metadata={"artist_name": "Fleet Band"}, job_type="update")
    imp = insert_job(db, priority=1, metadata={"artist_name": "Import Band"}, max_retries=2)
    bad = insert_job(db, job_type="nonsense", metadata={"artist_name": "Bad"})

    data = _tick(instance, PENDING_SENSOR_NAME)

    requests = data.run_requests or []
    assert [(r.run_key, r.job_name, r.partition_key) for r in requests] == [
        (imp, "full_sync", "import-band"),
        (fleet, "update", "fleet-band"),
    ]
    assert requests[0].tags["mysetlist/sync_job_id"] == imp
    assert int(requests[0].tags["dagster/priority"]) > int(requests[1].tags["dagster/priority"])
    assert requests[0].tags["dagster/max_retries"] == "2"
    (partitions,) = data.dynamic_partitions_requests or []
    assert set(partitions.partition_keys) == {"import-band", "fleet-band"}
    assert job(db, imp)["status"] == "in_progress" and job(db, bad)["status"] == "failed"
    assert "unknown job_type 'nonsense'" in job(db, bad)["error"]
    # Seen again: nothing requested twice.
    again = _tick(instance, PENDING_SENSOR_NAME)
    assert not again.run_requests


def test_pending_sensor_reissues_a_request_dagster_never_ran(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Lost Request"})
    first = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    assert [r.run_key for r in first] == [job_id]
    db.execute(
        "UPDATE pipelines.sync_job_targets SET requested_at = now() - interval '5 minutes' WHERE job_id = %s",
        (job_id,),
    )
    second = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    assert [r.run_key for r in second] == [job_id]  # the same key: Dagster still runs it at most once


def test_run_status_sensors_complete_a_successful_run(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Happy Band"}, job_type="catalog_only")
    (request,) = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    run = _execute(instance, request)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    # The steps reported from inside the run already.
    assert progress(db, job_id)["syncing_songs"]["message"] == "artist_catalog done for happy-band"
    assert job(db, job_id)["completed_steps"] == 2

    sensor = _sensor("sync_jobs_on_run_success")
    assert _status_tick(sensor, instance, run) is None
    row = job(db, job_id)
    assert (row["status"], row["completed_steps"], row["total_steps"], row["error"]) == (
        "completed",
        2,
        2,
        None,
    )
    assert row["metadata"]["pipelines"]["run_ids"] == [run.run_id]


def test_run_failure_sensor_marks_partial_and_names_step_and_provider(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Fail Artist Setlists"}, auto_retry=False)
    (request,) = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    run = _execute(instance, request)
    assert run.status == dg.DagsterRunStatus.FAILURE

    sensor = _sensor("sync_jobs_on_run_failure")
    _status_tick(sensor, instance, run)
    row = job(db, job_id)
    assert row["status"] == "partial"
    assert row["error"].startswith(
        "importing_setlists failed (setlist.fm): HTTP 503 from the artist_setlists"
    )
    steps = progress(db, job_id)
    assert steps["importing_shows"]["status"] == "completed"
    assert steps["creating_setlists"]["message"] == "not run: importing_setlists failed first"


def test_run_failure_with_a_retry_coming_keeps_the_job_in_progress(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Flaky Artist Shows"}, max_retries=2)
    (request,) = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    run = _execute(instance, request)
    assert run.tags.get("dagster/will_retry") == "true"
    sensor = _sensor("sync_jobs_on_run_failure")
    _status_tick(sensor, instance, run)
    row = job(db, job_id)
    assert (row["status"], row["retry_count"], row["current_step"]) == ("in_progress", 0, "importing_shows")
    assert progress(db, job_id)["importing_shows"]["message"].startswith("retry queued after: HTTP 503")


def test_a_permanent_failure_tags_its_run_so_that_dagster_never_retries_it(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Gone Artist Shows"}, max_retries=5)
    (request,) = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    run = _execute(instance, request)
    assert run.tags["dagster/max_retries"] == "5"
    assert run.tags["dagster/retry_on_asset_or_op_failure"] == "false"
    assert run.tags["dagster/will_retry"] == "false"  # Dagster's own decision, made at the failure
    assert run.tags["mysetlist/permanent_failure"].startswith("importing_shows: artist_shows: the provider")
    sensor = _sensor("sync_jobs_on_run_failure")
    _status_tick(sensor, instance, run)
    row = job(db, job_id)
    assert (row["status"], row["retry_count"]) == ("partial", 0)
    assert row["error"].startswith("importing_shows failed: artist_shows: the provider says")


@pytest.mark.parametrize(
    ("key", "will_retry"), [("gone-artist-shows-ui", "false"), ("fail-artist-shows-ui", "true")]
)
def test_instance_wide_run_retries_skip_permanent_failures_only(key: str, will_retry: str) -> None:
    """No `dagster/max_retries` tag (a run launched from the UI): dagster.yaml's run_retries apply."""
    overrides = {"run_retries": {"enabled": True, "max_retries": 3, "retry_on_asset_or_op_failure": True}}
    with dg.instance_for_test(overrides=overrides) as inst:
        inst.add_dynamic_partitions("artists", [key])
        result = DEFS.resolve_job_def("shows_only").execute_in_process(
            instance=inst, partition_key=key, raise_on_error=False
        )
        run = inst.get_run_by_id(result.run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE
        assert "dagster/max_retries" not in run.tags
        assert run.tags["dagster/will_retry"] == will_retry


def test_a_failure_seen_before_dagster_decided_its_retry_is_not_settled_as_final(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Flaky Artist Shows Early"}, max_retries=2)
    (request,) = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    run = _execute(instance, request)
    # The run as a sensor may read it between Dagster's FAILURE and its will_retry tag.
    early = run.with_tags({k: v for k, v in run.tags.items() if k != "dagster/will_retry"})
    sensor = _sensor("sync_jobs_on_run_failure")
    _status_tick(sensor, instance, early)
    row = job(db, job_id)
    assert (row["status"], row["retry_count"], row["completed_at"]) == ("in_progress", 0, None)
    assert progress(db, job_id)["importing_shows"]["message"].startswith("retry queued after: HTTP 503")


def test_a_retry_that_never_came_keeps_the_real_cause_and_the_retry_count(
    db: psycopg.Connection, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Flaky Artist Shows Never"}, max_retries=2)
    (request,) = _tick(instance, PENDING_SENSOR_NAME).run_requests or []
    run = _execute(instance, request)
    assert run.tags["dagster/will_retry"] == "true"  # no daemon here: the retry never comes
    _tick(instance, RECONCILE_SENSOR_NAME)
    assert (job(db, job_id)["status"], job(db, job_id)["retry_count"]) == ("in_progress", 0)
    monkeypatch.setattr(reconcile, "RETRY_GRACE_SECONDS", -1)
    _tick(instance, RECONCILE_SENSOR_NAME)
    row = job(db, job_id)
    assert (row["status"], row["retry_count"]) == ("partial", 0)
    assert row["error"].startswith(
        "importing_shows failed (Ticketmaster): HTTP 503 from the artist_shows service"
    )
    assert f"Dagster did not launch the retry of run {run.run_id}" in row["error"]


def test_a_ui_launched_run_gets_its_own_row(db: psycopg.Connection, instance: dg.DagsterInstance) -> None:
    instance.add_dynamic_partitions("artists", ["ui-launched"])
    result = DEFS.resolve_job_def("shows_only").execute_in_process(
        instance=instance, partition_key="ui-launched"
    )
    rows = db.execute(
        "SELECT id FROM sync_jobs WHERE metadata->>'dagster_run_id' = %s", (result.run_id,)
    ).fetchall()
    assert len(rows) == 1
    row = job(db, rows[0][0])
    assert (row["job_type"], row["total_steps"], row["completed_steps"]) == ("shows_only", 4, 4)
    assert row["metadata"]["source"] == "dagster" and row["entity_id"] == "ui-launched"


def test_reconciliation_settles_missed_runs_vanished_runs_and_drift(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    missed = insert_job(
        db, metadata={"artist_name": "Missed Fail Artist Catalog"}, job_type="catalog_only", auto_retry=False
    )
    vanished = insert_job(db, metadata={"artist_name": "Vanished Band"}, job_type="catalog_only")
    done = insert_job(db, metadata={"artist_name": "Done Band"}, job_type="catalog_only")
    requests = {r.run_key: r for r in _tick(instance, PENDING_SENSOR_NAME).run_requests or []}
    missed_run = _execute(instance, requests[missed])
    _execute(instance, requests[done])
    # A run that started, then disappeared from Dagster (deleted) before it ended.
    db.execute(
        "UPDATE pipelines.sync_job_targets SET run_id = 'deleted-run', root_run_id = 'deleted-run', "
        "status = 'running' WHERE job_id = %s",
        (vanished,),
    )
    # No run-status sensor saw the ends: the failed run's row is still in progress.
    assert job(db, missed)["status"] == job(db, vanished)["status"] == "in_progress"

    data = _tick(instance, RECONCILE_SENSOR_NAME)
    row = job(db, missed)
    assert row["status"] == "partial" and row["error"].startswith("syncing_songs failed (Spotify): HTTP 503")
    assert row["metadata"]["pipelines"]["run_ids"] == [missed_run.run_id]
    row = job(db, vanished)
    assert row["status"] == "failed" and row["error"] == "the Dagster run deleted-run no longer exists"

    db.execute("UPDATE sync_jobs SET status = 'in_progress', completed_steps = 0 WHERE id = %s", (done,))
    db.execute("UPDATE sync_progress SET status = 'failed' WHERE job_id = %s", (done,))
    _tick(instance, RECONCILE_SENSOR_NAME, cursor=data.cursor)
    row = job(db, done)
    assert (row["status"], row["completed_steps"]) == ("completed", 2)
    assert {p["status"] for p in progress(db, done).values()} == {"completed"}


def test_a_tracking_write_that_fails_never_fails_the_asset(
    instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mysetlist_pipelines.lib.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:x@127.0.0.1:1/nowhere")
    get_settings.cache_clear()
    instance.add_dynamic_partitions("artists", ["no-database"])
    result = DEFS.resolve_job_def("catalog_only").execute_in_process(
        instance=instance, partition_key="no-database", raise_on_error=False
    )
    assert result.success
    warnings = [
        e for e in instance.all_logs(result.run_id) if e.message and "sync tracking write failed" in e.message
    ]
    assert warnings and "x@" not in warnings[0].message  # logged, without the password


def test_reconciliation_links_a_long_queued_run_and_fails_a_request_that_never_ran(
    db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    from dagster._core.test_utils import create_run_for_test

    queued = insert_job(db, metadata={"artist_name": "Queued Band"}, job_type="catalog_only")
    lost = insert_job(db, metadata={"artist_name": "Lost Band"}, job_type="catalog_only")
    requests = {r.run_key: r for r in _tick(instance, PENDING_SENSOR_NAME).run_requests or []}
    request = requests[queued]
    run = create_run_for_test(
        instance,
        job_name="catalog_only",
        status=dg.DagsterRunStatus.NOT_STARTED,  # created, waiting to be launched
        tags={**request.tags, "dagster/run_key": request.run_key, "dagster/partition": request.partition_key},
    )
    db.execute("UPDATE pipelines.sync_job_targets SET requested_at = now() - interval '20 minutes'")

    _tick(instance, RECONCILE_SENSOR_NAME)

    target = db.execute(
        "SELECT status, run_id FROM pipelines.sync_job_targets WHERE job_id = %s", (queued,)
    ).fetchone()
    assert target == ("queued", run.run_id) and job(db, queued)["status"] == "in_progress"
    row = job(db, lost)
    assert row["status"] == "failed" and row["error"].startswith("no Dagster run appeared within")
