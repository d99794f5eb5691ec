"""Refresh ticks as runs: a schedule decides and launches, a `fleet_refresh` run plans, a sensor
launches the batches.

1. A refresh schedule's evaluation builds one run request of the `fleet_refresh` op job (run key =
   route and tick: a re-evaluated tick launches nothing twice): no database, no partition
   registration, nothing that grows with the fleet inside Dagster's 60-s evaluation.
2. The `plan_refresh` op does the tick (lib/fleet/tick.refresh): the cron_logs row, selection, the
   plan against today's allowances, the partitions Dagster lacks, one batch per group of artists
   (their sync_jobs rows, a `pipelines.fleet_batches` row).
3. The `refresh_batches` sensor requests one run per batch opened (run key = batch id), with the tags
   the batch runs always had (defs/schedules/fleet.run_request).
"""

# No `from __future__ import annotations`: Dagster reads the op's Config annotation at definition time.
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg

from mysetlist_pipelines.lib import fleet

from ..resources import AppDatabase, AppSettings, ProviderClients, build_resources
from .fleet import (
    Prepare,
    Select,
    batch_launcher,
    partition_registrar,
    resume,
    run_request,
    tick_schedule,
)

LAUNCHER_SENSOR_NAME = "refresh_batches"


@dataclass(frozen=True)
class PlanningResources:
    """What a tick's planning uses: the run's resources (a caller outside a run builds its own,
    defs/resources.build_resources)."""

    app_db: AppDatabase
    providers: ProviderClients
    settings: AppSettings


@dataclass(frozen=True)
class RefreshRoute:
    work: fleet.Work
    select: Select
    prepare: Prepare | None = None


def routes() -> dict[str, RefreshRoute]:
    """Every refresh route: the table in refresh.py (the old cron route's name -> what its tick
    plans), a literal, not filled in as modules are imported. Imported here, when a tick plans,
    because refresh.py builds its schedules with this module's `refresh_schedule`."""
    from .refresh import ROUTES

    return ROUTES


class RefreshConfig(dg.Config):
    route: str  # one of routes() (cron_logs.job_name)
    tick: str  # the schedule's scheduled execution time, ISO 8601 (keys the cron_logs row and batches)


def plan_tick(
    instance: dg.DagsterInstance,
    resources: PlanningResources,
    route: str,
    tick: datetime,
    run_id: str | None = None,
) -> dict:
    """One refresh tick's planning -> the cron_logs row's result (batches opened for the sensor)."""
    app_db, providers, settings = resources.app_db, resources.providers, resources.settings.get()
    known = routes()
    if route not in known:
        raise dg.Failure(f"unknown refresh route {route!r} (one of {', '.join(known)})", allow_retries=False)
    planned = known[route]
    info = fleet.TickInfo(route, tick.astimezone(UTC), datetime.now(UTC), settings.fleet_batch_size)
    with fleet.CronRun(app_db.connect, route, info.tick) as run, app_db.connect() as conn:
        if run_id:
            run.result["dagster_run_id"] = run_id
        again = resume(conn, run, info)
        if again is not None:  # a re-executed run: its batches are open, the sensor has them
            return {**run.result, "resumed": True, "launched": {"runs": len(again)}}
        if planned.prepare is not None:
            run.result.update(planned.prepare(conn, info))
        allowed = fleet.read_allowances(conn, providers.get(), settings.fleet_import_reserve)
        outcome = fleet.refresh(
            conn, info, planned.work, planned.select, allowed, partition_registrar(instance)
        )
        run.result.update(outcome.result)
    return run.result


@dg.op(description="One refresh tick: selection, budget plan, partitions, batches (their sync_jobs rows).")
def plan_refresh(
    context: dg.OpExecutionContext,
    config: RefreshConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
) -> None:
    resources = PlanningResources(app_db, providers, settings)
    result = plan_tick(
        context.instance, resources, config.route, datetime.fromisoformat(config.tick), context.run_id
    )
    launched, deferred = result.get("launched", {}), result.get("deferred", {})
    context.log.info(
        f"{config.route}: {launched.get('artists', 0)} artist(s) in {launched.get('runs', 0)} batch(es) for "
        f"the {LAUNCHER_SENSOR_NAME} sensor, {deferred.get('count', 0)} deferred {deferred.get('by_reason') or ''}"
    )


@dg.job(executor_def=dg.in_process_executor, description="A refresh tick's planning (the refresh schedules).")
def fleet_refresh() -> None:
    plan_refresh()


def planned_requests(instance: dg.DagsterInstance, route: str, tick: datetime) -> list[dg.RunRequest]:
    """A tick planned in this process (benchmarks, tests): its batches' run requests, the very ones
    the refresh_batches sensor makes. The resources are set up and torn down around it, as a run's."""
    with dg.build_resources(build_resources()) as built:
        resources = PlanningResources(built.app_db, built.providers, built.settings)
        plan_tick(instance, resources, route, tick)
        with resources.app_db.connect() as conn:
            return [run_request(b) for b in fleet.load_tick(conn, route, tick.astimezone(UTC))]


def refresh_schedule(*, name: str, route: str, cron: str, description: str) -> dg.ScheduleDefinition:
    """A refresh route's schedule: one `fleet_refresh` run per tick; what it plans is the route's
    row of refresh.ROUTES."""
    return tick_schedule(
        name=name, route=route, cron=cron, job=fleet_refresh, op="plan_refresh", description=description
    )


refresh_batches = batch_launcher(
    name=LAUNCHER_SENSOR_NAME,
    routes=lambda: list(routes()),
    description="Batches a fleet_refresh run opened -> one batch run each (run key = batch id).",
    nothing="no batch opened by a refresh run",
)
