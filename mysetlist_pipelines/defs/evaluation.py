"""Every sensor's and schedule's evaluation under one guard: an unexpected exception sends one alert
(lib/alerts.evaluation_failed: Sentry and the webhook, grouped and cooled down) and is raised again,
so that Dagster still shows the failed tick (and the daemon evaluates it again on its next interval).

`alerting(kind, name)` wraps an evaluation function; `sync_sensor(...)` is `dg.sensor` (RUNNING by
default) over a guarded function, for the project's sensors. The schedules built by
defs/schedules/planning.py and discovery.py guard their functions with `alerting`; the two SQL
schedules (maintenance.py) are plain ScheduleDefinitions without a function of ours to fail.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import dagster as dg

from mysetlist_pipelines.lib import alerts

F = TypeVar("F", bound=Callable[..., Any])
GUARDED = "__mysetlist_alerting__"  # set on every guarded function (test_definitions checks them all)


def alerting(kind: Literal["sensor", "schedule"], name: str) -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        @functools.wraps(fn)  # Dagster reads the parameters (context, resources) through __wrapped__
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                alerts.evaluation_failed(kind, name, exc)
                raise

        setattr(guarded, GUARDED, (kind, name))
        return guarded  # type: ignore[return-value]

    return wrap


def sync_sensor(
    *, name: str, minimum_interval_seconds: int, description: str, **kwargs: Any
) -> Callable[[Callable[..., Any]], dg.SensorDefinition]:
    """`@dg.sensor` for the project's sensors: running by default, evaluation guarded."""

    def decorate(fn: Callable[..., Any]) -> dg.SensorDefinition:
        return dg.sensor(
            name=name,
            minimum_interval_seconds=minimum_interval_seconds,
            default_status=dg.DefaultSensorStatus.RUNNING,
            description=description,
            **kwargs,
        )(alerting("sensor", name)(fn))

    return decorate
