"""The reconciliation sensor: repairs whatever the events missed, every `RECONCILE_INTERVAL_SECONDS`.

1. Open targets against Dagster: a run that already ended is settled; a failed run whose retry
   exists hands over to it; a run that Dagster no longer has ("vanished", e.g. deleted) fails the
   row with the reason; a request with no run for `LOST_AFTER_SECONDS` too. A retry that never came
   (`RETRY_GRACE_SECONDS` after the failure) settles the failed run as final: its own step errors,
   noting the missing retry. A failed run whose `dagster/will_retry` Dagster never wrote is settled
   as final after the same grace. A `STARTED` run whose worker process is gone (the whole deployment
   was killed: nothing else notices with the default run launcher) is failed, so that Dagster
   retries it or not per its retry budget (defs/tracking/orphans.py).
2. Runs of the artist assets that ended since the cursor (from a day back on the first tick, so the
   run-status sensors' first-tick trap loses nothing): settled, and rows created for runs launched
   outside the app that ended before any step reported.
3. Drift: every open job, and every job settled within `DRIFT_WINDOW_HOURS`, is compared with the
   state and rewritten where it differs (a row edited behind the pipelines' back is put right): the
   newest `DRIFT_RECENT_PER_TICK` every tick, and a sweep by id, `DRIFT_PER_TICK` a tick, over all.

Steps 1 and 3 are keyset sweeps kept in the cursor (lib/tracking/repair/sweep.py): each tick goes on after
the last row the previous one handled, so with N open targets every one is checked within
ceil(N / OPEN_PER_TICK) + 1 ticks, and likewise for drift; a tick stops taking new work after
`TICK_BUDGET_SECONDS` and the next one resumes where it stopped.
4. Rows pending longer than `PENDING_WARN_SECONDS` are reported (the intake sensor's aging already
   lifts them over newer rows; a stopped intake sensor is named in the warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.dagster_tags import AUTO_RETRY_RUN_ID_TAG, WILL_RETRY_TAG
from mysetlist_pipelines.lib.tracking.repair.sweep import Deadline, SweepCursor, next_position

from ..dagster_compat import sensor_is_stopped
from ..evaluation import sync_sensor
from ..resources import AppDatabase
from ..tracking import run_info, settle_run
from ..tracking.orphans import fail_orphaned_run
from ..tracking.settle_run import FINISHED, is_sync_run, run_outcome
from .intake import ACTIVE, PENDING_SENSOR_NAME

RECONCILE_SENSOR_NAME = "sync_jobs_reconciliation"
RECONCILE_INTERVAL_SECONDS = 30
OPEN_PER_TICK = 500
RUNS_PER_TICK = 200
DRIFT_WINDOW_HOURS = 24
DRIFT_RECENT_PER_TICK = 200
DRIFT_PER_TICK = 1000
DRIFT_CHUNK = 250
# A tick stops taking new work after this many seconds (Dagster cuts a sensor tick off at 60 s);
# each sweep still handles at least one item or chunk, so it always moves on.
TICK_BUDGET_SECONDS = 30.0
LOST_AFTER_SECONDS = 600
RETRY_GRACE_SECONDS = 300
PENDING_WARN_SECONDS = 600
FIRST_LOOK_BACK = timedelta(days=1)


def _check_open(
    context: dg.SensorEvaluationContext,
    conn: psycopg.Connection,
    after: tuple[str, str] | None,
    deadline: Deadline,
) -> tuple[dict[str, int], tuple[str, str] | None]:
    """Check one page of open targets after `after`; returns the counts and where to go on."""
    instance = context.instance
    targets = tracking.open_targets(conn, OPEN_PER_TICK, after)
    counts = {"settled": 0, "vanished": 0, "linked": 0, "orphaned": 0}
    run_ids = sorted({t.run_id for t in targets if t.run_id})
    runs = {}
    for i in range(0, len(run_ids), 100):
        runs.update({r.run_id: r for r in instance.get_runs(dg.RunsFilter(run_ids=run_ids[i : i + 100]))})
    now = datetime.now(UTC)
    waiting = [
        t
        for t in targets
        if t.run_id is None and t.requested_at and (now - t.requested_at).total_seconds() > LOST_AFTER_SECONDS
    ]
    page = _Page(
        runs, {(t.job_id, t.partition_key) for t in waiting}, _runs_for_unlinked(instance, waiting), now
    )
    handled = 0
    for t in targets:
        outcome = _check_target(context, conn, t, page)
        if outcome:
            counts[outcome] += 1
        handled += 1
        if deadline.passed():
            break
    counts["open_checked"] = handled
    keys = [(t.job_id, t.partition_key) for t in targets]
    return counts, next_position(keys, OPEN_PER_TICK, handled)


@dataclass
class _Page:
    """What one page of targets needs from Dagster, read once for the page."""

    runs: dict[str, dg.DagsterRun]
    waiting: set[tuple[str, str]]
    found: dict[tuple[str, str], dg.DagsterRun]
    now: datetime
    checked: set[str] = field(default_factory=set)


def _check_target(
    context: dg.SensorEvaluationContext, conn: psycopg.Connection, t: tracking.Target, page: _Page
) -> str | None:
    """Check one open target against Dagster; returns what was done (a counts key) or None."""
    instance, now = context.instance, page.now
    if t.run_id is None:
        if (t.job_id, t.partition_key) not in page.waiting:
            return None
        run = page.found.get((t.job_id, t.partition_key))
        if run is not None:  # still queued behind others, or started before any step reported
            tracking.link_run(conn, run_info(run, instance), started=run.status in ACTIVE)
            return "linked"
        age = int((now - t.requested_at).total_seconds()) if t.requested_at else 0
        tracking.abandon_targets(
            conn, [(t.job_id, t.partition_key)], f"no Dagster run appeared within {age} s"
        )
        return "vanished"
    run = page.runs.get(t.run_id)
    if run is None:
        tracking.abandon_targets(
            conn, [(t.job_id, t.partition_key)], f"the Dagster run {t.run_id} no longer exists"
        )
        return "vanished"
    if run.status not in FINISHED:
        if run.status == dg.DagsterRunStatus.STARTED and run.run_id not in page.checked:
            page.checked.add(run.run_id)
            if fail_orphaned_run(instance, run):  # its worker died with the deployment
                return "orphaned"
        if run.status == dg.DagsterRunStatus.STARTED and t.status == "queued":
            tracking.link_run(conn, run_info(run, instance), started=True)
            return "linked"
        return None
    # Dagster has not said whether it retries: wait for it, but not forever.
    settle_run(conn, instance, run, undecided_is_final=_ended_before(instance, run, now, RETRY_GRACE_SECONDS))
    if run.status == dg.DagsterRunStatus.FAILURE and run.tags.get(WILL_RETRY_TAG) == "true":
        _follow_retry(context, conn, run, now)
    return "settled"


def _runs_for_unlinked(
    instance: dg.DagsterInstance, targets: list[tracking.Target]
) -> dict[tuple[str, str], dg.DagsterRun]:
    """The Dagster runs (any status) requested for targets no run has reported on yet."""
    found: dict[tuple[str, str], dg.DagsterRun] = {}
    job_ids = sorted({t.job_id for t in targets if t.run_key})
    batch_ids = sorted({t.batch_id for t in targets if t.batch_id})
    runs: list[dg.DagsterRun] = []
    if job_ids:
        runs += instance.get_runs(dg.RunsFilter(tags={tracking.SYNC_JOB_TAG: job_ids}))
    if batch_ids:
        runs += instance.get_runs(dg.RunsFilter(tags={tracking.BATCH_TAG: batch_ids}))
    # Once per run, not per (target, run): a batch run's partition range is resolved with a query,
    # and a queued fleet refresh has thousands of targets waiting on tens of runs.
    infos = [(run, run_info(run, instance)) for run in runs]
    for t in targets:
        for run, info in infos:
            mine = (t.run_key and info.sync_job_id == t.job_id and info.run_key == t.run_key) or (
                t.batch_id and info.batch_id == t.batch_id
            )
            if mine and (not info.partition_keys or t.partition_key in info.partition_keys):
                found[(t.job_id, t.partition_key)] = run
    return found


def _follow_retry(
    context: dg.SensorEvaluationContext, conn: psycopg.Connection, run: dg.DagsterRun, now: datetime
) -> None:
    instance = context.instance
    retry_id = run.tags.get(AUTO_RETRY_RUN_ID_TAG)
    retry = instance.get_run_by_id(retry_id) if retry_id else None
    if retry is not None:
        if retry.status in FINISHED:
            settle_run(conn, instance, retry)
        else:
            tracking.link_run(
                conn, run_info(retry, instance), started=retry.status == dg.DagsterRunStatus.STARTED
            )
        return
    if _ended_before(instance, run, now, RETRY_GRACE_SECONDS):
        # The run's own failure is the cause: settle it as final, with its step errors, noting the
        # missing retry (the row's retry_count stays the retries that ran).
        note = f"Dagster did not launch the retry of run {run.run_id}"
        outcome = run_outcome(instance, run)
        outcome = replace(
            outcome,
            will_retry=False,
            step_errors={k: f"{v} ({note})" for k, v in outcome.step_errors.items()},
            run_error=f"{outcome.run_error}; {note}" if outcome.run_error else note,
        )
        tracking.finish_run(conn, run_info(run, instance), outcome)


def _ended_before(instance: dg.DagsterInstance, run: dg.DagsterRun, now: datetime, seconds: float) -> bool:
    record = instance.get_run_record_by_id(run.run_id)
    ended = datetime.fromtimestamp(record.end_time, UTC) if record and record.end_time else now
    return (now - ended).total_seconds() > seconds


def _recent_runs(context: dg.SensorEvaluationContext, conn: psycopg.Connection, cursor: datetime) -> datetime:
    """Settle sync runs that ended after `cursor`; returns the new cursor."""
    records = context.instance.get_run_records(
        filters=dg.RunsFilter(statuses=list(FINISHED), updated_after=cursor),
        order_by="update_timestamp",
        ascending=True,
        limit=RUNS_PER_TICK,
    )
    for record in records:
        if is_sync_run(run_info(record.dagster_run, context.instance)):
            settle_run(conn, context.instance, record.dagster_run)
        cursor = max(cursor, record.update_timestamp.astimezone(UTC))
    return cursor


def _warn_backlog(context: dg.SensorEvaluationContext, conn: psycopg.Connection) -> None:
    backlog = tracking.pending_backlog(conn, PENDING_WARN_SECONDS)
    if backlog.count:
        stopped = sensor_is_stopped(context.instance, PENDING_SENSOR_NAME)
        why = f"the {PENDING_SENSOR_NAME} sensor is stopped" if stopped else "the queue is behind"
        context.log.warning(
            f"{backlog.count} sync job(s) pending for more than {PENDING_WARN_SECONDS} s "
            f"(oldest created {backlog.oldest}): {why}"
        )


def _repair_drift(
    conn: psycopg.Connection, after: str | None, deadline: Deadline
) -> tuple[int, int, str | None]:
    """The newest candidates, then one page of the sweep by id in chunks while time allows; returns
    (rows repaired, sweep candidates handled, where the sweep goes on)."""
    repaired = tracking.repair(
        conn, tracking.drift_candidates(conn, DRIFT_WINDOW_HOURS, DRIFT_RECENT_PER_TICK)
    )
    page = tracking.drift_page(conn, DRIFT_WINDOW_HOURS, after, DRIFT_PER_TICK)
    handled = 0
    for i in range(0, len(page), DRIFT_CHUNK):
        chunk = page[i : i + DRIFT_CHUNK]
        repaired += tracking.repair(conn, chunk)
        handled += len(chunk)
        if deadline.passed():
            break
    return repaired, handled, next_position(page, DRIFT_PER_TICK, handled)


def build_reconcile_sensor() -> dg.SensorDefinition:
    @sync_sensor(
        name=RECONCILE_SENSOR_NAME,
        minimum_interval_seconds=RECONCILE_INTERVAL_SECONDS,
        description="Repairs sync_jobs rows: ended or vanished runs, missed events, drift, long waits.",
    )
    def sync_jobs_reconciliation(context: dg.SensorEvaluationContext, app_db: AppDatabase) -> dg.SensorResult:
        cursor = SweepCursor.parse(context.cursor, datetime.now(UTC) - FIRST_LOOK_BACK)
        deadline = Deadline(TICK_BUDGET_SECONDS)
        with app_db.connect() as conn:
            counts, open_after = _check_open(context, conn, cursor.open_after, deadline)
            # Overlap by a second: settling is idempotent, and equal timestamps must not be skipped.
            new_runs = _recent_runs(context, conn, cursor.runs - timedelta(seconds=1))
            repaired, swept, drift_after = _repair_drift(conn, cursor.drift_after, deadline)
            _warn_backlog(context, conn)
        summary = ", ".join(
            f"{k} {v}" for k, v in {**counts, "repaired": repaired, "drift_checked": swept}.items()
        )
        if repaired or counts["vanished"] or counts["orphaned"]:
            context.log.info(f"reconciliation: {summary}")
        new_cursor = SweepCursor(
            runs=max(new_runs, cursor.runs), open_after=open_after, drift_after=drift_after
        )
        return dg.SensorResult(cursor=new_cursor.dump(), skip_reason=summary)

    return sync_jobs_reconciliation
