"""Write the app's tracking rows from the pipelines' state, in bulk, touching only what differs.

Called (under the jobs' locks) after every state change, and by the reconciliation for any job whose
rows may have drifted. A job the app has set back to `pending` is left alone: that is a new request,
which the pending-jobs sensor will pick up. A finished job (`completed`, `failed`, `partial`,
`cancelled`) is left alone too: the app may show, copy or compare a finished row, so once written it
never changes again (only the app setting it back to `pending` starts it over).

`metadata` belongs to the app: when it is an object (or SQL NULL) the project adds its own keys under
`pipelines` (partition keys, run ids); any other value (array, string, number, JSON null) is kept as
it is, value and type, and those keys stay only in `pipelines.sync_job_targets` (one row per partition
key, with its `run_id`), where the app can join them by `job_id`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from ..records import STEP_COLUMNS, TARGET_COLUMNS, StepState, Target
from ..settle.cancellation import close_cancelled
from .import_view import import_view
from .job_view import job_view
from .step_views import progress_views

# sync_jobs statuses a rollup never rewrites: a new request (`pending`) and every finished row. A row
# the app has just cancelled is not finished yet: its rollup closes it once (sets `completed_at`).
FROZEN_JOB_STATUSES = ("pending", "completed", "failed", "partial", "cancelled")
_OPEN = "(j.status <> ALL(%s::text[]) OR (j.status = 'cancelled' AND j.completed_at IS NULL))"


def load_targets(conn: psycopg.Connection, where: str, params: tuple[object, ...]) -> list[Target]:
    with conn.cursor(row_factory=class_row(Target)) as cur:
        return cur.execute(
            f"SELECT {TARGET_COLUMNS} FROM pipelines.sync_job_targets WHERE {where}", params
        ).fetchall()


def load_steps(conn: psycopg.Connection, job_ids: list[str]) -> list[StepState]:
    with conn.cursor(row_factory=class_row(StepState)) as cur:
        return cur.execute(
            f"SELECT {STEP_COLUMNS} FROM pipelines.sync_step_state WHERE job_id = ANY(%s)", (job_ids,)
        ).fetchall()


def rollup(conn: psycopg.Connection, job_ids: Iterable[str]) -> int:
    """Bring the jobs' sync_jobs, sync_progress, import_status and artists.import_status in line with
    the state tables; returns how many sync_jobs rows changed. Call inside the jobs' locks."""
    ids = sorted(set(job_ids))
    if not ids:
        return 0
    # Learn the artists rows that profile syncs have linked since the targets were created.
    conn.execute(
        "UPDATE pipelines.sync_job_targets t SET artist_id = k.artist_id FROM pipelines.artist_keys k "
        "WHERE t.job_id = ANY(%s) AND t.artist_id IS NULL AND k.partition_key = t.partition_key "
        "AND k.artist_id IS NOT NULL",
        (ids,),
    )
    jobs = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT id, status, started_at, entity_type, entity_id, metadata->>'source' FROM sync_jobs j "
            f"WHERE id = ANY(%s) AND {_OPEN}",
            (ids, list(FROZEN_JOB_STATUSES)),
        )
    }
    ids = [i for i in ids if i in jobs]
    # The app's `cancelled` wins over whatever the run reports: close its state first (lib/tracking/settle/cancellation.py).
    close_cancelled(conn, [i for i in ids if jobs[i][0] == "cancelled"])
    targets: dict[str, list[Target]] = defaultdict(list)
    for t in load_targets(conn, "job_id = ANY(%s)", (ids,)):
        targets[t.job_id].append(t)
    steps: dict[str, list[StepState]] = defaultdict(list)
    for s in load_steps(conn, ids):
        steps[s.job_id].append(s)

    job_rows, progress_rows = [], []
    for job_id in ids:
        if not targets[job_id]:
            continue  # rejected at claim time, or not claimed: nothing to derive
        _, started_at, entity_type, entity_id, source = jobs[job_id]
        view = job_view(targets[job_id], steps[job_id], started_at)
        entity = entity_id
        artist_ids = {t.artist_id for t in targets[job_id]} - {None}
        if source == "dagster" and entity_type == "artist" and len(artist_ids) == 1:
            entity = artist_ids.pop()  # rows we created before the artist existed
        meta = {
            "pipelines": {
                "partition_keys": sorted(t.partition_key for t in targets[job_id]),
                "run_ids": sorted({t.run_id for t in targets[job_id] if t.run_id}),
            }
        }
        job_rows.append((job_id, *view.__dict__.values(), entity, Jsonb(meta)))
        for p in progress_views(steps[job_id]):
            progress_rows.append((job_id, *p.__dict__.values()))

    changed = _write_jobs(conn, job_rows)
    _write_progress(conn, progress_rows)
    _write_imports(conn, {t.artist_id for ts in targets.values() for t in ts} - {None})
    return changed


def _write_jobs(conn: psycopg.Connection, rows: list[tuple[object, ...]]) -> int:
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
        + _OPEN
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


def _write_progress(conn: psycopg.Connection, rows: list[tuple[object, ...]]) -> None:
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


def _write_imports(conn: psycopg.Connection, artist_ids: set[str]) -> None:
    """Each artist's banner follows its most recently requested target, whichever job it belongs to."""
    if not artist_ids:
        return
    latest = load_targets(
        conn,
        "(artist_id, requested_at, job_id) IN (SELECT DISTINCT ON (artist_id) artist_id, requested_at, "
        "job_id FROM pipelines.sync_job_targets WHERE artist_id = ANY(%s::uuid[]) "
        "ORDER BY artist_id, requested_at DESC, job_id DESC)",
        (sorted(artist_ids),),
    )
    steps: dict[tuple[str, str], list[StepState]] = defaultdict(list)
    for s in load_steps(conn, sorted({t.job_id for t in latest})):
        steps[(s.job_id, s.partition_key)].append(s)
    views = [v for t in latest if (v := import_view(t, steps[(t.job_id, t.partition_key)]))]
    if not views:
        return
    cols = list(zip(*(v.__dict__.values() for v in views), strict=True))
    conn.execute(
        """
        INSERT INTO import_status AS i (artist_id, stage, progress, message, error, completed_at)
        SELECT a, s, p, m, e, c FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[], %s::text[],
                                            %s::timestamptz[], %s::text[]) AS v(a, s, p, m, e, c, x)
        ON CONFLICT (artist_id) DO UPDATE SET stage = EXCLUDED.stage, progress = EXCLUDED.progress,
            message = EXCLUDED.message, error = EXCLUDED.error, completed_at = EXCLUDED.completed_at,
            updated_at = now()
        WHERE (i.stage, i.progress, i.message, i.error, i.completed_at) IS DISTINCT FROM
              (EXCLUDED.stage, EXCLUDED.progress, EXCLUDED.message, EXCLUDED.error, EXCLUDED.completed_at)
        """,
        [list(c) for c in cols],
    )
    # Only the status column: the artists row's updated_at belongs to the data syncs.
    conn.execute(
        "UPDATE artists a SET import_status = v.s FROM unnest(%s::uuid[], %s::text[]) AS v(id, s) "
        "WHERE a.id = v.id AND a.import_status IS DISTINCT FROM v.s",
        ([v.artist_id for v in views], [v.artist_status for v in views]),
    )
