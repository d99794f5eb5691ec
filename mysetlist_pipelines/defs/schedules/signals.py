"""The signal plan (issue 15) as a daily run: `signal_plan` (05:00 UTC, STOPPED by default) requests
one run of the `signal_plan` op job; its op runs one day of lib/fleet/signals.run_day within what the
budgets leave (lib/fleet.read_allowances: today's remaining quota minus the imports' reserve and the
work already queued), stepping aside while the app's imports run (ImportGate), and writes the
`signal-plan` cron_logs row. Stopped by default: the refresh timers (refresh.py) stay the production
path until an operator switches over (README, "Schedules"); running both spends the budgets twice.
"""

# No `from __future__ import annotations`: Dagster reads the op's Config annotation at definition time.
from datetime import UTC, datetime

import dagster as dg

from mysetlist_pipelines.lib import fleet
from mysetlist_pipelines.lib.fleet.signals import SignalSettings, run_day
from mysetlist_pipelines.lib.fleet.signals.gate import ImportGate

from ..resources import AppDatabase, AppSettings, ProviderClients
from .fleet import SCHEDULE_TAG

ROUTE = "signal-plan"


class SignalPlanConfig(dg.Config):
    tick: str  # the schedule's scheduled execution time, ISO 8601


@dg.op(description="One day of the signal plan: Ticketmaster sweep, setlist.fm feed, Spotify checks.")
def plan_signals(
    context: dg.OpExecutionContext,
    config: SignalPlanConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
) -> None:
    deployment = settings.get()
    plan = SignalSettings(
        countries=("US", *(c for c in deployment.discovery_eu_countries.split(",") if c)),
        setlist_mode=deployment.setlistfm_feed,
    )
    # The gate polls on a connection of its own: it runs between the plan's pages, whatever the
    # plan's connection is doing (lib/fleet/signals/gate.py).
    gate = ImportGate(app_db.conninfo)
    try:
        with app_db.connect() as conn:
            clients = providers.get()
            allowed = fleet.read_allowances(conn, clients, deployment.fleet_import_reserve)
            allow = {p: a.available for p, a in allowed.items()}
            report = run_day(conn, clients, now=datetime.now(UTC), allow=allow, settings=plan, gate=gate.wait)
    finally:
        gate.close()
    context.log.info(
        f"{ROUTE} ({config.tick}): calls {report.spent} of {allow}; Ticketmaster {report.ticketmaster.get('written', 0)} "
        f"shows written; setlist.fm {report.setlistfm.get('artists_written', 0)} artists; Spotify "
        f"{report.spotify.get('checked', 0)} checked, {report.spotify.get('changed', 0)} catalogs synced"
    )


@dg.job(executor_def=dg.in_process_executor, description="One day of the signal plan (lib/fleet/signals).")
def signal_plan() -> None:
    plan_signals()


@dg.schedule(
    name="signal_plan",
    cron_schedule="0 5 * * *",
    job=signal_plan,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The signal plan (issue 15): keeps a large fleet fresh from what changed; replaces the "
    "refresh timers when switched on (stop those then)",
    tags={SCHEDULE_TAG: ROUTE},
)
def signal_plan_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    tick = (context.scheduled_execution_time or datetime.now(UTC)).astimezone(UTC)
    return dg.RunRequest(
        run_key=f"{ROUTE}@{tick.isoformat()}",
        run_config={"ops": {"plan_signals": {"config": {"tick": tick.isoformat()}}}},
        tags={SCHEDULE_TAG: ROUTE},
    )
