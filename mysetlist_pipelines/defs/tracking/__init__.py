"""Sync tracking from inside Dagster runs (see step.py for the asset-facing context manager).

Assets report their step with `tracked_step(context, asset_name)`; the per-artist assets' shared
runner (`defs/artists/step_runner.run_step`) wraps every artist asset in it, so each is tracked without
touching its own code.
"""

from .settle_run import run_info, run_outcome, settle_run, tracking_connection
from .tracked_step import StepReporter, tracked_step

__all__ = ["StepReporter", "run_info", "run_outcome", "settle_run", "tracked_step", "tracking_connection"]
