"""Pending `sync_jobs` rows become launches (or failures), once each, in one transaction.

Rows are taken highest priority first, then oldest; a row waiting for longer than `AGING_SECONDS`
gains one priority level per period, so a flood of imports can delay fleet refreshes but never starve
them. Rows locked by another claimer are skipped, so two claimers never take the same row.

A request that would open a new artist partition while an earlier one that may be the same artist
is still settling its identity (two same-second requests by a Spotify id and a Ticketmaster id)
stays `pending` for that pass, and lands on the earlier partition once its profile has linked the
ids (artist_keys.settling_rival): one artists row, one partition, both jobs completed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field

import psycopg
from psycopg.rows import class_row

from ... import artist_keys
from ...redaction import redact_error
from ...steps import steps_for
from ..locks import lock_jobs
from ..progress.rollup import rollup
from ..records import (
    ARTIST_TAG,
    MAX_RETRIES_TAG,
    PRIORITY_TAG,
    RETRY_STRATEGY_TAG,
    STEP_POSITION,
    SYNC_JOB_TAG,
)
from .requests import PENDING_COLUMNS, BadRequest, PendingRow, artist_requests

log = logging.getLogger(__name__)

AGING_SECONDS = 600
MAX_RETRIES_CAP = 10
# sync_jobs.priority 1 (high) .. 3 (low) -> Dagster's run queue priority (higher runs first).
DAGSTER_PRIORITY = {1: 10, 2: 0, 3: -10}
DEFAULT_MAX_RETRIES = 3


@dataclass(frozen=True)
class Launch:
    """One run to request: the job's artist partition, under a run key unique to this request."""

    job_id: str
    partition_key: str
    job_type: str
    run_key: str
    priority: int
    max_retries: int

    @property
    def tags(self) -> dict[str, str]:
        return {
            SYNC_JOB_TAG: self.job_id,
            ARTIST_TAG: self.partition_key,
            PRIORITY_TAG: str(DAGSTER_PRIORITY[self.priority]),
            MAX_RETRIES_TAG: str(self.max_retries),
            RETRY_STRATEGY_TAG: "FROM_FAILURE",
        }


@dataclass(frozen=True)
class Rejection:
    job_id: str
    error: str


@dataclass
class Intake:
    launches: list[Launch]
    rejections: list[Rejection]
    # Rows left pending this pass: another request that may be the same artist is being settled.
    waiting: list[str] = field(default_factory=list)


def clamp_priority(priority: int | None) -> int:
    return min(3, max(1, priority if priority is not None else 2))


def retries_allowed(auto_retry: bool | None, max_retries: int | None) -> int:
    if auto_retry is False:
        return 0
    value = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
    return min(MAX_RETRIES_CAP, max(0, value))


def run_key(job_id: str, generation: int, partition_key: str | None) -> str:
    key = job_id if generation == 1 else f"{job_id}#{generation}"
    return f"{key}:{partition_key}" if partition_key else key


def claim_pending(conn: psycopg.Connection, limit: int, available: Collection[str] | None = None) -> Intake:
    """Take up to `limit` pending rows: launch the valid ones, fail the invalid ones with their error.
    `available`: the job types the code location can run (default: all of them)."""
    intake = Intake([], [])
    with conn.transaction():
        with conn.cursor(row_factory=class_row(PendingRow)) as cur:
            rows = cur.execute(
                f"SELECT {PENDING_COLUMNS} FROM sync_jobs WHERE status = 'pending' "
                "ORDER BY GREATEST(1, LEAST(3, COALESCE(priority, 2)) "
                "  - floor(extract(epoch FROM now() - created_at) / %s)::int), created_at, id "
                "LIMIT %s FOR UPDATE SKIP LOCKED",
                (AGING_SECONDS, limit),
            ).fetchall()
        if not rows:
            return intake
        lock_jobs(conn, [r.id for r in rows])
        planned: list[tuple[PendingRow, list[str]]] = []
        for row in rows:
            try:
                with conn.transaction():  # a savepoint: one bad row never aborts the others
                    wanted = artist_requests(conn, row)
                    if available is not None and row.job_type not in available:
                        raise BadRequest(
                            f"job_type {row.job_type!r} has no Dagster job in this code location "
                            f"(available: {', '.join(sorted(available)) or 'none'})"
                        )
                    try:
                        rival = _settling_rival(conn, row, wanted)
                        if rival is not None:
                            # Stays pending until the rival's profile has settled who it is.
                            log.info("sync job %s waits for partition %s to settle", row.id, rival)
                            intake.waiting.append(row.id)
                            continue
                        keys = artist_keys.register(conn, wanted)
                    except ValueError as exc:
                        raise BadRequest(str(exc)) from None
                    planned.append((row, list(dict.fromkeys(keys))))
            except BadRequest as exc:
                intake.rejections.append(Rejection(row.id, str(exc)))
            except Exception as exc:
                log.exception("sync job %s: could not read the request", row.id)
                intake.rejections.append(
                    Rejection(row.id, redact_error(f"could not read the request: {exc}") or "invalid request")
                )
        generations = dict(
            conn.execute(
                "SELECT job_id, max(generation) FROM pipelines.sync_job_targets WHERE job_id = ANY(%s) "
                "GROUP BY job_id",
                ([row.id for row, _ in planned],),
            ).fetchall()
        )
        targets: list[tuple[PendingRow, str, int, str]] = []
        for row, partition_keys in planned:
            generation = generations.get(row.id, 0) + 1
            for key in partition_keys:
                rk = run_key(row.id, generation, key if len(partition_keys) > 1 else None)
                targets.append((row, key, generation, rk))
                intake.launches.append(
                    Launch(
                        row.id,
                        key,
                        str(row.job_type),
                        rk,
                        clamp_priority(row.priority),
                        retries_allowed(row.auto_retry, row.max_retries),
                    )
                )
        _write_claims(conn, [row for row, _ in planned], targets)
        _write_rejections(conn, intake.rejections)
        rollup(conn, [row.id for row, _ in planned])
    return intake


