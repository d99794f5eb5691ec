"""The rollup's writes of a job's own rows: `sync_jobs` (only where a value differs, never a frozen
row, the app's `metadata` kept unless it is an object or NULL) and its `sync_progress` rows.

Apart from the rollup (rollup.py), which derives what to write, because these statements are the
contract with the app's tables and their rules (frozen statuses, metadata) sit together here.
"""

from __future__ import annotations

import psycopg

# sync_jobs statuses a rollup never rewrites: a new request (`pending`) and every finished row. A row
# the app has just cancelled is not finished yet: its rollup closes it once (sets `completed_at`).
FROZEN_JOB_STATUSES = ("pending", "completed", "failed", "partial", "cancelled")
OPEN_JOB = "(j.status <> ALL(%s::text[]) OR (j.status = 'cancelled' AND j.completed_at IS NULL))"


def write_jobs(conn: psycopg.Connection, rows: list[tuple[object, ...]]) -> int:
    if not rows:
        return 0
    cols = list(zip(*rows, strict=True))
    cur = conn.execute(
        """
        UPDATE sync_jobs j SET status = v.status, total_steps = v.total, completed_steps = v.done,
            current_step = v.cur, error = v.error, completed_at = v.completed_at,
            retry_count = v.retries, started_at = v.started_at, entity_id = v.entity,
            metadata = CASE WHEN j.metadata IS NULL OR jsonb_typeof(j.metadata) = 'object'
                THEN COALESCE(j.metadata, '{}'::jsonb) || v.meta ELSE j.metadata END,
            updated_at = now()
        FROM unnest(%s::text[], %s::text[], %s::int[], %s::int[], %s::text[], %s::text[],
                    %s::timestamptz[], %s::int[], %s::timestamptz[], %s::text[], %s::jsonb[])
            AS v(id, status, total, done, cur, error, completed_at, retries, started_at, entity, meta)
        WHERE j.id = v.id AND """
        + OPEN_JOB
        + """
          AND (j.status, j.total_steps, j.completed_steps, j.current_step, j.error, j.completed_at,
               j.retry_count, j.started_at, j.entity_id,
               -- A value that is not an object never takes our keys: nothing to write for it.
               CASE WHEN j.metadata IS NULL OR jsonb_typeof(j.metadata) = 'object'
                    THEN COALESCE(j.metadata, '{}'::jsonb) @> v.meta ELSE true END)
              IS DISTINCT FROM
              (v.status, v.total, v.done, v.cur, v.error, v.completed_at, v.retries, v.started_at,
               v.entity, true)
        """,
        [*(list(c) for c in cols), list(FROZEN_JOB_STATUSES)],
    )
    return cur.rowcount


def write_progress(conn: psycopg.Connection, rows: list[tuple[object, ...]]) -> None:
    if not rows:
        return
    cols = list(zip(*rows, strict=True))
    conn.execute(
        """
        INSERT INTO sync_progress AS p (job_id, step, status, progress, message, total_items,
            processed_items, successful_items, failed_items)
        SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::text[], %s::int[],
                             %s::int[], %s::int[], %s::int[])
        ON CONFLICT (job_id, step) DO UPDATE SET status = EXCLUDED.status,
            progress = EXCLUDED.progress, message = EXCLUDED.message,
            total_items = EXCLUDED.total_items, processed_items = EXCLUDED.processed_items,
            successful_items = EXCLUDED.successful_items, failed_items = EXCLUDED.failed_items,
            updated_at = now()
        WHERE (p.status, p.progress, p.message, p.total_items, p.processed_items,
               p.successful_items, p.failed_items) IS DISTINCT FROM
              (EXCLUDED.status, EXCLUDED.progress, EXCLUDED.message, EXCLUDED.total_items,
               EXCLUDED.processed_items, EXCLUDED.successful_items, EXCLUDED.failed_items)
        """,
        [list(c) for c in cols],
    )
