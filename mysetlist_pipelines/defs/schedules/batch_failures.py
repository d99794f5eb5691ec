"""The `batch_failure_records` sensor: one failure record per artist a batch run failed
(lib/fleet/failure_records.py), so that Dagster's partition status shows it *failed*, as its sync_jobs row
does, rather than *missing*.

Every 30 s it reads the batch targets that ended with failed steps since its cursor (with an
overlap: targets are written in many transactions) and requests, per artist, a single-partition run
of the batch's job over the assets whose steps failed (run key = sync_jobs id and batch run id: one
record per failure, however often it is seen), tagged `mysetlist/failure_record` and
`dagster/max_retries` 0. defs/artists/step_runner.run_step fails such a run at once with the recorded
error; defs/tracking leaves it out of the app's rows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from mysetlist_pipelines.lib.dagster_tags import MAX_RETRIES_TAG
from mysetlist_pipelines.lib.fleet.batches import FLEET_PRIORITY
from mysetlist_pipelines.lib.fleet.failure_records import FailedArtist, failed_batch_artists
from mysetlist_pipelines.lib.tracking.intake.launches import DAGSTER_PRIORITY
from mysetlist_pipelines.lib.tracking.run_tags import FAILURE_RECORD_TAG, PRIORITY_TAG
from mysetlist_pipelines.lib.tracking.state_rows import STEP_BY_NAME

from ..evaluation import sync_sensor
from ..jobs import JOBS
from ..resources import AppDatabase
from .fleet import LAUNCHER_FIRST_LOOK_BACK, LAUNCHER_INTERVAL_SECONDS

SENSOR_NAME = "batch_failure_records"
OVERLAP = timedelta(minutes=2)
MAX_PER_EVALUATION = 200


def failure_record_request(failed: FailedArtist) -> dg.RunRequest:
    assets = [STEP_BY_NAME[s].asset for s in failed.steps if s in STEP_BY_NAME]
    return dg.RunRequest(
        run_key=f"failure-record:{failed.job_id}:{failed.run_id or '-'}",
        job_name=failed.job_name,
        partition_key=failed.partition_key,
        asset_selection=[dg.AssetKey(a) for a in dict.fromkeys(assets)],
        tags={
            FAILURE_RECORD_TAG: failed.job_id,
            MAX_RETRIES_TAG: "0",  # a record, not a retry: it must fail once
            PRIORITY_TAG: str(DAGSTER_PRIORITY[FLEET_PRIORITY]),
            "mysetlist/failure_of_batch": failed.batch_id,
        },
    )


@sync_sensor(
    name=SENSOR_NAME,
    jobs=list(JOBS.values()),
    minimum_interval_seconds=LAUNCHER_INTERVAL_SECONDS,
    description="Artists a batch run failed -> a failing single-partition record each (partition status).",
)
def batch_failure_records(context: dg.SensorEvaluationContext, app_db: AppDatabase) -> dg.SensorResult:
    since = (
        datetime.fromisoformat(context.cursor)
        if context.cursor
        else datetime.now(UTC) - LAUNCHER_FIRST_LOOK_BACK
    )
    with app_db.connect() as conn:
        failed = failed_batch_artists(conn, since - OVERLAP, MAX_PER_EVALUATION)
    latest = max([since, *(f.updated_at for f in failed)])
    return dg.SensorResult(
        run_requests=[failure_record_request(f) for f in failed if f.steps],
        cursor=latest.isoformat(),
        skip_reason=None if failed else "no batch artist failed",
    )
