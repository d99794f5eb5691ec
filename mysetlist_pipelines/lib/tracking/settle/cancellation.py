"""Cancellation: the app sets `sync_jobs.status = 'cancelled'` on a pending or in-progress row.

The app's row is the request; the pipelines' state follows it here. Every rollup first closes the
state of rows the app has cancelled (`close_cancelled`), so no writer (a step reporting from inside the
run, a run-status sensor, the reconciliation) can put an `in_progress` back over the app's `cancelled`.
The cancellation sensor (defs/sensors/cancel.py) calls `absorb_cancellations` every tick, for rows no
other writer touches (a queued run, a pending row), and stops the Dagster runs of `cancelled_jobs`.

What a cancelled job looks like afterwards: `status = cancelled`, `completed_at` set, `error` saying
who cancelled it; its unfinished steps `failed` with the message `cancelled`; finished steps (and the
data they wrote) stay. A run terminated in Dagster (the UI's Terminate) ends its rows the same way,
with an error naming the run (see `cancelled_in_dagster`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import Connection

from ..locks import lock_jobs

STEP_MESSAGE = "cancelled"
BY_APP = "cancelled by the app"
BY_APP_BEFORE_START = "cancelled by the app before it started"
# `mysetlist jobs cancel` writes this itself, so the row says an operator did it, not the app.
BY_OPERATOR = "cancelled by an operator (mysetlist jobs cancel)"
_IN_DAGSTER_PREFIX = "cancelled in Dagster"


def cancelled_in_dagster(run_id: str) -> str:
    return f"{_IN_DAGSTER_PREFIX}: run {run_id} was terminated"


# A cancelled row is a request to cancel unless the pipelines wrote it themselves, after a run was
# terminated in Dagster: a re-execution of that run from the UI may then reopen the job.
_REQUESTED = f"j.status = 'cancelled' AND (j.error IS NULL OR j.error NOT LIKE '{_IN_DAGSTER_PREFIX}%%')"


def close_cancelled(conn: Connection, job_ids: Sequence[str]) -> list[str]:
    """Close the open targets and unfinished steps of those `job_ids` whose row the app has
    cancelled; returns the job ids it closed. Call inside the jobs' locks (rollup does)."""
    if not job_ids:
        return []
    closed = conn.execute(
        "UPDATE pipelines.sync_job_targets t SET status = 'canceled', "
        "error = COALESCE(NULLIF(j.error, ''), %s), ended_at = now(), updated_at = now() "
        f"FROM sync_jobs j WHERE j.id = t.job_id AND t.job_id = ANY(%s) AND {_REQUESTED} "
        "AND t.status IN ('queued', 'running', 'retrying') RETURNING t.job_id, t.partition_key",
        (BY_APP, list(job_ids)),
    ).fetchall()
    if not closed:
        return []
    conn.execute(
        "UPDATE pipelines.sync_step_state s SET status = 'failed', message = %s, error = NULL, "
        "provider = NULL, ended_at = now(), updated_at = now() "
        "FROM unnest(%s::text[], %s::text[]) AS v(job_id, pk) "
        "WHERE s.job_id = v.job_id AND s.partition_key = v.pk AND s.status IN ('pending', 'in_progress')",
        (STEP_MESSAGE, [c[0] for c in closed], [c[1] for c in closed]),
    )
    return sorted({c[0] for c in closed})


def absorb_cancellations(conn: Connection, limit: int = 200) -> list[str]:
    """Settle the rows the app has cancelled and the pipelines have not closed yet; returns their ids.

    A row cancelled before it was claimed has no state: it only gets `completed_at` and its `error`
    (the pending-jobs sensor only takes `pending` rows, so it is never launched)."""
    from ..progress.rollup import rollup  # rollup imports close_cancelled from here

    with conn.transaction():
        never_started = conn.execute(
            "UPDATE sync_jobs j SET completed_at = now(), error = COALESCE(NULLIF(j.error, ''), %s), "
            "current_step = NULL, updated_at = now() WHERE j.status = 'cancelled' AND j.completed_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pipelines.sync_job_targets t WHERE t.job_id = j.id) RETURNING j.id",
            (BY_APP_BEFORE_START,),
        ).fetchall()
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT t.job_id FROM pipelines.sync_job_targets t JOIN sync_jobs j ON j.id = t.job_id "
                f"WHERE {_REQUESTED} AND t.status IN ('queued', 'running', 'retrying') LIMIT %s",
                (limit,),
            )
        ]
        if ids:
            lock_jobs(conn, ids)
            rollup(conn, ids)  # closes them (close_cancelled) and writes the rows
    return sorted({r[0] for r in never_started} | set(ids))


@dataclass(frozen=True)
class CancelledJob:
    job_id: str
    run_ids: tuple[str, ...]


def cancelled_jobs(conn: Connection, within_seconds: float, limit: int = 200) -> list[CancelledJob]:
    """Jobs cancelled on request in the last `within_seconds`, with the runs their targets knew:
    the runs to stop (a run requested just before the cancel may still be created later, so the
    sensor also looks their runs up by tag)."""
    rows = conn.execute(
        "SELECT j.id, array_remove(array_agg(DISTINCT t.run_id), NULL) FROM sync_jobs j "
        "LEFT JOIN pipelines.sync_job_targets t ON t.job_id = j.id "
        f"WHERE {_REQUESTED} AND j.completed_at > now() - make_interval(secs => %s) "
        "GROUP BY j.id ORDER BY j.id LIMIT %s",
        (within_seconds, limit),
    ).fetchall()
    return [CancelledJob(r[0], tuple(r[1] or ())) for r in rows]


@dataclass(frozen=True)
class CancelResult:
    job_id: str
    before: str | None  # the row's status before, None when there is no such row
    cancelled: bool


def request_cancel(conn: Connection, job_id: str, error: str = BY_OPERATOR) -> CancelResult:
    """What the app does (`UPDATE sync_jobs SET status = 'cancelled'` on a pending or in-progress
    row), saying who asked. A finished or already cancelled row is left as it is."""
    with conn.transaction():
        row = conn.execute("SELECT status FROM sync_jobs WHERE id = %s FOR UPDATE", (job_id,)).fetchone()
        if row is None:
            return CancelResult(job_id, None, False)
        if row[0] not in ("pending", "in_progress"):
            return CancelResult(job_id, row[0], False)
        conn.execute(
            "UPDATE sync_jobs SET status = 'cancelled', error = %s, updated_at = now() WHERE id = %s",
            (error, job_id),
        )
    return CancelResult(job_id, row[0], True)
