"""What every fleet schedule shares: the tick's context, the budget read, partitions, run requests.

A refresh tick (lib/fleet/tick.py): select the artists, plan them against today's allowances, register
the partitions Dagster lacks, open one batch per group of artists (their sync_jobs rows), and request
one run per batch: a partition range of the artists job, tagged `mysetlist/batch_id`, low priority
(imports the app asks for are dequeued first), run key = batch id (a re-evaluated tick asks for the
same runs, which Dagster launches once). Each tick writes one cron_logs row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import fleet
from mysetlist_pipelines.lib.dagster_tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from mysetlist_pipelines.lib.db.runtime import app_database_url
from mysetlist_pipelines.lib.fleet.selection import Candidate
from mysetlist_pipelines.lib.providers import Providers
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines.lib.tracking import BATCH_TAG
from mysetlist_pipelines.lib.tracking.claim import DAGSTER_PRIORITY
from mysetlist_pipelines.lib.tracking.models import PRIORITY_TAG

from ..artists.common import PER_PARTITION_EVENTS_TAG
from ..artists.partitions import artists_partitions
from ..tracking import tracking_connection

SCHEDULE_TAG = "mysetlist/schedule"
RUNNING = dg.DefaultScheduleStatus.RUNNING
Select = Callable[[psycopg.Connection, datetime], list[Candidate]]
# Work a tick does in SQL before selecting (e.g. settling past shows); its counts join the cron_logs row.
Prepare = Callable[[psycopg.Connection, fleet.TickInfo], dict[str, object]]
ScheduleResult = list[dg.RunRequest] | dg.SkipReason


@contextmanager
def providers() -> Iterator[Providers]:
    """Provider clients on the shared pacing state (budgets, breakers; discovery's calls)."""
    settings = get_settings()
    with Providers.from_settings(settings, app_database_url(settings)) as built:
        yield built


def tick_info(context: dg.ScheduleEvaluationContext, route: str) -> fleet.TickInfo:
    now = datetime.now(UTC)
    tick = context.scheduled_execution_time or now
    return fleet.TickInfo(route, tick.astimezone(UTC), now, get_settings().fleet_batch_size)


def partition_registrar(instance: dg.DagsterInstance) -> Callable[[list[str]], Sequence[str]]:
    """Adds the artist partitions Dagster does not have yet; returns them all in insertion order."""

    def register(keys: list[str]) -> Sequence[str]:
        name = artists_partitions.name
        known = set(instance.get_dynamic_partitions(name))
        new = [k for k in keys if k not in known]
        if new:
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


def requests_or_skip(batches: Sequence[fleet.Batch], why: str) -> ScheduleResult:
    return [run_request(b) for b in batches] if batches else dg.SkipReason(why)


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


def refresh_tick(
    context: dg.ScheduleEvaluationContext,
    route: str,
    work: fleet.Work,
    select: Select,
    prepare: Prepare | None = None,
) -> ScheduleResult:
    info = tick_info(context, route)
    with fleet.CronRun(tracking_connection, route, info.tick) as run, tracking_connection() as conn:
        again = resume(conn, run, info)
        if again is not None:
            return requests_or_skip(again, "this tick was evaluated already")
        if prepare is not None:
            run.result.update(prepare(conn, info))
        with providers() as clients:
            allowed = fleet.read_allowances(conn, clients, get_settings().fleet_import_reserve)
        outcome = fleet.refresh(conn, info, work, select, allowed, partition_registrar(context.instance))
        run.result.update(outcome.result)
    launched = outcome.result["launched"]
    deferred = outcome.result["deferred"]
    context.log.info(
        f"{route}: {launched['artists']} artist(s) in {launched['runs']} run(s), "
        f"{deferred['count']} deferred {deferred['by_reason'] or ''}"
    )
    return requests_or_skip(
        outcome.batches,
        f"nothing to launch: {outcome.result['candidates']} candidate(s), {deferred['count']} deferred "
        f"{deferred['by_reason'] or ''}",
    )


def refresh_schedule(
    *,
    name: str,
    route: str,
    cron: str,
    work: fleet.Work,
    select: Select,
    description: str,
    prepare: Prepare | None = None,
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        job_name=work.job,
        execution_timezone="UTC",
        default_status=RUNNING,
        description=f"{description} (was the `{route}` cron route)",
        tags={SCHEDULE_TAG: route},
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> ScheduleResult:
        return refresh_tick(context, route, work, select, prepare)

    return _schedule
