"""The writes of a claim: a claimed row's targets, pending steps and `in_progress` status; a rejected
row's `failed` status (what was left of its earlier runs removed).

Apart from the claim (claim.py), which decides, because these are its only statements on the tracking
tables and `insert_steps` is shared with the rows the pipelines open themselves (created.py).
"""

from __future__ import annotations

import psycopg

from ...steps import steps_for
from ..state_rows import STEP_POSITION
from .launches import Rejection
from .pending_rows import PendingRow


def write_claims(
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


def write_rejections(conn: psycopg.Connection, rejections: list[Rejection]) -> None:
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
