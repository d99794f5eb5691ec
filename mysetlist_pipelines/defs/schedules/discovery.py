"""Discovery through Ticketmaster (lib/fleet/discovery_tick.py).

| schedule | cron (UTC) | markets | does |
|---|---|---|---|
| sync_us_shows | 0 6 * * * | US | shows refresh (batched) of known artists with new events; imports artists worth it |
| sync_eu_shows | 0 1 * * * | MYSETLIST_DISCOVERY_EU_COUNTRIES | the same for Europe |
| trending_artist_sync | 45 2 * * * | US + Europe | imports the MYSETLIST_TRENDING_IMPORTS unknown artists with the most upcoming events |

Imports are pending `sync_jobs` rows (job_type full_sync, priority 3) that the sync_jobs sensor picks
up like any request of the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import dagster as dg

from mysetlist_pipelines.lib.fleet import CronRun
from mysetlist_pipelines.lib.fleet.discovery_tick import DEADLINE_SECONDS, MIN_UPCOMING, discovery_tick
from mysetlist_pipelines.lib.settings import Settings, get_settings

from ..tracking import tracking_connection
from .fleet import (
    RUNNING,
    SCHEDULE_TAG,
    ScheduleResult,
    partition_registrar,
    providers,
    requests_or_skip,
    resume,
    tick_info,
)

US = ("US",)


def eu_countries(settings: Settings) -> tuple[str, ...]:
    return tuple(c for c in settings.discovery_eu_countries.split(",") if c)


def discovery_schedule(
    *,
    name: str,
    route: str,
    cron: str,
    countries: Callable[[Settings], Sequence[str]],
    refresh_known: bool,
    max_imports: Callable[[Settings], int],
    min_upcoming: int,
    description: str,
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=cron,
        job_name="shows_only",
        execution_timezone="UTC",
        default_status=RUNNING,
        description=f"{description} (was the `{route}` cron route)",
        tags={SCHEDULE_TAG: route},
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> ScheduleResult:
        deadline = time.monotonic() + DEADLINE_SECONDS
        settings = get_settings()
        info = tick_info(context, route)
        with CronRun(tracking_connection, route, info.tick) as run, tracking_connection() as conn:
            again = resume(conn, run, info)
            if again is not None:
                return requests_or_skip(again, "this tick was evaluated already")
            with providers() as clients:
                outcome = discovery_tick(
                    conn,
                    clients,
                    info,
                    countries(settings),
                    reserve_fraction=settings.fleet_import_reserve,
                    max_pages=settings.discovery_max_pages,
                    max_imports=max_imports(settings),
                    min_upcoming=min_upcoming,
                    refresh_known=refresh_known,
                    register_partitions=partition_registrar(context.instance),
                    deadline=deadline,
                )
            run.result.update(outcome.result)
            if outcome.timed_out:
                run.status = "timeout"
        found = outcome.result.get("discovery", {})
        summary = (
            f"{route}: {found.get('events_seen', 0)} event(s) seen, {len(outcome.imports)} import(s) "
            f"requested, {len(outcome.batches)} refresh run(s)"
        )
        context.log.info(summary)
        return requests_or_skip(outcome.batches, summary)

    return _schedule


sync_us_shows = discovery_schedule(
    name="sync_us_shows",
    route="sync-us-shows",
    cron="0 6 * * *",
    countries=lambda s: US,
    refresh_known=True,
    max_imports=lambda s: s.discovery_max_imports,
    min_upcoming=MIN_UPCOMING,
    description="Music events in the US: new shows of known artists, and new artists worth importing",
)

sync_eu_shows = discovery_schedule(
    name="sync_eu_shows",
    route="sync-eu-shows",
    cron="0 1 * * *",
    countries=eu_countries,
    refresh_known=True,
    max_imports=lambda s: s.discovery_max_imports,
    min_upcoming=MIN_UPCOMING,
    description="Music events in Europe: new shows of known artists, and new artists worth importing",
)

trending_artist_sync = discovery_schedule(
    name="trending_artist_sync",
    route="trending-artist-sync",
    cron="45 2 * * *",
    countries=lambda s: US + eu_countries(s),
    refresh_known=False,
    max_imports=lambda s: s.trending_imports,
    min_upcoming=1,
    description="Imports the artists with the most upcoming events that the app does not have yet",
)
