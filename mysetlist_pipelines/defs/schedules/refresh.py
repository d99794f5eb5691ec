"""Fleet refreshes of known artists, batched and within the daily budgets (defs/schedules/fleet.py).

| schedule | cron (UTC) | artists | work |
|---|---|---|---|
| update_active_artists | 15 */6 * * * | active, shows older than 6 h, known to Ticketmaster | profile, shows, predictions |
| sync_artist_data | 30 */8 * * * | profile older than 7 days | profile looked up again |
| sync_artist_images | 30 6 * * * | a Spotify id and no image, not looked up in a day | profile looked up again |
| complete_catalog_sync | 0 3 * * 0 | a Spotify id, catalog older than 7 days | incremental catalog |
| master_sync | 15 4 * * * | active, any part older than 20 h | the `update` job |
"""

from __future__ import annotations

from datetime import timedelta

from mysetlist_pipelines.lib.fleet import WORK
from mysetlist_pipelines.lib.fleet import selection as select

from . import past_setlists
from .planning import RefreshRoute, refresh_schedule

SHOWS_MAX_AGE = timedelta(hours=6)
PROFILE_MAX_AGE = timedelta(days=7)
IMAGE_RETRY_AFTER = timedelta(days=1)
CATALOG_MAX_AGE = timedelta(days=7)
UPDATE_MAX_AGE = timedelta(hours=20)  # a daily refresh, not a second one hours after an import

# Every refresh route (the old cron route's name, cron_logs.job_name) -> what its tick plans: the
# work (lib/fleet/work.py) and the selection. The `fleet_refresh` run looks its route up here.
ROUTES: dict[str, RefreshRoute] = {
    "update-active-artists": RefreshRoute(
        WORK["shows"], lambda conn, now: select.active_with_stale_shows(conn, now, SHOWS_MAX_AGE)
    ),
    "sync-artist-data": RefreshRoute(
        WORK["profile"], lambda conn, now: select.stale_profiles(conn, now, PROFILE_MAX_AGE)
    ),
    "sync-artist-images": RefreshRoute(
        WORK["profile"], lambda conn, now: select.missing_images(conn, now, IMAGE_RETRY_AFTER)
    ),
    "complete-catalog-sync": RefreshRoute(
        WORK["catalog"], lambda conn, now: select.stale_catalogs(conn, now, CATALOG_MAX_AGE)
    ),
    "master-sync": RefreshRoute(
        WORK["update"], lambda conn, now: select.active_for_update(conn, now, UPDATE_MAX_AGE)
    ),
    past_setlists.ROUTE_NAME: past_setlists.ROUTE,
}

update_active_artists = refresh_schedule(
    name="update_active_artists",
    route="update-active-artists",
    cron="15 */6 * * *",
    description="Shows of active artists (upcoming shows, followed, or imported in the last 30 days) "
    "not refreshed in 6 hours",
)

sync_artist_data = refresh_schedule(
    name="sync_artist_data",
    route="sync-artist-data",
    cron="30 */8 * * *",
    description="Profiles (names, images, ids) of artists not looked up in 7 days",
)

sync_artist_images = refresh_schedule(
    name="sync_artist_images",
    route="sync-artist-images",
    cron="30 6 * * *",
    description="Missing images of artists with a Spotify id",
)

complete_catalog_sync = refresh_schedule(
    name="complete_catalog_sync",
    route="complete-catalog-sync",
    cron="0 3 * * 0",
    description="Incremental Spotify catalogs older than 7 days",
)

master_sync = refresh_schedule(
    name="master_sync",
    route="master-sync",
    cron="15 4 * * *",
    description="The daily incremental `update` of every active artist",
)
