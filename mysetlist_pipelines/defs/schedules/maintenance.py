"""Pure-SQL routes as small op jobs: calculate-trending (5 */2 * * *) and cleanup-old-data (30 1 * * *);
and Dagster's own housekeeping: run retention (45 * * * *, retention.py), which no app route had.

They run as runs rather than inside the schedule's evaluation: a run has no 60-s evaluation timeout
(both statements scan whole tables, which grow with the app), shows in the runs list with its logs,
can be re-executed from the UI, and costs one short in-process run every two hours. Each run writes
its cron_logs row (success, or failed with the error) from inside the op.
"""

from dataclasses import asdict
from datetime import UTC, datetime

import dagster as dg

from mysetlist_pipelines.lib.fleet import CronRun
from mysetlist_pipelines.lib.fleet.cleanup import cleanup_old_data
from mysetlist_pipelines.lib.fleet.trending import recompute

from ..resources import AppDatabase, AppSettings
from .fleet import RUNNING, SCHEDULE_TAG
from .retention import prune_runs, retention_cutoff


@dg.op(description="Recompute shows.trending_score and artists.trending_score (README: the formula).")
def recompute_trending(context: dg.OpExecutionContext, app_db: AppDatabase) -> None:
    with CronRun(app_db.connect, "calculate-trending") as run, app_db.connect() as conn:
        run.result["dagster_run_id"] = context.run_id
        counts = recompute(conn, datetime.now(UTC).date())
        run.result.update(asdict(counts))
    context.log.info(f"trending scores: {asdict(counts)}")


@dg.op(description="Delete finished sync_jobs older than 7 days, cron_logs older than 30, old batch records.")
def cleanup_sync_data(context: dg.OpExecutionContext, app_db: AppDatabase) -> None:
    with CronRun(app_db.connect, "cleanup-old-data") as run, app_db.connect() as conn:
        run.result["dagster_run_id"] = context.run_id
        done = cleanup_old_data(conn)
        run.result.update(asdict(done))
    context.log.info(f"cleanup: {asdict(done)}")


@dg.op(
    description="Delete finished Dagster runs (and their event logs) older than MYSETLIST_RUN_RETENTION_DAYS."
)
def prune_old_runs(
    context: dg.OpExecutionContext, app_db: AppDatabase, settings: AppSettings
) -> dg.Output[None]:
    days = settings.get().run_retention_days
    cutoff = retention_cutoff(days)
    if cutoff is None:
        context.log.info("run retention is off (MYSETLIST_RUN_RETENTION_DAYS=0)")
        return dg.Output(None, metadata={"deleted": 0})
    with app_db.connect() as conn:
        done = prune_runs(context.instance, cutoff, conn)
    context.log.info(f"run retention ({days} days, before {cutoff:%Y-%m-%d %H:%M} UTC): {asdict(done)}")
    return dg.Output(None, metadata={**asdict(done), "cutoff": cutoff.isoformat(), "days": days})


@dg.job(executor_def=dg.in_process_executor, description="calculate-trending: the trending scores.")
def trending_scores() -> None:
    recompute_trending()


@dg.job(executor_def=dg.in_process_executor, description="cleanup-old-data: old tracking rows.")
def cleanup_old_sync_data() -> None:
    cleanup_sync_data()


@dg.job(executor_def=dg.in_process_executor, description="Dagster's storage: old runs and their event logs.")
def dagster_run_retention() -> None:
    prune_old_runs()


calculate_trending = dg.ScheduleDefinition(
    name="calculate_trending",
    cron_schedule="5 */2 * * *",
    job=trending_scores,
    execution_timezone="UTC",
    default_status=RUNNING,
    tags={SCHEDULE_TAG: "calculate-trending"},
    description="Trending scores of shows and artists from the app's own data (was `calculate-trending`)",
)

cleanup_old_data_schedule = dg.ScheduleDefinition(
    name="cleanup_old_data",
    cron_schedule="30 1 * * *",
    job=cleanup_old_sync_data,
    execution_timezone="UTC",
    default_status=RUNNING,
    tags={SCHEDULE_TAG: "cleanup-old-data"},
    description="cleanup_old_sync_data() and old batch records (was `cleanup-old-data`)",
)

# Hourly, each run bounded in time: a backlog (retention just turned on) drains over a few runs, and
# a day's new runs never wait a day to go.
dagster_run_retention_schedule = dg.ScheduleDefinition(
    name="dagster_run_retention",
    cron_schedule="45 * * * *",
    job=dagster_run_retention,
    execution_timezone="UTC",
    default_status=RUNNING,
    description="Deletes finished runs older than MYSETLIST_RUN_RETENTION_DAYS (default 30) from Dagster's storage",
)
