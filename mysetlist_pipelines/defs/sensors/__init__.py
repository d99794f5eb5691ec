"""Sensors keeping the app's sync_jobs in step with Dagster (all start RUNNING):

| sensor | interval | what |
|---|---|---|
| `sync_jobs_sensor` | 2 s (the daemon visits sensors every ~5 s) | pending rows -> runs; bad rows -> failed |
| `sync_jobs_on_run_success` / `_failure` / `_canceled` | 2 s | a run's end -> its rows |
| `sync_jobs_reconciliation` | 30 s | ended/vanished runs, missed events, drift, long waits |
| `sync_jobs_cancel_sensor` | 2 s | rows the app set to `cancelled` -> runs stopped, rows closed |

`build_sync_sensors(jobs)` builds them for any set of asset jobs named after the app's job types
(the real ones in defs/jobs.py, or a test's stand-ins); definitions.py registers them for this code
location with the jobs of defs/jobs.py, passed explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from ..dagster_compat import AnyJob
from .cancel import build_cancel_sensor
from .intake import build_pending_sensor
from .reconciliation import build_reconcile_sensor
from .run_status import build_run_status_sensors


def build_sync_sensors(jobs: Sequence[AnyJob]) -> list[dg.SensorDefinition]:
    return [
        build_pending_sensor(jobs),
        *build_run_status_sensors(),
        build_reconcile_sensor(),
        build_cancel_sensor(),
    ]
