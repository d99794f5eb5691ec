"""Sensors keeping the app's sync_jobs in step with Dagster (all start RUNNING):

| sensor | interval | what |
|---|---|---|
| `sync_jobs_sensor` | 2 s (the daemon visits sensors every ~5 s) | pending rows -> runs; bad rows -> failed |
| `sync_jobs_on_run_success` / `_failure` / `_canceled` | 2 s | a run's end -> its rows |
| `sync_jobs_reconciliation` | 30 s | ended/vanished runs, missed events, drift, long waits |
| `sync_jobs_cancel_sensor` | 2 s | rows the app set to `cancelled` -> runs stopped, rows closed |

`build_sync_sensors(jobs)` builds them for any set of asset jobs named after the app's job types
(the real ones in defs/jobs.py, or a test's stand-ins); `sync_sensors` registers them for this code
location.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import dagster as dg

from mysetlist_pipelines.lib.steps import JOB_TYPES

from ..dagster_compat import AnyJob
from .cancel import build_cancel_sensor
from .intake import build_pending_sensor
from .reconcile import build_reconcile_sensor
from .run_status import build_run_status_sensors

log = logging.getLogger(__name__)


def build_sync_sensors(jobs: Sequence[AnyJob]) -> list[dg.SensorDefinition]:
    return [
        build_pending_sensor(jobs),
        *build_run_status_sensors(),
        build_reconcile_sensor(),
        build_cancel_sensor(),
    ]


def sync_jobs_of_location() -> list[AnyJob]:
    """The asset jobs named after the app's job types (defs/jobs.JOBS)."""
    from ..jobs import JOBS

    return [JOBS[name] for name in JOB_TYPES if name in JOBS]


@dg.definitions
def sync_sensors() -> dg.Definitions:
    jobs = sync_jobs_of_location()
    if not jobs:
        log.warning(
            "no sync jobs (full_sync, ...) in defs/jobs.py: the pending-jobs sensor is not registered"
        )
        return dg.Definitions(
            sensors=[*build_run_status_sensors(), build_reconcile_sensor(), build_cancel_sensor()]
        )
    return dg.Definitions(sensors=build_sync_sensors(jobs))
