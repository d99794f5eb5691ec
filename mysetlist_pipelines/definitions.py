"""The code location: the defs/ folder, plus what needs wiring by hand (the sync sensors get the app's
job types' jobs, passed explicitly). Loading it has no side effect beyond building definitions; Sentry
starts when Dagster calls `defs()` (in the code server and in every run worker)."""

from pathlib import Path

import dagster as dg

from mysetlist_pipelines.defs.jobs import JOBS
from mysetlist_pipelines.defs.sensors import build_sync_sensors
from mysetlist_pipelines.lib.alerts import init_monitoring
from mysetlist_pipelines.lib.steps import JOB_TYPES


@dg.definitions
def defs() -> dg.Definitions:
    init_monitoring()  # every process that loads the definitions reports to Sentry, if configured
    folder = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    sync_sensors = build_sync_sensors([JOBS[name] for name in JOB_TYPES])
    return dg.Definitions.merge(folder, dg.Definitions(sensors=sync_sensors))