def _settling_rival(
    conn: psycopg.Connection, row: PendingRow, wanted: list[artist_keys.ArtistRequest]
) -> str | None:
    """For an artist row: the partition of an earlier request that may be this same artist and whose
    profile is still settling (artist_keys.settling_rival); the row waits for it (issue 12, item 3)."""
    if row.entity_type != "artist" or len(wanted) != 1:
        return None
    return artist_keys.settling_rival(conn, wanted[0])


def _write_claims(
    conn: psycopg.Connection, rows: list[PendingRow], targets: list[tuple[PendingRow, str, int, str]]
) -> None:
    if not rows:
        return
    ids = [r.id for r in rows]
    # A job asked for again starts afresh: earlier targets, steps and progress rows go.
    conn.execute("DELETE FROM pipelines.sync_job_targets WHERE job_id = ANY(%s)", (ids,))
    conn.execute("DELETE FROM sync_progress WHERE job_id = ANY(%s)", (ids,))
    conn.execute(
        "INSERT INTO pipelines.sync_job_targets (job_id, partition_key, artist_id, generation, run_key) "
        "SELECT v.job_id, v.pk, k.artist_id, v.gen, v.rk "
        "FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[]) AS v(job_id, pk, gen, rk) "
        "LEFT JOIN pipelines.artist_keys k ON k.partition_key = v.pk",
        (
            [t[0].id for t in targets],
            [t[1] for t in targets],
            [t[2] for t in targets],
            [t[3] for t in targets],
        ),
    )
    step_rows = [
        (row.id, key, s.step, STEP_POSITION[s.step])
        for row, key, _, _ in targets
        for s in steps_for(str(row.job_type))
    ]
    insert_steps(conn, step_rows)
    conn.execute(
        "UPDATE sync_jobs SET status = 'in_progress', started_at = now(), completed_at = NULL, "
        "error = NULL, retry_count = 0, completed_steps = 0, current_step = NULL, updated_at = now() "
        "WHERE id = ANY(%s)",
        (ids,),
    )


def insert_steps(conn: psycopg.Connection, rows: list[tuple[str, str, str, int]]) -> None:
    """Pending step rows (job_id, partition_key, step, position)."""
    if rows:
        cols = [list(c) for c in zip(*rows, strict=True)]
        conn.execute(
            "INSERT INTO pipelines.sync_step_state (job_id, partition_key, step, position) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[]) ON CONFLICT DO NOTHING",
            cols,
        )


def _write_rejections(conn: psycopg.Connection, rejections: list[Rejection]) -> None:
    if rejections:
        ids = [r.job_id for r in rejections]
        # A rejected re-request keeps nothing of its earlier runs, so no rollup can revive them.
        conn.execute("DELETE FROM pipelines.sync_job_targets WHERE job_id = ANY(%s)", (ids,))
        conn.execute("DELETE FROM sync_progress WHERE job_id = ANY(%s)", (ids,))
        conn.execute(
            "UPDATE sync_jobs j SET status = 'failed', error = v.error, completed_at = now(), "
            "total_steps = 0, completed_steps = 0, current_step = NULL, updated_at = now() "
            "FROM unnest(%s::text[], %s::text[]) AS v(id, error) WHERE j.id = v.id",
            (ids, [r.error for r in rejections]),
        )
