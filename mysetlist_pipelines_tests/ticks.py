"""Sensors evaluated as the daemon evaluates them, with Dagster's test helpers: the resources are
passed in (`build_sensor_context(resources=...)`), set up for the tick and torn down after it (the
`with`), as in a real tick. By default the project's own resources (defs/resources.build_resources:
DATABASE_URL resolved at the tick, the test's `app_env`)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
import psycopg

from mysetlist_pipelines.defs.resources import build_resources
from mysetlist_pipelines.lib.db.urls import libpq_url


def sensor_tick(
    sensor: dg.SensorDefinition, *, resources: Mapping[str, Any] | None = None, **context: Any
) -> dg.SensorExecutionData:
    """One evaluation of `sensor`; `context`: build_sensor_context's other arguments."""
    chosen = build_resources() if resources is None else resources
    with dg.build_sensor_context(resources=chosen, **context) as built:
        return sensor.evaluate_tick(built)


def run_status_tick(
    sensor: dg.RunStatusSensorDefinition, *, resources: Mapping[str, Any] | None = None, **context: Any
) -> Any:
    """One call of a run-status sensor; `context`: build_run_status_sensor_context's arguments."""
    chosen = build_resources() if resources is None else resources
    with dg.build_run_status_sensor_context(resources=chosen, **context) as built:
        return sensor(built)


@contextmanager
def app_connection() -> Iterator[psycopg.Connection]:
    """The test's app database (DATABASE_URL, as `app_env` exports it), autocommit, for a test's own
    reads and direct lib/ calls."""
    with psycopg.connect(libpq_url(os.environ["DATABASE_URL"]), autocommit=True) as conn:
        yield conn
