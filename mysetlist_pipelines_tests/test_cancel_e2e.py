"""Cancellation on a real daemon (the `mysetlist dev` stack of dagster_stack.py): the app sets
`sync_jobs.status = 'cancelled'`, and within 10 s a pending job is never launched, an in-progress
job's run is stopped, its row stays `cancelled`; a run terminated in Dagster ends its row the same way;
cancelling twice or cancelling a finished job changes nothing.

The in-progress test prints the time from the app's UPDATE to the run's end (Dagster's end time):
`pytest -s -k mid_catalog mysetlist_pipelines_tests/test_cancel_e2e.py`."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib.tracking.settle.cancellation import BY_APP, BY_APP_BEFORE_START, BY_OPERATOR
from mysetlist_pipelines_tests.dagster_stack import DagsterStack, poll
from mysetlist_pipelines_tests.tracking_helpers import insert_job, progress

pytestmark = pytest.mark.e2e

WITHIN = 10  # seconds: the bound from the app's UPDATE to a stopped run and a closed row
ENDED = {dg.DagsterRunStatus.CANCELED, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.SUCCESS}
VELVET_STATIC = "8IG9N3Cp7rHCP3M1yb94bC"  # the sandbox's biggest catalog: 41 releases, 47 calls


@pytest.fixture
def stack(dagster_stack: DagsterStack) -> Iterator[DagsterStack]:
    dagster_stack.sandbox.reset()
    yield dagster_stack
    dagster_stack.sandbox.reset()


def _app_cancels(conn: psycopg.Connection, job_id: str) -> datetime | None:
    """The app's statement; returns when it committed (the database's clock), None if no row matched."""
    row = conn.execute(
        "UPDATE sync_jobs SET status = 'cancelled' WHERE id = %s AND status IN ('pending', 'in_progress') "
        "RETURNING clock_timestamp()",
        (job_id,),
    ).fetchone()
    return row[0] if row else None


def _only_run(stack: DagsterStack, job_id: str) -> dg.DagsterRun:
    return poll(lambda: next(iter(stack.runs_of_job(job_id)), None), 60, f"a run for job {job_id}")


def _ended_run(stack: DagsterStack, run_id: str, timeout: float) -> dg.DagsterRun:
    def ended() -> dg.DagsterRun | None:
        run = stack.instance.get_run_by_id(run_id)
        return run if run is not None and run.status in ENDED else None

    return poll(ended, timeout, f"run {run_id} to end")


def _run_ended_at(stack: DagsterStack, run_id: str) -> datetime:
    record = stack.instance.get_run_record_by_id(run_id)
    assert record is not None and record.end_time is not None
    return datetime.fromtimestamp(record.end_time, UTC)


def _cli(stack: DagsterStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mysetlist_pipelines.cli", *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _catalog_running(stack: DagsterStack, job_id: str, album_calls: int) -> bool:
    with stack.connect() as conn:
        running = progress(conn, job_id).get("syncing_songs", {}).get("status") == "in_progress"
    return running and stack.sandbox.counters()["calls"].get("spotify:album", 0) >= album_calls


def test_a_pending_job_cancelled_is_never_launched(stack: DagsterStack) -> None:
    with stack.connect() as conn:
        # Inserted and cancelled in one transaction: the pending-jobs sensor can never see it pending.
        with conn.transaction():
            job_id = insert_job(
                conn, spotify_id="f8TdnQugmi1WaGf6cUrZwy", metadata={"artist_name": "Neon Harbor"}
            )
            assert _app_cancels(conn, job_id) is not None
        # A row inserted after it: once that one is claimed, the sensor has had its chance at ours.
        behind = insert_job(conn, spotify_id="f8TdnQugmi1WaGf6cUrZwy", job_type="shows_only", priority=3)
    row = stack.wait_for_job(job_id, lambda r: r["completed_at"] is not None, timeout=WITHIN)
    assert (row["status"], row["error"], row["started_at"]) == ("cancelled", BY_APP_BEFORE_START, None)
    stack.wait_for_job(behind, lambda r: r["status"] != "pending", timeout=60)
    assert stack.runs_of_job(job_id) == []
    assert stack.job(job_id) == row


def test_cancel_mid_catalog_of_a_big_artist_stops_the_run_within_seconds(stack: DagsterStack) -> None:
    # Each release's call takes 0.5 s: the catalog step of the biggest artist lasts 20 s or more.
    stack.sandbox.add_fault("spotify", "latency", count=-1, seconds=0.5, endpoint="spotify:album")
    with stack.connect() as conn:
        job_id = insert_job(
            conn,
            spotify_id=VELVET_STATIC,
            metadata={"artist_name": "The Velvet Static"},
            job_type="catalog_only",
        )
    poll(lambda: _catalog_running(stack, job_id, album_calls=5), 120, "the catalog step to be under way")
    run_id = _only_run(stack, job_id).run_id
    with stack.connect() as conn:
        cancelled_at = _app_cancels(conn, job_id)
    assert cancelled_at is not None

    row = stack.wait_for_job(job_id, lambda r: r["completed_at"] is not None, timeout=WITHIN)
    run = _ended_run(stack, run_id, timeout=WITHIN)
    took = (_run_ended_at(stack, run_id) - cancelled_at).total_seconds()
    print(f"\nstatus='cancelled' -> run {run.status.value}: {took:.1f} s")
    assert run.status == dg.DagsterRunStatus.CANCELED and took < WITHIN
    assert stack.sandbox.counters()["calls"]["spotify:album"] < 41  # it stopped before the end

    assert (row["status"], row["error"], row["completed_steps"]) == ("cancelled", BY_APP, 1)
    with stack.connect() as conn:
        steps = progress(conn, job_id)
        artist = conn.execute("SELECT name FROM artists WHERE spotify_id = %s", (VELVET_STATIC,)).fetchone()
    assert steps["fetching_artist"]["status"] == "completed" and artist == ("The Velvet Static",)
    assert (steps["syncing_songs"]["status"], steps["syncing_songs"]["message"]) == ("failed", "cancelled")
    # No retry follows: Dagster retries failed runs only, and the sensor took the run's retries away too.
    assert run.tags["dagster/max_retries"] == "0" and "dagster/will_retry" not in run.tags
    assert [r.run_id for r in stack.runs_of_job(job_id)] == [run_id]
    assert stack.job(job_id) == row


def test_cancel_twice_and_cancel_a_finished_job_change_nothing(stack: DagsterStack) -> None:
    stack.sandbox.add_fault("spotify", "latency", count=-1, seconds=0.5, endpoint="spotify:album")
    with stack.connect() as conn:
        job_id = insert_job(
            conn,
            spotify_id="FzEzj2G0AduspFc3fSQaw1",
            metadata={"artist_name": "Ghost Arcade"},
            job_type="catalog_only",
        )
    poll(lambda: _catalog_running(stack, job_id, album_calls=1), 120, "the catalog step to be under way")
    first = _cli(stack, "jobs", "cancel", job_id)
    assert first.returncode == 0, first.stderr
    second = _cli(stack, "jobs", "cancel", job_id)
    assert second.returncode == 2 and "nothing to cancel" in second.stderr
    row = stack.wait_for_job(job_id, lambda r: r["completed_at"] is not None, timeout=WITHIN)
    assert (row["status"], row["error"]) == ("cancelled", BY_OPERATOR)
    with stack.connect() as conn:
        assert _app_cancels(conn, job_id) is None  # the app's second cancel matches nothing
    run = _ended_run(stack, _only_run(stack, job_id).run_id, timeout=WITHIN)
    assert run.status == dg.DagsterRunStatus.CANCELED
    assert stack.job(job_id) == row

    stack.sandbox.reset()
    with stack.connect() as conn:
        done_id = insert_job(
            conn,
            spotify_id="PkcYGc0lW6Q4Ci2nOP7r11",
            metadata={"artist_name": "Echo Valley"},
            job_type="catalog_only",
        )
    done = stack.wait_for_job(done_id)
    assert done["status"] == "completed"
    finished = _cli(stack, "jobs", "cancel", done_id)
    assert finished.returncode == 2 and "is completed: nothing to cancel" in finished.stderr
    with stack.connect() as conn:
        assert _app_cancels(conn, done_id) is None
    assert stack.job(done_id) == done


def test_a_run_terminated_in_dagster_ends_its_row_cancelled(stack: DagsterStack) -> None:
    stack.sandbox.add_fault("spotify", "latency", count=-1, seconds=0.5, endpoint="spotify:album")
    with stack.connect() as conn:
        job_id = insert_job(
            conn,
            spotify_id="D0hmAHahAI9fFQVGnYxiy8",
            metadata={"artist_name": "Zoë Marlowe"},
            job_type="catalog_only",
        )
    poll(lambda: _catalog_running(stack, job_id, album_calls=1), 120, "the catalog step to be under way")
    run_id = _only_run(stack, job_id).run_id
    started = time.monotonic()
    assert stack.instance.run_coordinator.cancel_run(run_id)  # what the UI's Terminate button calls
    row = stack.wait_for_job(job_id, lambda r: r["status"] != "in_progress", timeout=30)
    print(f"\nDagster terminate -> row {row['status']}: {time.monotonic() - started:.1f} s")
    assert (row["status"], row["error"]) == (
        "cancelled",
        f"cancelled in Dagster: run {run_id} was terminated",
    )
    assert row["completed_at"] is not None
    with stack.connect() as conn:
        steps = progress(conn, job_id)
    assert steps["fetching_artist"]["status"] == "completed"
    assert (steps["syncing_songs"]["status"], steps["syncing_songs"]["message"]) == ("failed", "cancelled")
    assert [r.run_id for r in stack.runs_of_job(job_id)] == [run_id]
