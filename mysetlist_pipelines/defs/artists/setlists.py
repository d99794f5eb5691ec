"""`artist_setlists`: setlist.fm setlists -> setlists, setlist_songs, past shows (lib/sync/setlists.py)."""

import dagster as dg

from mysetlist_pipelines.lib.dagster_tags import PRIORITY_TAG
from mysetlist_pipelines.lib.sync.setlists import DEFAULT_MAX_PAGES, DEFAULT_YEARS_BACK, sync_setlists

from ..resources import AppDatabase, ProviderClients
from .common import GROUP, STEP_ORDER, artist_id_for, run_step, today
from .partitions import artists_partitions


class SetlistsConfig(dg.Config):
    max_pages: int = DEFAULT_MAX_PAGES  # pages of 20 setlists, newest first
    years_back: int = DEFAULT_YEARS_BACK
    force: bool = False  # read every page within the depth, not only until a stored setlist


@dg.asset(
    partitions_def=artists_partitions,
    group_name=GROUP,
    kinds={"postgres"},
    deps=["artist_profile"],
    op_tags={PRIORITY_TAG: STEP_ORDER["setlists"]},
    description="Actual setlists from setlist.fm in played order (tape left out, covers noted and "
    "never matched to the artist's catalog), linked to their shows; past shows and venues created "
    "when Ticketmaster has none. Incremental: stops at the newest setlist already stored.",
)
def artist_setlists(
    context: dg.AssetExecutionContext, config: SetlistsConfig, app_db: AppDatabase, providers: ProviderClients
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        artist_id = artist_id_for(conn, key)
        return sync_setlists(
            conn,
            clients.get(),
            artist_id,
            today=today(),
            max_pages=config.max_pages,
            years_back=config.years_back,
            force=config.force,
            prefetch=clients.prefetch(),  # the pages the profile step started fetching, if any
        )

    return run_step(context, "artist_setlists", app_db, providers, step)
