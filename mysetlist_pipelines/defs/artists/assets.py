"""The five per-artist assets, one step of an artist's sync each (lib/sync/<asset>.py does the work).

Each asset is a thin shell: its config, its place in the run (`op_tags` priority: the order the
in-process executor runs them), and `run_step`, which loops over the run's artists (one partition, or
a fleet batch) and reports each step to the app's tracking tables (step_runner.py).
"""

from datetime import timedelta

import dagster as dg

from mysetlist_pipelines.lib.dagster_tags import PRIORITY_TAG
from mysetlist_pipelines.lib.sync.artist_catalog import sync_catalog
from mysetlist_pipelines.lib.sync.artist_profile import DEFAULT_MAX_AGE, sync_profile
from mysetlist_pipelines.lib.sync.artist_setlists import DEFAULT_MAX_PAGES, DEFAULT_YEARS_BACK, sync_setlists
from mysetlist_pipelines.lib.sync.artist_shows import DEFAULT_PAST_DAYS, sync_shows
from mysetlist_pipelines.lib.sync.predicted_setlists import sync_predictions

from ..resources import AppDatabase, AppSettings, ProviderClients
from .partitions import artists_partitions
from .step_runner import GROUP, STEP_ORDER, artist_id_for, is_full_sync, run_step, start_prefetch, today


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
    context: dg.AssetExecutionContext,
    config: ProfileConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
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

    result = run_step(context, "artist_profile", app_db, providers, settings, step)
    # The ids are settled: the shows and setlists steps' pages are fetched while the catalog works.
    start_prefetch(context, app_db, providers)
    return result


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
    context: dg.AssetExecutionContext,
    config: CatalogConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        artist_id = artist_id_for(conn, key)
        return sync_catalog(
            conn, clients.get(), artist_id, force=config.force, full_sync=is_full_sync(context)
        )

    return run_step(context, "artist_catalog", app_db, providers, settings, step)


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
    context: dg.AssetExecutionContext,
    config: ShowsConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
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

    return run_step(context, "artist_shows", app_db, providers, settings, step)


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
    context: dg.AssetExecutionContext,
    config: SetlistsConfig,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
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

    return run_step(context, "artist_setlists", app_db, providers, settings, step)


@dg.asset(
    partitions_def=artists_partitions,
    group_name=GROUP,
    kinds={"postgres"},
    deps=["artist_profile"],
    op_tags={PRIORITY_TAG: STEP_ORDER["predictions"]},
    description="A predicted setlist for every upcoming show: songs ranked by how often and how "
    "recently they were played, catalog order without history. Never rewritten once voted on.",
)
def predicted_setlists(
    context: dg.AssetExecutionContext, app_db: AppDatabase, providers: ProviderClients, settings: AppSettings
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        return sync_predictions(conn, artist_id_for(conn, key), today=today())

    return run_step(context, "predicted_setlists", app_db, providers, settings, step)
