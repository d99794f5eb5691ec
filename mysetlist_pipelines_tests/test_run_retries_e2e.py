"""Run retries and crashes on a real daemon (execute_in_process never retries a run): a permanent
failure ends in one run whatever the row's max_retries; a transient one is retried after a backoff
and the row never shows `failed` on the way; a deployment killed mid-import settles every row once
after its restart. Statuses are sampled all along, every value seen is recorded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterEventType

from mysetlist_pipelines.defs.sensors.reconciliation import RECONCILE_INTERVAL_SECONDS
from mysetlist_pipelines.defs.tracking.orphans import worker_alive
from mysetlist_pipelines_tests.dagster_stack import FINAL, DagsterStack, poll, start_stack
from mysetlist_pipelines_tests.tracking_helpers import insert_job, progress

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(dagster_stack: DagsterStack) -> Iterator[DagsterStack]:
    dagster_stack.sandbox.reset()
    yield dagster_stack
    dagster_stack.sandbox.reset()


class StatusLog:
    """Every status the rows went through, in order, sampled as often as the poll runs."""

    def __init__(self, stack: DagsterStack, job_ids: list[str]):
        self.stack = stack
        self.seen: dict[str, list[str]] = {j: [] for j in job_ids}

    def sample(self) -> dict[str, str]:
        with self.stack.connect() as conn:
            rows = dict(
                conn.execute(
                    "SELECT id, status FROM sync_jobs WHERE id = ANY(%s)", (list(self.seen),)
                ).fetchall()
            )
        for job_id, status in rows.items():
            if not self.seen[job_id] or self.seen[job_id][-1] != status:
                self.seen[job_id].append(status)
        return rows

    def until_final(self, job_ids: list[str], timeout: float) -> None:
        def done() -> bool:
            rows = self.sample()
            return all(rows[j] in FINAL for j in job_ids)

        try:
            poll(done, timeout, f"jobs {job_ids} to end", interval=0.1)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; statuses seen: {self.seen}\n{self.stack.log_tail()}") from None


def test_a_permanent_failure_ends_in_one_run_even_with_max_retries_5(stack: DagsterStack) -> None:
    with stack.connect() as conn:
        job_id = insert_job(conn, metadata={"artist_name": "Nobody Anyone Has Heard Of 12b"}, max_retries=5)
    log = StatusLog(stack, [job_id])
    log.until_final([job_id], timeout=120)
    row = stack.job(job_id)
    assert (row["status"], row["retry_count"]) == ("failed", 0)
    assert row["error"].startswith("fetching_artist failed: no service knows the artist")
    (run,) = stack.runs_of_job(job_id)
    assert run.tags["dagster/max_retries"] == "5"
    # Dagster's own decision, written with the run's failure: no retry will ever come.
    run = poll(
        lambda: (r := stack.instance.get_run_by_id(run.run_id)) and "dagster/will_retry" in r.tags and r,
        30,
        "Dagster's retry decision",
    )
    assert run.tags["dagster/will_retry"] == "false"
    assert run.tags["dagster/retry_on_asset_or_op_failure"] == "false"
    assert run.tags["mysetlist/permanent_failure"].startswith("fetching_artist: no service knows")
    assert "dagster/auto_retry_run_id" not in run.tags and len(stack.runs_of_job(job_id)) == 1
    assert log.seen[job_id][-1] == "failed" and log.seen[job_id].count("failed") == 1


def test_a_transient_failure_is_retried_after_a_backoff_and_never_shows_failed(stack: DagsterStack) -> None:
    # Three failing calls: the first run's request and its two HTTP retries; the run retry succeeds.
    stack.sandbox.add_fault("ticketmaster", "500", count=3, endpoint="ticketmaster:events")
    with stack.connect() as conn:
        job_id = insert_job(
            conn, spotify_id="8IG9N3Cp7rHCP3M1yb94bC", metadata={"artist_name": "The Velvet Static"},
            job_type="shows_only", max_retries=3,
        )  # fmt: skip
    log = StatusLog(stack, [job_id])
    log.until_final([job_id], timeout=180)
    row = stack.job(job_id)
    assert (row["status"], row["retry_count"], row["error"]) == ("completed", 1, None), log.seen
    assert "failed" not in log.seen[job_id], log.seen
    assert [s for s in log.seen[job_id] if s != "pending"] == ["in_progress", "completed"], log.seen

    first, retry = sorted(
        stack.runs_of_job(job_id), key=lambda r: int(r.tags.get("dagster/retry_number", "0"))
    )
    assert retry.parent_run_id == first.run_id and first.tags["dagster/will_retry"] == "true"
    assert "dagster/retry_on_asset_or_op_failure" not in first.tags  # transient: not marked permanent
    # The backoff (MYSETLIST_RUN_RETRY_BACKOFF_SECONDS=8 for retry 1): the retry's step body starts
    # no sooner, whether the step waited it out (STEP_UP_FOR_RETRY, then STEP_RESTARTED) or the retry
    # took longer than that to launch.
    ended = stack.instance.get_run_record_by_id(first.run_id).end_time
    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_UP_FOR_RETRY, DagsterEventType.STEP_RESTARTED}
    events = [
        (e.dagster_event.event_type, e.timestamp)
        for e in stack.instance.all_logs(retry.run_id, of_type=kinds)
    ]
    restarts = [t for k, t in events if k == DagsterEventType.STEP_RESTARTED]
    body_start = min(restarts) if restarts else min(t for k, t in events if k == DagsterEventType.STEP_START)
    print(
        f"retry launched {min(t for _, t in events) - ended:.1f} s after the failure, step body at {body_start - ended:.1f} s"
    )
    assert body_start >= ended + 8 - 0.5, events
    assert len(restarts) <= 1


def test_a_killed_deployment_settles_every_row_once_after_its_restart(
    pg_server: str, app_db: str, tmp_path: Path
) -> None:
    stack = start_stack(pg_server, app_db, tmp_path)
    try:
        _crash_and_restart(stack)
    finally:
        stack.stop()


def _crash_and_restart(stack: DagsterStack) -> None:
    # A job that already ended `partial` (after its one retry) before the crash: it must never be
    # picked up again.
    stack.sandbox.add_fault("setlistfm", "503", count=-1, endpoint="setlistfm:artist_setlists")
    with stack.connect() as conn:
        done = insert_job(
            conn, ticketmaster_id="K8vZ91vKH67", metadata={"artist_name": "Hollow Pines"}, max_retries=1
        )
    before = StatusLog(stack, [done])
    before.until_final([done], timeout=240)
    assert before.seen[done] == ["pending", "in_progress", "partial"], before.seen
    assert stack.job(done)["retry_count"] == 1 and len(stack.runs_of_job(done)) == 2

    # Two imports hang in the catalog step (Spotify's album list is slow) when everything dies.
    stack.sandbox.add_fault("spotify", "latency", count=-1, seconds=8, endpoint="spotify:artist_albums")
    with stack.connect() as conn:
        retried = insert_job(
            conn, spotify_id="FzEzj2G0AduspFc3fSQaw1", metadata={"artist_name": "Ghost Arcade"},
            job_type="catalog_only", max_retries=1,
        )  # fmt: skip
        not_retried = insert_job(
            conn, spotify_id="f8TdnQugmi1WaGf6cUrZwy", metadata={"artist_name": "Neon Harbor"},
            job_type="catalog_only", auto_retry=False,
        )  # fmt: skip
    log = StatusLog(stack, [done, retried, not_retried])

    def both_in_catalog() -> bool:
        log.sample()
        with stack.connect() as conn:
            return all(
                progress(conn, j).get("syncing_songs", {}).get("status") == "in_progress"
                for j in (retried, not_retried)
            )

    poll(both_in_catalog, 120, "both catalog steps to run")
    runs = {j: stack.runs_of_job(j)[0] for j in (retried, not_retried)}
    pids = {j: poll(lambda j=j: stack.run_pid(runs[j].run_id), 30, "a run worker pid") for j in runs}
    stack.crash()
    poll(lambda: not any(worker_alive(p, None) for p in pids.values()), 30, "the run workers to die")
    stack.sandbox.reset()  # the provider recovers meanwhile
    log.sample()
    assert log.seen[retried][-1] == log.seen[not_retried][-1] == "in_progress"

    restarted = time.monotonic()
    stack.restart()
    log.until_final([retried, not_retried], timeout=240)
    settle_seconds = time.monotonic() - restarted
    print(f"rows settled {settle_seconds:.1f} s after the restart")
    # Bounded: a reconciliation tick (30 s) after the workers' log went quiet (15 s), plus load.
    assert settle_seconds < 120, settle_seconds
    # Watch one more reconciliation period: a finished row never changes again.
    deadline = time.monotonic() + RECONCILE_INTERVAL_SECONDS + 5
    while time.monotonic() < deadline:
        log.sample()
        time.sleep(0.5)

    assert log.seen[done] == ["partial"], log.seen
    ok = stack.job(retried)
    assert (ok["status"], ok["retry_count"], ok["error"]) == ("completed", 1, None), log.seen
    assert log.seen[retried] == ["pending", "in_progress", "completed"], log.seen
    gone = stack.job(not_retried)
    assert gone["status"] == "partial" and gone["retry_count"] == 0, log.seen  # the profile was saved
    assert gone["error"].startswith("syncing_songs failed: Run worker process (pid "), gone["error"]
    assert "deployment stopped" in gone["error"]
    assert log.seen[not_retried] == ["pending", "in_progress", "partial"], log.seen
    assert len(stack.runs_of_job(not_retried)) == 1 and len(stack.runs_of_job(retried)) == 2
    for run in runs.values():
        assert stack.instance.get_run_by_id(run.run_id).status.value == "FAILURE"
