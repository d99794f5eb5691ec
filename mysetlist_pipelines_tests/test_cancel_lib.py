"""Cancellation by the app (lib/tracking/settle/cancellation.py) against a real Postgres: the app's `cancelled`
wins over every later report of the run, finished steps stay, and a finished job cannot be cancelled.
The daemon's side (runs stopped within seconds) is in test_cancel_e2e.py."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.tracking import Counts, RunInfo, RunOutcome
from mysetlist_pipelines.lib.tracking.settle.cancellation import BY_APP, BY_APP_BEFORE_START, BY_OPERATOR

from .tracking_helpers import insert_job, job, progress


def _run(launch: tracking.Launch, run_id: str = "run-1") -> RunInfo:
    tags = {**launch.tags, "dagster/run_key": launch.run_key, "dagster/partition": launch.partition_key}
    return RunInfo(run_id=run_id, job_name=launch.job_type, tags=tags, partition_keys=(launch.partition_key,))


def _app_cancels(db: psycopg.Connection, job_id: str) -> int:
    """Exactly the app's statement."""
    return db.execute(
        "UPDATE sync_jobs SET status = 'cancelled' WHERE id = %s AND status IN ('pending', 'in_progress')",
        (job_id,),
    ).rowcount


def test_the_apps_cancel_wins_over_the_runs_later_reports(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Cancel Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    run = _run(launch)
    tracking.step_started(db, run, "fetching_artist")
    tracking.step_finished(db, run, "fetching_artist", ok=True, message="profile saved")
    tracking.step_started(db, run, "syncing_songs")
    tracking.step_progress(db, run, "syncing_songs", Counts(total_items=200, processed_items=50))

    assert _app_cancels(db, job_id) == 1
    # The run has not been stopped yet and reports again: the row stays cancelled.
    tracking.step_progress(db, run, "syncing_songs", Counts(total_items=200, processed_items=80))
    tracking.step_finished(db, run, "syncing_songs", ok=True)
    row = job(db, job_id)
    assert (row["status"], row["error"]) == ("cancelled", BY_APP)
    assert row["completed_at"] is not None and row["completed_steps"] == 1
    steps = progress(db, job_id)
    assert (steps["fetching_artist"]["status"], steps["fetching_artist"]["message"]) == (
        "completed",
        "profile saved",
    )
    assert (steps["syncing_songs"]["status"], steps["syncing_songs"]["message"]) == ("failed", "cancelled")
    # The report that met the cancel counted; the later "finished" did not.
    assert steps["syncing_songs"]["processed_items"] == 80

    # The terminated run's end changes nothing (no retry, the app's reason kept).
    tracking.finish_run(db, run, RunOutcome("canceled", datetime.now(UTC), will_retry=True))
    assert job(db, job_id) == row
    assert tracking.absorb_cancellations(db) == []


def test_a_cancelled_pending_row_is_never_claimed_and_is_closed(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Never Band"})
    assert _app_cancels(db, job_id) == 1
    assert tracking.claim_pending(db, limit=5).launches == []
    assert tracking.absorb_cancellations(db) == [job_id]
    row = job(db, job_id)
    assert (row["status"], row["error"]) == ("cancelled", BY_APP_BEFORE_START)
    assert row["completed_at"] is not None and progress(db, job_id) == {}
    assert tracking.absorb_cancellations(db) == []  # once


def test_a_queued_job_cancelled_is_closed_by_absorb_and_its_late_run_ignored(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Queued Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    assert _app_cancels(db, job_id) == 1
    assert tracking.absorb_cancellations(db) == [job_id]
    row = job(db, job_id)
    assert (row["status"], row["error"], row["completed_steps"]) == ("cancelled", BY_APP, 0)
    assert {p["message"] for p in progress(db, job_id).values()} == {"cancelled"}
    (watched,) = tracking.cancelled_jobs(db, within_seconds=60)
    assert watched.job_id == job_id and watched.run_ids == ()
    # A run Dagster creates from the request made before the cancel takes nothing over.
    assert tracking.step_started(db, _run(launch, "late-run"), "fetching_artist") is False
    assert job(db, job_id)["status"] == "cancelled"


def test_cancel_command_refuses_finished_and_repeated_cancels(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Done Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    run = _run(launch)
    for step in ("fetching_artist", "syncing_songs"):
        tracking.step_started(db, run, step)
        tracking.step_finished(db, run, step, ok=True)
    tracking.finish_run(db, run, RunOutcome("success", datetime.now(UTC)))
    done = job(db, job_id)
    assert done["status"] == "completed"
    result = tracking.request_cancel(db, job_id)
    assert (result.before, result.cancelled) == ("completed", False)
    assert job(db, job_id) == done

    other = insert_job(db, metadata={"artist_name": "Twice Band"})
    first = tracking.request_cancel(db, other)
    second = tracking.request_cancel(db, other)
    assert (first.before, first.cancelled) == ("pending", True)
    assert (second.before, second.cancelled) == ("cancelled", False)
    tracking.absorb_cancellations(db)
    assert (job(db, other)["status"], job(db, other)["error"]) == ("cancelled", BY_OPERATOR)
    assert tracking.request_cancel(db, "no-such-job").before is None
