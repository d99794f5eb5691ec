"""The pending-jobs sensor: app requests (`sync_jobs` rows) become Dagster runs, once each.

Every tick claims up to `CLAIM_PER_TICK` pending rows (highest priority, then oldest; see
lib/tracking/intake/claim.py), registers their artist partitions and requests one run per artist with
run key = the job id (a job is launched once, however often it is seen), tag
`mysetlist/sync_job_id`, `dagster/priority` from the row's priority and `dagster/max_retries` from
`auto_retry` / `max_retries`. Invalid rows are failed in the same tick with their error.

A claimed row whose run Dagster never created (the daemon died between the tick and the launch) is
requested again under the same run key, so it still runs exactly once; after `MAX_REQUESTS` the row
is failed saying so.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.dagster_tags import RUN_KEY_TAG

from ..artists.partitions import artists_partitions
from ..dagster_compat import AnyJob
from ..evaluation import sync_sensor
from ..resources import AppDatabase
from ..tracking import run_info

PENDING_SENSOR_NAME = "sync_jobs_sensor"
CLAIM_PER_TICK = 25
# The sensor daemon visits every sensor about every 5 s, whatever is asked here.
PENDING_INTERVAL_SECONDS = 2
REISSUE_AFTER_SECONDS = 60
MAX_REQUESTS = 3
ACTIVE = {dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED}


def _reissue(context: dg.SensorEvaluationContext, conn: psycopg.Connection) -> list[tracking.Launch]:
    """Requests Dagster has not turned into runs: link the runs that exist, ask again for the rest."""
    stale = tracking.unlinked_launches(conn, REISSUE_AFTER_SECONDS, limit=50)
    if not stale:
        return []
    runs = context.instance.get_runs(
        filters=dg.RunsFilter(tags={tracking.SYNC_JOB_TAG: sorted({x.job_id for x, _ in stale})})
    )
    by_key = {(r.tags.get(tracking.SYNC_JOB_TAG), r.tags.get(RUN_KEY_TAG)): r for r in runs}
    again, lost = [], []
    for launch, count in stale:
        run = by_key.get((launch.job_id, launch.run_key))
        if run is not None:
            tracking.link_run(conn, run_info(run, context.instance), started=run.status in ACTIVE)
        elif count < MAX_REQUESTS:
            again.append(launch)
        else:
            lost.append((launch.job_id, launch.partition_key))
    tracking.mark_reissued(conn, again)
    tracking.abandon_targets(
        conn,
        lost,
        f"Dagster created no run for this job after {MAX_REQUESTS} requests: check that the daemon is "
        "running and that the code location has the job",
    )
    if again:
        context.log.warning(f"requesting {len(again)} run(s) again: {[x.run_key for x in again]}")
    return again


def build_pending_sensor(jobs: Sequence[AnyJob]) -> dg.SensorDefinition:
    available = {j.name for j in jobs}

    @sync_sensor(
        name=PENDING_SENSOR_NAME,
        jobs=list(jobs),
        minimum_interval_seconds=PENDING_INTERVAL_SECONDS,
        description="Pending sync_jobs rows -> one run per artist (run key = job id); bad rows fail at once.",
    )
    def sync_jobs_sensor(
        context: dg.SensorEvaluationContext, app_db: AppDatabase
    ) -> dg.SensorResult | dg.SkipReason:
        with app_db.connect() as conn:
            intake = tracking.claim_pending(conn, CLAIM_PER_TICK, available)
            launches = intake.launches + _reissue(context, conn)
        for rejection in intake.rejections:
            context.log.info(f"sync job {rejection.job_id} failed: {rejection.error}")
        if not launches:
            return dg.SkipReason(
                f"failed {len(intake.rejections)} invalid row(s)"
                if intake.rejections
                else "no pending sync jobs"
            )
        keys = sorted({x.partition_key for x in launches})
        new_keys = [k for k in keys if not context.instance.has_dynamic_partition(artists_partitions.name, k)]
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=x.run_key, job_name=x.job_type, partition_key=x.partition_key, tags=x.tags
                )
                for x in launches
            ],
            dynamic_partitions_requests=[artists_partitions.build_add_request(new_keys)] if new_keys else [],
        )

    return sync_jobs_sensor
