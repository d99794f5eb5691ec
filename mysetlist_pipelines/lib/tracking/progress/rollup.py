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

This module derives what to write (job_view.py, step_views.py, import_view.py) and writes it through
job_row_writes.py and import_status_writes.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import psycopg
from psycopg.types.json import Jsonb

from ..settle.cancellation import close_cancelled
from ..state_rows import StepState, Target, load_steps, load_targets
from .import_status_writes import write_imports
from .job_row_writes import FROZEN_JOB_STATUSES, OPEN_JOB, write_jobs, write_progress
from .job_view import job_view
from .step_views import progress_views


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
            f"WHERE id = ANY(%s) AND {OPEN_JOB}",
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

    changed = write_jobs(conn, job_rows)
    write_progress(conn, progress_rows)
    write_imports(conn, {t.artist_id for ts in targets.values() for t in ts} - {None})
    return changed
