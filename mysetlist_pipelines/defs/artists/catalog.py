"""`artist_catalog`: the artist's studio songs from Spotify (lib/sync/catalog.py)."""

import dagster as dg

from mysetlist_pipelines.lib.dagster_tags import PRIORITY_TAG
from mysetlist_pipelines.lib.sync.catalog import sync_catalog

from ..resources import AppDatabase, ProviderClients
from .common import GROUP, STEP_ORDER, artist_id_for, is_full_sync, run_step
from .partitions import artists_partitions


class CatalogConfig(dg.Config):
    force: bool = False  # fetch every release again, not only new ones


@dg.asset(
    partitions_def=artists_partitions,
    group_name=GROUP,
    kinds={"postgres"},
    deps=["artist_profile"],
    op_tags={PRIORITY_TAG: STEP_ORDER["catalog"]},
    description="Studio songs from the artist's Spotify albums and singles: live, remix, edit, demo, "
    "acoustic, instrumental and karaoke versions dropped, album/single/deluxe/remaster duplicates "
    "merged (original album preferred). Incremental: only new releases are fetched.",
)
def artist_catalog(
    context: dg.AssetExecutionContext, config: CatalogConfig, app_db: AppDatabase, providers: ProviderClients
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        artist_id = artist_id_for(conn, key)
        return sync_catalog(
            conn, clients.get(), artist_id, force=config.force, full_sync=is_full_sync(context)
        )

    return run_step(context, "artist_catalog", app_db, providers, step)
