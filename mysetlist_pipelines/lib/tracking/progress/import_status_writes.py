"""The rollup's writes of each artist's banner: `import_status` and `artists.import_status`, following
the artist's most recently requested target, whichever job it belongs to.

Apart from the job rows (job_row_writes.py) because the banner is per artist: it reads the artist's
latest target across jobs, not the jobs being rolled up.
"""

from __future__ import annotations

from collections import defaultdict

import psycopg

from ..state_rows import StepState, load_steps, load_targets
from .import_view import import_view


def write_imports(conn: psycopg.Connection, artist_ids: set[str]) -> None:
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
