"""Failure records: Dagster's partition status for the artists a batch run failed.

A batch run (a partition range with `dagster/defer_asset_events`, lib/fleet/batches.py) records one
materialization per artist it synced; an artist that failed gets none, so the UI shows it *missing*,
not *failed*. Dagster 1.13 OSS marks a partition failed only when a run that planned it ended in
failure (its status cache reads the latest ASSET_MATERIALIZATION_PLANNED event without a later
materialization, and the run's status); failure events (`ASSET_FAILED_TO_MATERIALIZE`) are not
stored by the OSS event storages, and user code cannot log planned events. So each failed artist
gets a *failure record*: a single-partition run of the assets whose steps failed, tagged
`mysetlist/failure_record` = its sync_jobs id, that fails at once with the step's recorded error:
no provider call, no write, no retry, and no sync_jobs row (it is not a sync run). Its failure is
what makes Dagster's failed view match the row; the next real sync of the artist clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from ..tracking.state_rows import FINAL_TARGET_STATUSES


@dataclass(frozen=True)
class FailedArtist:
    job_id: str
    partition_key: str
    batch_id: str
    run_id: str | None
    job_name: str
    steps: list[str]  # the steps that failed, in order
    updated_at: datetime


def failed_batch_artists(conn: psycopg.Connection, since: datetime, limit: int) -> list[FailedArtist]:
    """Artists of batch runs that ended with steps failed (not cancelled), their target last
    changed at or after `since`, oldest first."""
    rows = conn.execute(
        "SELECT t.job_id, t.partition_key, t.batch_id, t.run_id, b.job_name, "
        "array_agg(s.step ORDER BY s.position), t.updated_at "
        "FROM pipelines.sync_job_targets t "
        "JOIN pipelines.fleet_batches b ON b.batch_id = t.batch_id "
        "JOIN pipelines.sync_step_state s ON s.job_id = t.job_id AND s.partition_key = t.partition_key "
        "WHERE t.batch_id IS NOT NULL AND t.status = ANY(%s) AND s.status = 'failed' "
        "AND s.error IS NOT NULL AND s.error <> 'cancelled' AND t.updated_at >= %s "
        "GROUP BY t.job_id, t.partition_key, t.batch_id, t.run_id, b.job_name, t.updated_at "
        "ORDER BY t.updated_at, t.job_id LIMIT %s",
        ([s for s in FINAL_TARGET_STATUSES if s != "canceled"], since, limit),
    ).fetchall()
    return [FailedArtist(r[0], r[1], r[2], r[3], r[4], list(r[5]), r[6]) for r in rows]


def recorded_error(conn: psycopg.Connection, job_id: str, step: str) -> str | None:
    """The error a failed step of this job recorded (what its failure record says)."""
    row = conn.execute(
        "SELECT error FROM pipelines.sync_step_state WHERE job_id = %s AND step = %s AND status = 'failed' "
        "ORDER BY updated_at DESC LIMIT 1",
        (job_id, step),
    ).fetchone()
    return row[0] if row else None
