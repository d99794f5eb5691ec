"""What this project relies on from Dagster beyond its exported names, in one place.

Tag names are in lib/dagster_tags.py. Everything else is here: reading run events (through public
fields where they exist: `DagsterEventType`, `DagsterEvent.step_key`, an engine event's metadata),
sensor states, and the types Dagster does not export. Two things have no public form at all, each
pinned by test_dagster_contract.py so that a Dagster upgrade changing them fails a test instead of
silently losing an error message:
- a step's key is its asset key as a Python identifier (`AssetKey.to_python_identifier`);
- the code server says a run worker died only in an engine event's text ("Run execution process
  for <run id> was terminated by signal 9 (SIGKILL). This usually indicates ...").
"""

from __future__ import annotations

import re
from typing import Protocol, TypeAlias

import dagster as dg

from mysetlist_pipelines.lib.steps import STEP_BY_ASSET

# The step of each per-artist asset, by exact key (the assets carry no key prefix).
ASSET_BY_STEP_KEY: dict[str, str] = {dg.AssetKey(name).to_python_identifier(): name for name in STEP_BY_ASSET}
# The prefix of the code server's note on a dead run worker (dagster/_grpc/server.py).
WORKER_CRASH_PREFIX = "Run execution process for "
# The engine event the worker logs as it starts ("Started process for run (pid: N).") carries the
# pid in its metadata too (EngineEventData.in_process).
WORKER_PID_KEY = "pid"
# `InstigatorType.SENSOR`'s value: the enum itself is not exported by `dagster`.
SENSOR_INSTIGATOR = "SENSOR"


class AssetJob(Protocol):
    """What `dg.define_asset_job` returns (its class is not exported): a job resolved on load."""

    @property
    def name(self) -> str: ...


# A job a sensor may target: a plain job or an asset job.
AnyJob: TypeAlias = dg.JobDefinition | AssetJob


class ErrorInfo(Protocol):
    """The fields of Dagster's serialized error (a step failure's `error`) that are read here."""

    message: str
    cls_name: str | None
    cause: ErrorInfo | None


def asset_of_step(step_key: str | None) -> str | None:
    """The per-artist asset a step materializes, or None for any other step."""
    return ASSET_BY_STEP_KEY.get(step_key or "")


def error_message(error: ErrorInfo | None) -> str | None:
    """The innermost cause's message, without Dagster's wrapper text and class path."""
    if error is None:
        return None
    while error.cause is not None:
        error = error.cause
    text = error.message.strip()
    if error.cls_name and ":" in text.split("\n", 1)[0]:
        text = text.split(":", 1)[1].strip()
    return text or error.cls_name


def worker_crash(message: str | None) -> str | None:
    """From an engine event's text, the code server's note that the run's worker process died, as
    its first sentence: the fact, without the guess that follows ("This usually indicates ...")."""
    text = re.sub(r"^\[[A-Za-z]+\]\s*", "", (message or "").strip())
    if not text.startswith(WORKER_CRASH_PREFIX):
        return None
    return text.split(". ", 1)[0].rstrip(".") + "."


def worker_pid(entry: dg.EventLogEntry) -> int | None:
    """The pid of an engine event that names the run worker's process, else None."""
    event = entry.dagster_event
    if event is None or event.event_type != dg.DagsterEventType.ENGINE_EVENT or event.step_key:
        return None
    value = event.engine_event_data.metadata.get(WORKER_PID_KEY)
    text = getattr(value, "value", value)
    return int(text) if isinstance(text, str | int) and str(text).isdigit() else None


def sensor_is_stopped(instance: dg.DagsterInstance, name: str) -> bool:
    """Whether the sensor `name` has been stopped (in the UI or by the CLI)."""
    return any(
        state.name == name and state.instigator_type.value == SENSOR_INSTIGATOR and not state.is_running
        for state in instance.all_instigator_state()
    )
