"""The app's job types as asset jobs over the artists partitions (steps from lib/steps.JOB_ASSETS).

Every job runs in process: a one-artist run is a handful of short steps, and the multiprocess
executor would start a Python process per step (about 1-2 s each on 2 cores, measured in the README),
more than the work itself. The steps share the run's provider clients (one Spotify token per run).
"""

from __future__ import annotations

import dagster as dg

from mysetlist_pipelines.lib.steps import FULL_SYNC_JOB_TYPES, FULL_SYNC_TAG, JOB_ASSETS, JOB_TYPE_TAG

DESCRIPTIONS = {
    "full_sync": "Everything about an artist: profile, catalog, shows, setlists, predicted setlists.",
    "catalog_only": "The artist's profile and Spotify catalog.",
    "shows_only": "The artist's profile, shows, setlists and predicted setlists.",
    "update": "Incremental refresh of a known artist: new releases, shows and setlists only.",
}

JOBS = {
    name: dg.define_asset_job(
        name,
        selection=dg.AssetSelection.assets(*assets),
        description=DESCRIPTIONS[name],
        executor_def=dg.in_process_executor,
        # Job tags become every run's tags (retries and batch runs of the job included).
        tags={JOB_TYPE_TAG: name, **({FULL_SYNC_TAG: "true"} if name in FULL_SYNC_JOB_TYPES else {})},
    )
    for name, assets in JOB_ASSETS.items()
}


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(jobs=list(JOBS.values()))
