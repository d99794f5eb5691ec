from pathlib import Path

import dagster as dg

from mysetlist_pipelines.lib.alerts import init_monitoring

# Every process that loads the definitions (code server, run workers) reports to Sentry if configured.
init_monitoring()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
