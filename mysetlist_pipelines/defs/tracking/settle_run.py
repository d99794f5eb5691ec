"""Dagster runs as the plain data lib/tracking works on, and settling a run that has ended."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.dagster_tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    AUTO_RETRY_RUN_ID_TAG,
    PARTITION_TAG,
    WILL_RETRY_TAG,
)
from mysetlist_pipelines.lib.steps import STEP_BY_ASSET
from mysetlist_pipelines.lib.tracking.run_tags import FAILURE_RECORD_TAG

from ..artists.partitions import artists_partitions
from ..dagster_compat import asset_of_step, error_message, worker_crash

FINISHED = {
    dg.DagsterRunStatus.SUCCESS: "success",
    dg.DagsterRunStatus.FAILURE: "failure",
    dg.DagsterRunStatus.CANCELED: "canceled",
}


def partition_keys_of(run: dg.DagsterRun, instance: dg.DagsterInstance | None) -> tuple[str, ...]:
    tags = run.tags
    if tags.get(PARTITION_TAG):
        return (tags[PARTITION_TAG],)
    if tags.get(tracking.BATCH_TAG):
        # A fleet batch: its rows are found by batch id (lib/tracking/settle/run_targets.resolve_targets), so its
        # range is never resolved against every artist partition.
        return ()
    start, end = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if start and end and instance is not None:
        # Dagster 1.13 takes the dynamic partitions store from the loading context, not an argument.
        with dg.partition_loading_context(dynamic_partitions_store=instance):
            return tuple(artists_partitions.get_partition_keys_in_range(dg.PartitionKeyRange(start, end)))
    return ()


def run_info(
    run: dg.DagsterRun, instance: dg.DagsterInstance | None = None, partition_keys: Sequence[str] = ()
) -> tracking.RunInfo:
    selection = run.asset_selection
    return tracking.RunInfo(
        run_id=run.run_id,
        job_name=run.job_name,
        tags=dict(run.tags),
        partition_keys=tuple(partition_keys) or partition_keys_of(run, instance),
        asset_names=tuple(k.path[-1] for k in selection) if selection else None,
        root_run_id=run.root_run_id,
        parent_run_id=run.parent_run_id,
    )


def is_sync_run(info: tracking.RunInfo) -> bool:
    """A run the app tracks: requested for a job, or one syncing artist partitions (not a failure
    record of a batch's artist: lib/fleet/failure_records.py)."""
    if FAILURE_RECORD_TAG in info.tags:
        return False
    return bool(info.sync_job_id or info.batch_id or (info.partition_keys and info.steps()))


def run_outcome(instance: dg.DagsterInstance, run: dg.DagsterRun) -> tracking.RunOutcome:
    materialized: dict[str | None, set[str]] = {}
    step_errors: dict[str, str] = {}
    run_error: str | None = None
    crash: str | None = None
    types = {
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.STEP_FAILURE,
        dg.DagsterEventType.RUN_FAILURE,
        dg.DagsterEventType.ENGINE_EVENT,
    }
    for entry in instance.all_logs(run.run_id, of_type=types):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.step_materialization_data.materialization
            name = mat.asset_key.path[-1]
            if name in STEP_BY_ASSET:
                materialized.setdefault(mat.partition, set()).add(name)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            asset = asset_of_step(event.step_key)
            data = event.step_failure_data
            text = (data.user_failure_data.description if data.user_failure_data else None) or error_message(
                data.error
            )
            if asset and text:
                step_errors[asset] = text
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            run_error = entry.message or run_error
        elif note := worker_crash(entry.message):
            crash = note  # the code server's note that the run's worker process died
    record = instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record and record.end_time else None
    return tracking.RunOutcome(
        status=FINISHED[run.status],  # type: ignore[arg-type]
        ended_at=datetime.fromtimestamp(ended, UTC) if ended else datetime.now(UTC),
        will_retry=run.tags.get(WILL_RETRY_TAG) == "true",
        retry_run_id=run.tags.get(AUTO_RETRY_RUN_ID_TAG),
        materialized={k: frozenset(v) for k, v in materialized.items()},
        step_errors=step_errors,
        run_error=crash or run_error,
    )


# Dagster stores a run's FAILURE, then (in the same process, a moment later) its `dagster/will_retry`
# tag; the daemon adds the tag itself if that process died in between.
RETRY_DECISION_WAIT_SECONDS = 3.0


def retry_undecided(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """A failed run whose `dagster/will_retry` is not written yet (run retries are on)."""
    return (
        run.status == dg.DagsterRunStatus.FAILURE
        and WILL_RETRY_TAG not in run.tags
        and instance.run_retries_enabled
    )


def _with_retry_decision(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dg.DagsterRun:
    """`run` re-read until Dagster has decided whether it retries (or the short wait is over)."""
    deadline = time.monotonic() + RETRY_DECISION_WAIT_SECONDS
    while retry_undecided(instance, run) and time.monotonic() < deadline:
        time.sleep(0.2)
        run = instance.get_run_by_id(run.run_id) or run
    return run


def settle_run(
    conn: psycopg.Connection,
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    undecided_is_final: bool = False,
) -> list[str]:
    """Write the end of a finished run (idempotent); returns the job ids it concerned.

    A failed run whose retry Dagster has not decided yet is left open (the reconciliation settles it
    later): settling it as final would show the app `failed`, then `in_progress` again once the retry
    starts. `undecided_is_final`: the reconciliation's last resort, long after the run ended."""
    if run.status not in FINISHED:
        return []
    run = _with_retry_decision(instance, run)
    if retry_undecided(instance, run) and not undecided_is_final:
        return []
    info = run_info(run, instance)
    if not is_sync_run(info) or not tracking.needs_settling(conn, info):
        return []
    return tracking.finish_run(conn, info, run_outcome(instance, run))
