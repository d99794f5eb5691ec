"""Discovery through Ticketmaster (lib/fleet/discovery_tick.py).

| schedule | cron (UTC) | markets | does |
|---|---|---|---|
| sync_us_shows | 0 6 * * * | US | shows refresh (batched) of known artists with new events; imports artists worth it |
| sync_eu_shows | 0 1 * * * | MYSETLIST_DISCOVERY_EU_COUNTRIES | the same for Europe |
| trending_artist_sync | 45 2 * * * | US + Europe | imports the MYSETLIST_TRENDING_IMPORTS unknown artists with the most upcoming events |

A schedule decides and launches; the work runs in a job. Each evaluation only builds one run request
of the `discovery` op job (run key = route and tick, so a re-evaluated tick launches nothing twice):
no database, no provider call, no partition registration inside Dagster's 60-s evaluation, where the
pacer's waits used to eat the budget (the refresh schedules work the same way: planning.py). The
`discover_shows` op does the tick's work under its own deadline (`DEADLINE_SECONDS`): the paced Ticketmaster search, the cron_logs row, the imports (pending
`sync_jobs` rows, job_type full_sync, priority 3, that the sync_jobs sensor picks up like any request
of the app) and, for the refreshing routes, the batches of known artists with new events (their
partitions registered, their rows opened). The `discovery_batches` sensor then requests one run per
batch such a run opened (a query of `pipelines.fleet_batches` after its cursor, run key = batch id;
defs/schedules/fleet.batch_launcher).
"""

# No `from __future__ import annotations`: Dagster reads the op's Config annotation at definition time.
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg

from mysetlist_pipelines.lib import fleet
from mysetlist_pipelines.lib.fleet.discovery_tick import DEADLINE_SECONDS, MIN_UPCOMING, discovery_tick
from mysetlist_pipelines.lib.settings import Settings

from ..resources import AppDatabase, AppSettings, ProviderClients
from .fleet import batch_launcher, partition_registrar, resume, tick_schedule

US = ("US",)
LAUNCHER_SENSOR_NAME = "discovery_batches"


def eu_countries(settings: Settings) -> tuple[str, ...]:
    return tuple(c for c in settings.discovery_eu_countries.split(",") if c)


@dataclass(frozen=True)
class Route:
    """One discovery cron route: the markets, whether known artists get a refresh, the import caps."""

    countries: Callable[[Settings], Sequence[str]]
    refresh_known: bool
    max_imports: Callable[[Settings], int]
    min_upcoming: int


ROUTES: dict[str, Route] = {
    "sync-us-shows": Route(lambda s: US, True, lambda s: s.discovery_max_imports, MIN_UPCOMING),
    "sync-eu-shows": Route(eu_countries, True, lambda s: s.discovery_max_imports, MIN_UPCOMING),
    "trending-artist-sync": Route(lambda s: US + eu_countries(s), False, lambda s: s.trending_imports, 1),
}


class DiscoveryConfig(dg.Config):
    route: str  # one of ROUTES (the old cron route's name, cron_logs.job_name)
    tick: str  # the schedule's scheduled execution time, ISO 8601 (keys the cron_logs row and batches)


@dg.op(description="One discovery tick: Ticketmaster search, imports, refresh batches of known artists.")
def discover_shows(
    context: dg.OpExecutionContext,
    config: DiscoveryConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
) -> None:
    if config.route not in ROUTES:
        raise dg.Failure(
            f"unknown discovery route {config.route!r} (one of {', '.join(ROUTES)})", allow_retries=False
        )
    route = ROUTES[config.route]
    deadline = time.monotonic() + DEADLINE_SECONDS
    deployment = settings.get()
    tick = datetime.fromisoformat(config.tick).astimezone(UTC)
    info = fleet.TickInfo(config.route, tick, datetime.now(UTC), deployment.fleet_batch_size)
    with fleet.CronRun(app_db.connect, config.route, tick) as run, app_db.connect() as conn:
        run.result["dagster_run_id"] = context.run_id
        again = resume(conn, run, info)
        if again is not None:  # a re-executed run: its batches are open, the launcher has them
            context.log.info(f"{config.route}: tick {tick} ran already ({len(again)} refresh batch(es))")
            return
        outcome = discovery_tick(
            conn,
            providers.get(),
            info,
            route.countries(deployment),
            reserve_fraction=deployment.fleet_import_reserve,
            max_pages=deployment.discovery_max_pages,
            max_imports=route.max_imports(deployment),
            min_upcoming=route.min_upcoming,
            refresh_known=route.refresh_known,
            register_partitions=partition_registrar(context.instance),
            deadline=deadline,
        )
        run.result.update(outcome.result)
        if outcome.timed_out:
            run.status = "timeout"
    found = outcome.result.get("discovery", {})
    context.log.info(
        f"{config.route}: {found.get('events_seen', 0)} event(s) seen, {len(outcome.imports)} import(s) "
        f"requested, {len(outcome.batches)} refresh batch(es) for the {LAUNCHER_SENSOR_NAME} sensor"
    )


@dg.job(executor_def=dg.in_process_executor, description="A discovery tick (sync-us/eu-shows, trending).")
def discovery() -> None:
    discover_shows()


def discovery_schedule(*, name: str, route: str, cron: str, description: str) -> dg.ScheduleDefinition:
    return tick_schedule(
        name=name, route=route, cron=cron, job=discovery, op="discover_shows", description=description
    )


sync_us_shows = discovery_schedule(
    name="sync_us_shows",
    route="sync-us-shows",
    cron="0 6 * * *",
    description="Music events in the US: new shows of known artists, and new artists worth importing",
)

sync_eu_shows = discovery_schedule(
    name="sync_eu_shows",
    route="sync-eu-shows",
    cron="0 1 * * *",
    description="Music events in Europe: new shows of known artists, and new artists worth importing",
)

trending_artist_sync = discovery_schedule(
    name="trending_artist_sync",
    route="trending-artist-sync",
    cron="45 2 * * *",
    description="Imports the artists with the most upcoming events that the app does not have yet",
)


discovery_batches = batch_launcher(
    name=LAUNCHER_SENSOR_NAME,
    routes=lambda: list(ROUTES),
    description="Refresh batches a discovery run opened -> one batch run each (run key = batch id).",
    nothing="no refresh batch opened by a discovery run",
)
