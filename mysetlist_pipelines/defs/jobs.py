"""The app's job types as asset jobs over the artists partitions (steps from lib/steps.JOB_ASSETS).

Every job runs in process: a one-artist run is a handful of short steps, and the multiprocess
executor would start a Python process per step (about 1-2 s each on 2 cores, measured in the README),
more than the work itself. The steps share the run's provider clients (one Spotify token per run).
"""

from __future__ import annotations

import dagster as dg

from mysetlist_pipelines.lib.steps import JOB_ASSETS

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
        tags={"mysetlist/job_type": name},
    )
    for name, assets in JOB_ASSETS.items()
}


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(jobs=list(JOBS.values()))
