"""Sync tracking from inside Dagster runs (see step.py for the asset-facing hook).

Assets report their step with `tracked_step(context, asset_name)`; the per-artist assets' shared
runner (`defs/artists/common.run_step`) takes it through `set_step_hook`, installed below when that
module is present, so every artist asset is tracked without touching its code.
"""

from .runs import run_info, run_outcome, settle_run, tracking_connection
from .step import StepReporter, tracked_step

try:  # the artist assets' hook point (issue 4); absent in stand-in code locations
    from ..artists import common as _artist_assets
except ImportError:  # pragma: no cover - depends on which code is installed
    _artist_assets = None  # type: ignore[assignment]

if _artist_assets is not None and hasattr(_artist_assets, "set_step_hook"):
    _artist_assets.set_step_hook(tracked_step)

__all__ = ["StepReporter", "run_info", "run_outcome", "settle_run", "tracked_step", "tracking_connection"]
