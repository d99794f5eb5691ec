"""`artist_shows`: Ticketmaster events -> venues, shows, show_artists (lib/sync/shows.py)."""

import dagster as dg

from mysetlist_pipelines.lib.dagster_tags import PRIORITY_TAG
from mysetlist_pipelines.lib.sync.shows import DEFAULT_PAST_DAYS, sync_shows

from ..resources import AppDatabase, ProviderClients
from .common import GROUP, STEP_ORDER, artist_id_for, is_full_sync, run_step, today
from .partitions import artists_partitions


class ShowsConfig(dg.Config):
    past_days: int = DEFAULT_PAST_DAYS  # how far back "recent past" events are asked for


@dg.asset(
    partitions_def=artists_partitions,
    group_name=GROUP,
    kinds={"postgres"},
    deps=["artist_profile"],
    op_tags={PRIORITY_TAG: STEP_ORDER["shows"]},
    description="Upcoming and recent Ticketmaster events of the artist: venues, shows (status, "
    "times, prices) and every known artist on the bill.",
)
def artist_shows(
    context: dg.AssetExecutionContext, config: ShowsConfig, app_db: AppDatabase, providers: ProviderClients
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        artist_id = artist_id_for(conn, key)
        return sync_shows(
            conn,
            clients.get(),
            artist_id,
            today=today(),
            past_days=config.past_days,
            full_sync=is_full_sync(context),
            prefetch=clients.prefetch(),  # the events the profile step started fetching, if any
        )

    return run_step(context, "artist_shows", app_db, providers, step)
