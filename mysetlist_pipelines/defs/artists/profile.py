"""`artist_profile`: who the artist is on each service; its `artists` row (lib/sync/profile.py)."""

from datetime import timedelta

import dagster as dg

from mysetlist_pipelines.lib.sync.profile import DEFAULT_MAX_AGE, sync_profile

from ..resources import AppDatabase, ProviderClients
from .common import GROUP, is_full_sync, run_step, start_prefetch
from .partitions import artists_partitions


class ProfileConfig(dg.Config):
    force: bool = False  # look the artist up again even when its profile is fresh
    max_age_hours: float = DEFAULT_MAX_AGE.total_seconds() / 3600


@dg.asset(
    partitions_def=artists_partitions,
    group_name=GROUP,
    kinds={"postgres"},
    description="The artist across Ticketmaster, Spotify and setlist.fm (strongest evidence first, never "
    "guessed; every decision recorded in pipelines.artist_matches) and its `artists` row.",
)
def artist_profile(
    context: dg.AssetExecutionContext, config: ProfileConfig, app_db: AppDatabase, providers: ProviderClients
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        return sync_profile(
            conn,
            clients.get(),
            key,
            force=config.force,
            max_age=timedelta(hours=config.max_age_hours),
            full_sync=is_full_sync(context),
        )

    result = run_step(context, "artist_profile", app_db, providers, step)
    # The ids are settled: the shows and setlists steps' pages are fetched while the catalog works.
    start_prefetch(context, app_db, providers)
    return result
