"""import-past-setlists (0 6 * * * UTC): shows of the last days are settled (`completed`), and the
headliners of those still without an actual setlist get their setlists from setlist.fm (batched,
within the budget: 1 setlist.fm page per artist already synced). lib/fleet/past.py."""

from __future__ import annotations

from dataclasses import asdict

import psycopg

from mysetlist_pipelines.lib.fleet import WORK, TickInfo
from mysetlist_pipelines.lib.fleet import selection as select
from mysetlist_pipelines.lib.fleet.past import settle_past_shows

from .planning import RefreshRoute, refresh_schedule

PAST_DAYS = 3
ROUTE_NAME = "import-past-setlists"


def _settle(conn: psycopg.Connection, info: TickInfo) -> dict[str, object]:
    return {"past_shows": asdict(settle_past_shows(conn, select.today_of(info.now), PAST_DAYS))}


# Its row of refresh.ROUTES (the table of every refresh route).
ROUTE = RefreshRoute(
    WORK["setlists"],
    lambda conn, now: select.past_shows_without_setlists(conn, now, PAST_DAYS),
    prepare=_settle,
)

import_past_setlists = refresh_schedule(
    name="import_past_setlists",
    route=ROUTE_NAME,
    cron="0 6 * * *",
    description=f"Setlists of the shows of the last {PAST_DAYS} days that have none yet; past shows "
    "settled as completed",
)
