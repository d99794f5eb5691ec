"""A stand-in code location: the real sync sensors over small partitioned assets with the real asset
and job names, so the tracking can be tested without providers.

Each asset reports through `tracked_step` and behaves by its artist partition key:
- contains `fail-<asset>` (with dashes: `fail-artist-shows`): that asset raises a provider error (every attempt);
- contains `flaky-<asset>`: that asset fails on the run's first attempt only (a run retry succeeds);
- contains `gone-<asset>`: that asset fails for good (lib/failures.PermanentError: no retry helps);
- contains `slow-<asset>`: that asset runs for `SLOW_SECONDS` (to kill or cancel it meanwhile);
- contains `skip-<asset>`: that asset does not apply and says why.
"""

import time

import dagster as dg

from mysetlist_pipelines.defs.artists.partitions import artists_partitions
from mysetlist_pipelines.defs.resources import AppDatabase, AppSettings, build_resources
from mysetlist_pipelines.defs.sensors import build_sync_sensors
from mysetlist_pipelines.defs.tracking import tracked_step
from mysetlist_pipelines.lib.failures import PermanentError
from mysetlist_pipelines.lib.steps import JOB_ASSETS

SLOW_SECONDS = 120
PROVIDER = {"artist_catalog": "spotify", "artist_shows": "ticketmaster", "artist_setlists": "setlistfm"}


class StandInProviderError(Exception):
    def __init__(self, provider: str, message: str) -> None:
        super().__init__(message)
        self.provider = provider


def _behave(context: dg.AssetExecutionContext, app_db: AppDatabase, settings: AppSettings, name: str) -> None:
    key = context.partition_key
    slug = name.replace("_", "-")  # partition keys are slugs: "fail-artist-shows"
    backoff = settings.get().run_retry_backoff_seconds
    with tracked_step(context, app_db, name, retry_backoff_seconds=backoff) as step:
        if f"skip-{slug}" in key:
            step.skip(f"{name} does not apply to {key}")
            return
        if f"slow-{slug}" in key:
            deadline = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < deadline:  # a long step, to be killed or canceled meanwhile
                time.sleep(0.2)
        if f"gone-{slug}" in key:
            raise PermanentError(f"{name}: the provider says this artist does not exist")
        attempt = int(context.run.tags.get("dagster/retry_number", "0"))
        if f"fail-{slug}" in key or (f"flaky-{slug}" in key and attempt == 0):
            raise StandInProviderError(PROVIDER.get(name, "spotify"), f"HTTP 503 from the {name} service")
        step.update(total=4, processed=2, successful=2)
        step.finish(message=f"{name} done for {key}", total=4, processed=4, successful=4)


def _asset(name: str, deps: list[str]) -> dg.AssetsDefinition:
    @dg.asset(name=name, partitions_def=artists_partitions, deps=deps, group_name="artists")
    def _a(context: dg.AssetExecutionContext, app_db: AppDatabase, settings: AppSettings) -> None:
        _behave(context, app_db, settings, name)

    return _a


ASSETS = [
    _asset("artist_profile", []),
    _asset("artist_catalog", ["artist_profile"]),
    _asset("artist_shows", ["artist_profile"]),
    _asset("artist_setlists", ["artist_shows"]),
    _asset("predicted_setlists", ["artist_setlists", "artist_catalog"]),
]
JOBS = [
    dg.define_asset_job(
        name, selection=dg.AssetSelection.assets(*assets), executor_def=dg.in_process_executor
    )
    for name, assets in JOB_ASSETS.items()
]

# The real resources (DATABASE_URL resolved when a run or tick starts), as the real location has them.
defs = dg.Definitions(assets=ASSETS, jobs=JOBS, sensors=build_sync_sensors(JOBS), resources=build_resources())
