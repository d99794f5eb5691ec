"""What every fleet route shares: the budget read, partitions, batch run requests, their launcher.

A tick's planning (lib/fleet/tick.py, run by a `fleet_refresh` or `discovery` run, never inside a
schedule's evaluation): select the artists, plan them against today's allowances, register the
partitions Dagster lacks, open one batch per group of artists (their sync_jobs rows and a
`pipelines.fleet_batches` row). A launcher sensor (`batch_launcher`) then requests one run per batch:
a partition range of the artists job, tagged `mysetlist/batch_id`, low priority (imports the app asks
for are dequeued first), run key = batch id (a batch is launched once however often it is seen).
Each tick writes one cron_logs row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import fleet
from mysetlist_pipelines.lib.dagster_tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from mysetlist_pipelines.lib.fleet.candidates import Candidate
from mysetlist_pipelines.lib.tracking import BATCH_TAG
from mysetlist_pipelines.lib.tracking.intake.launches import DAGSTER_PRIORITY
from mysetlist_pipelines.lib.tracking.run_tags import PRIORITY_TAG

from ..artists.partitions import artists_partitions
from ..artists.step_runner import PER_PARTITION_EVENTS_TAG
from ..evaluation import alerting, sync_sensor
from ..jobs import JOBS
from ..resources import AppDatabase

SCHEDULE_TAG = "mysetlist/schedule"
RUNNING = dg.DefaultScheduleStatus.RUNNING
Select = Callable[[psycopg.Connection, datetime], list[Candidate]]
# Work a tick does in SQL before selecting (e.g. settling past shows); its counts join the cron_logs row.
Prepare = Callable[[psycopg.Connection, fleet.TickInfo], dict[str, object]]
LAUNCHER_INTERVAL_SECONDS = 30
# Batches a launcher requests per evaluation: a 100,000-artist tick opens thousands, and each request
# is a run the daemon creates after the evaluation; the rest follow on the next evaluations.
LAUNCHER_MAX_REQUESTS = 500
LAUNCHER_FIRST_LOOK_BACK = timedelta(hours=1)


def partition_registrar(instance: dg.DagsterInstance) -> Callable[[list[str]], Sequence[str]]:
    """Adds the artist partitions Dagster does not have yet (only those); returns every artist
    partition in insertion order, what a partition range follows. That order is read once per
    planning run (a job, not a schedule's evaluation; no batch run reads it, lib/fleet/batches.py):
    no public Dagster API tells the positions of a few keys, and a range's members must be
    contiguous in it. Read again only when keys were added, since a sensor may have added some of
    the same keys meanwhile (their position is then Dagster's, not ours)."""

    def register(keys: list[str]) -> Sequence[str]:
        if not keys:
            return []
        name = artists_partitions.name
        order = list(instance.get_dynamic_partitions(name))
        known = set(order)
        new = [k for k in keys if k not in known]
        if not new:
            return order
        instance.add_dynamic_partitions(name, new)
        return list(instance.get_dynamic_partitions(name))

    return register


def run_request(batch: fleet.Batch) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=batch.batch_id,
        job_name=batch.job_name,
        run_config=batch.run_config,
        asset_selection=[dg.AssetKey(a) for a in batch.asset_selection] if batch.asset_selection else None,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: batch.range_start,
            ASSET_PARTITION_RANGE_END_TAG: batch.range_end,
            BATCH_TAG: batch.batch_id,
            PRIORITY_TAG: str(DAGSTER_PRIORITY[fleet.batches.FLEET_PRIORITY]),
            SCHEDULE_TAG: batch.schedule,
            # One materialization per artist synced, not one per partition of the range.
            PER_PARTITION_EVENTS_TAG: "true",
        },
    )


def resume(conn: psycopg.Connection, run: fleet.CronRun, info: fleet.TickInfo) -> list[fleet.Batch] | None:
    """An earlier evaluation of this very tick (the daemon re-evaluates an interrupted tick): the
    batches it opened, to be requested again; None when the tick is still to plan. The cron_logs
    row is written once per tick that ran to the end."""
    batches = fleet.load_tick(conn, info.schedule, info.tick)
    if fleet.already_logged(conn, info.schedule, info.tick):
        run.skip()
        return batches
    if batches:
        run.result.update(resumed=True, launched={"runs": len(batches)})
        return batches
    return None


def tick_schedule(
    *, name: str, route: str, cron: str, job: dg.JobDefinition, op: str, description: str
) -> dg.ScheduleDefinition:
    """A fleet route's schedule: it decides and launches, nothing else. Its evaluation builds one
    run request of `job`, whose op `op` gets the route and the tick as config (run key = route and
    tick: a re-evaluated tick launches nothing twice); the work and its I/O are the run's."""

    @dg.schedule(
        name=name,
        cron_schedule=cron,
        job=job,
        execution_timezone="UTC",
        default_status=RUNNING,
        description=f"{description} (was the `{route}` cron route)",
        tags={SCHEDULE_TAG: route},
    )
    @alerting("schedule", name)
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        tick = (context.scheduled_execution_time or datetime.now(UTC)).astimezone(UTC)
        return dg.RunRequest(
            run_key=f"{route}@{tick.isoformat()}",
            run_config={"ops": {op: {"config": {"route": route, "tick": tick.isoformat()}}}},
            tags={SCHEDULE_TAG: route},
        )

    return _schedule


def _cursor(value: str | None) -> tuple[datetime, str]:
    """(created_at, batch_id) of the last batch launched; an ISO time alone (older cursors) means
    "after that instant"."""
    if not value:
        return datetime.now(UTC) - LAUNCHER_FIRST_LOOK_BACK, ""
    at, _, batch = value.partition("|")
    return datetime.fromisoformat(at), batch


def batch_launcher(
    *, name: str, routes: Callable[[], Sequence[str]], description: str, nothing: str
) -> dg.SensorDefinition:
    """A sensor requesting one run per batch the runs of `routes()` opened, in the order they were
    opened, after its cursor (the last batch requested). A tick's batches are opened in one
    transaction under the fleet tick lock (lib/fleet/tick.tick_lock), so they become visible
    together and after every batch opened earlier: the cursor never passes over one still
    uncommitted. A batch seen twice keeps its run key (its batch id): Dagster launches it once."""

    @sync_sensor(
        name=name,
        jobs=list(JOBS.values()),
        minimum_interval_seconds=LAUNCHER_INTERVAL_SECONDS,
        description=description,
    )
    def _launcher(context: dg.SensorEvaluationContext, app_db: AppDatabase) -> dg.SensorResult:
        after, after_id = _cursor(context.cursor)
        with app_db.connect() as conn:
            opened = fleet.batches.opened_after(conn, list(routes()), after, after_id, LAUNCHER_MAX_REQUESTS)
        cursor = f"{opened[-1][1].isoformat()}|{opened[-1][0].batch_id}" if opened else context.cursor
        return dg.SensorResult(
            run_requests=[run_request(b) for b, _ in opened],
            cursor=cursor or f"{after.isoformat()}|{after_id}",
            skip_reason=None if opened else nothing,
        )

    return _launcher
