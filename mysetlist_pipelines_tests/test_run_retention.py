"""Run retention on a Postgres-backed Dagster instance: old finished runs and their event logs go,
running / not-started runs, runs an open sync_jobs target points to, and the app's tables stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.schedules import retention
from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.db.urls import sqlalchemy_psycopg2_url

from .tracking_helpers import insert_job


@dg.op
def say_something(context) -> None:
    context.log.info("a line in the event log")


@dg.job
def tiny() -> None:
    say_something()


@pytest.fixture
def pg_instance(empty_db: str) -> Iterator[tuple[dg.DagsterInstance, str]]:
    storage = {"postgres": {"postgres_url": sqlalchemy_psycopg2_url(empty_db)}}
    with dg.instance_for_test(overrides={"storage": storage}) as instance:
        yield instance, empty_db


def _age(dagster_db: str, run_ids: list[str], days: int) -> None:
    """Make runs look `days` old (their last update), as time would."""
    with psycopg.connect(dagster_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE runs SET update_timestamp = update_timestamp - make_interval(days => %s), "
            "create_timestamp = create_timestamp - make_interval(days => %s) WHERE run_id = ANY(%s)",
            (days, days, run_ids),
        )


def _event_rows(dagster_db: str, run_ids: list[str]) -> int:
    with psycopg.connect(dagster_db) as conn:
        row = conn.execute("SELECT count(*) FROM event_logs WHERE run_id = ANY(%s)", (run_ids,)).fetchone()
        return int(row[0]) if row else 0


def test_old_finished_runs_and_their_events_go_the_rest_stays(
    pg_instance: tuple[dg.DagsterInstance, str], db: psycopg.Connection
) -> None:
    instance, dagster_db = pg_instance
    old = [tiny.execute_in_process(instance=instance).run_id for _ in range(5)]
    recent = [tiny.execute_in_process(instance=instance).run_id for _ in range(2)]
    running = instance.create_run_for_job(tiny, status=dg.DagsterRunStatus.STARTED).run_id
    not_started = instance.create_run_for_job(tiny).run_id
    # An old finished run an open sync_jobs target still points to (its row is not settled yet).
    job_id = insert_job(db, metadata={"artist_name": "Still Open"}, job_type="catalog_only")
    tracking.claim_pending(db, 10)
    db.execute("UPDATE pipelines.sync_job_targets SET run_id = %s WHERE job_id = %s", (old[0], job_id))
    _age(dagster_db, [*old, running, not_started], days=40)
    assert _event_rows(dagster_db, old[1:]) > 0
    app_rows = db.execute("SELECT count(*) FROM sync_jobs").fetchone()

    done = retention.prune_runs(instance, datetime.now(UTC) - timedelta(days=30), db, chunk=2)

    assert (done.deleted, done.kept_open, done.out_of_time) == (4, 1, False)
    left = {r.run_id for r in instance.get_runs()}
    assert left == {old[0], *recent, running, not_started}
    assert _event_rows(dagster_db, old[1:]) == 0 and _event_rows(dagster_db, recent) > 0
    assert db.execute("SELECT count(*) FROM sync_jobs").fetchone() == app_rows


def test_a_run_out_of_time_stops_after_one_chunk(pg_instance: tuple[dg.DagsterInstance, str]) -> None:
    instance, dagster_db = pg_instance
    runs = [tiny.execute_in_process(instance=instance).run_id for _ in range(3)]
    _age(dagster_db, runs, days=40)
    done = retention.prune_runs(instance, datetime.now(UTC) - timedelta(days=30), chunk=1, budget_seconds=0)
    assert (done.deleted, done.chunks, done.out_of_time) == (1, 1, True)
    assert len(instance.get_runs()) == 2


@pytest.mark.usefixtures("app_env")
def test_the_retention_job_follows_the_setting(
    pg_instance: tuple[dg.DagsterInstance, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mysetlist_pipelines.definitions import defs
    from mysetlist_pipelines.lib.settings import get_settings

    instance, dagster_db = pg_instance
    runs = [tiny.execute_in_process(instance=instance).run_id for _ in range(3)]
    _age(dagster_db, runs[:2], days=10)
    job = defs().resolve_job_def("dagster_run_retention")

    monkeypatch.setenv("MYSETLIST_RUN_RETENTION_DAYS", "0")  # off: nothing goes
    get_settings.cache_clear()
    assert job.execute_in_process(instance=instance).success
    assert set(runs) <= {r.run_id for r in instance.get_runs()}

    monkeypatch.setenv("MYSETLIST_RUN_RETENTION_DAYS", "7")
    get_settings.cache_clear()
    result = job.execute_in_process(instance=instance)
    assert result.success
    left = {r.run_id for r in instance.get_runs()}
    assert runs[2] in left and not left & set(runs[:2])
    (output,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    assert output.step_output_data.metadata["deleted"].value == 2
