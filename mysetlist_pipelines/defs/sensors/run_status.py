"""Run-status sensors: the end of every run (success, failure, cancellation, a run whose process
died and that run monitoring failed) settles its sync_jobs rows within seconds.

They return nothing, so one tick handles up to DAGSTER_RUN_STATUS_SENSOR_PROCESS_LIMIT runs (raised
from Dagster's 5 to 25 in the environment of the process that evaluates sensors, the code server:
lib/devserver.DAGSTER_PROCESS_ENV, set by `mysetlist dev` and the Dockerfile; returning a value
would end the tick after one run). What they miss (runs
that ended before the first tick set the cursor, a backlog, a tick that errored) the reconciliation
sensor settles.
"""

from __future__ import annotations

import dagster as dg

from mysetlist_pipelines.lib import alerts

from ..evaluation import alerting
from ..resources import AppDatabase
from ..tracking import settle_run

RUN_STATUS_INTERVAL_SECONDS = 2


def _settle(context: dg.RunStatusSensorContext, app_db: AppDatabase) -> None:
    with app_db.connect() as conn:
        jobs = settle_run(conn, context.instance, context.dagster_run)
        if jobs:
            alerts.jobs_ended(conn, jobs)  # failed / partial jobs -> Sentry and the webhook
    if jobs:
        context.log.info(f"run {context.dagster_run.run_id} {context.dagster_run.status.value}: jobs {jobs}")


def build_run_status_sensors() -> list[dg.SensorDefinition]:
    sensors = []
    for status, name in (
        (dg.DagsterRunStatus.SUCCESS, "sync_jobs_on_run_success"),
        (dg.DagsterRunStatus.FAILURE, "sync_jobs_on_run_failure"),
        (dg.DagsterRunStatus.CANCELED, "sync_jobs_on_run_canceled"),
    ):

        @dg.run_status_sensor(
            name=name,
            run_status=status,
            monitor_all_code_locations=True,
            minimum_interval_seconds=RUN_STATUS_INTERVAL_SECONDS,
            default_status=dg.DefaultSensorStatus.RUNNING,
            description=f"Settles the sync_jobs rows of runs that end in {status.value}.",
        )
        @alerting("sensor", name)
        def sync_run_ended(context: dg.RunStatusSensorContext, app_db: AppDatabase) -> None:
            _settle(context, app_db)

        sensors.append(sync_run_ended)
    return sensors
