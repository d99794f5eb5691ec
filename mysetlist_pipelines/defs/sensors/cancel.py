"""The cancellation sensor: rows the app set to `cancelled` stop their Dagster runs within seconds.

Each tick (the daemon visits sensors about every 5 s):
1. closes the tracking state of newly cancelled rows (lib/tracking/settle/cancellation.py: unfinished steps
   `failed` / `cancelled`, `completed_at` and `error` set; a pending row is simply never launched);
2. stops every queued or running run of the rows cancelled in the last `WATCH_SECONDS`: queued runs
   leave the queue, started ones are terminated (Dagster's own Terminate). Before that each run's
   `dagster/max_retries` is set to 0, so even a run that ends `failure` instead of `canceled` is
   never retried. Runs are looked up by the job's tag as well as by the ids the state knows, because
   a run requested just before the cancel may only be created after it.
"""

from __future__ import annotations

import dagster as dg

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.tracking.run_tags import MAX_RETRIES_TAG

from ..evaluation import sync_sensor
from ..resources import AppDatabase

CANCEL_SENSOR_NAME = "sync_jobs_cancel_sensor"
CANCEL_INTERVAL_SECONDS = 2
# Long enough for a run the pending-jobs sensor requested just before the cancel to appear.
WATCH_SECONDS = 600
ALIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def stop_runs(instance: dg.DagsterInstance, jobs: list[tracking.CancelledJob]) -> list[str]:
    """Stop the live runs of `jobs`; returns the ids of the runs asked to stop."""
    if not jobs:
        return []
    by_tag = instance.get_runs(
        filters=dg.RunsFilter(tags={tracking.SYNC_JOB_TAG: [j.job_id for j in jobs]}, statuses=ALIVE)
    )
    known = [r for j in jobs for r in j.run_ids]
    by_id = instance.get_runs(filters=dg.RunsFilter(run_ids=known, statuses=ALIVE)) if known else []
    stopped = []
    for run in {r.run_id: r for r in [*by_tag, *by_id]}.values():
        instance.add_run_tags(run.run_id, {MAX_RETRIES_TAG: "0"})
        instance.run_coordinator.cancel_run(run.run_id)
        stopped.append(run.run_id)
    return stopped


def build_cancel_sensor() -> dg.SensorDefinition:
    @sync_sensor(
        name=CANCEL_SENSOR_NAME,
        minimum_interval_seconds=CANCEL_INTERVAL_SECONDS,
        description="sync_jobs rows the app set to 'cancelled' -> their runs stopped, their rows closed.",
    )
    def sync_jobs_cancel_sensor(context: dg.SensorEvaluationContext, app_db: AppDatabase) -> dg.SkipReason:
        with app_db.connect() as conn:
            closed = tracking.absorb_cancellations(conn)
            watched = tracking.cancelled_jobs(conn, WATCH_SECONDS)
        stopped = stop_runs(context.instance, watched)
        if closed or stopped:
            context.log.info(f"cancelled jobs {closed}; stopped runs {stopped}")
        return dg.SkipReason(f"closed {len(closed)} cancelled job(s), stopped {len(stopped)} run(s)")

    return sync_jobs_cancel_sensor
