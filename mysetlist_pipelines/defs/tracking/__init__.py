"""Sync tracking from inside Dagster runs (tracked_step.py: the asset-facing context manager).

Assets report their step with `tracked_step(context, app_db, asset_name, ...)`; the per-artist assets' shared
runner (`defs/artists/step_runner.run_step`) wraps every artist asset in it, so each is tracked without
touching its own code. Every write goes through the `app_db` resource the caller passes in (the
connection its run or tick shares); settle_run takes the connection itself.
"""

from .settle_run import run_info, run_outcome, settle_run
from .tracked_step import StepReporter, tracked_step

__all__ = ["StepReporter", "run_info", "run_outcome", "settle_run", "tracked_step"]
