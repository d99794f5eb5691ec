"""The drift of the app's rows: jobs whose rows may disagree with the pipelines' state (the newest, or
a keyset page of all), rewriting whatever differs, and rows pending too long.

Apart from the lost runs (lost_runs.py), which repair the state against Dagster; this repairs the app's
rows against the state (the same rollup every writer uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import Connection

from ..locks import lock_jobs
from ..progress.rollup import rollup


def drift_candidates(conn: Connection, window_hours: float, limit: int) -> list[str]:
    """Jobs whose app rows may disagree with the state: every open one, and those settled recently."""
    rows = conn.execute(
        "SELECT id FROM ("
        "  SELECT j.id, j.updated_at FROM sync_jobs j WHERE j.status = 'in_progress' "
        "  UNION SELECT t.job_id, t.updated_at FROM pipelines.sync_job_targets t "
        "  WHERE t.updated_at > now() - make_interval(hours => %s::int) "
        ") AS c GROUP BY id ORDER BY max(updated_at) DESC LIMIT %s",
        (max(1, round(window_hours)), limit),
    ).fetchall()
    return [r[0] for r in rows]


def drift_page(conn: Connection, window_hours: float, after: str | None, limit: int) -> list[str]:
    """One keyset page (by id, after `after`) of the same candidates as `drift_candidates`: the sweep
    that reaches every open job however many there are, where `drift_candidates` takes the newest."""
    rows = conn.execute(
        "SELECT id FROM ("
        "  SELECT j.id FROM sync_jobs j WHERE j.status = 'in_progress' AND j.id > %s "
        "  UNION SELECT t.job_id FROM pipelines.sync_job_targets t "
        "  WHERE t.updated_at > now() - make_interval(hours => %s::int) AND t.job_id > %s "
        ") AS c ORDER BY id LIMIT %s",
        (after or "", max(1, round(window_hours)), after or "", limit),
    ).fetchall()
    return [r[0] for r in rows]


def repair(conn: Connection, job_ids: list[str]) -> int:
    """Rewrite whatever differs from the state; returns the number of sync_jobs rows corrected.
    An in_progress row with no state at all (claimed by nobody) is failed with a clear error."""
    if not job_ids:
        return 0
    with conn.transaction():
        lock_jobs(conn, job_ids)
        orphans = conn.execute(
            "UPDATE sync_jobs j SET status = 'failed', completed_at = now(), updated_at = now(), "
            "error = 'marked in_progress, but no run was ever requested for it: set it back to pending "
            "to ask again' WHERE j.id = ANY(%s) AND j.status = 'in_progress' "
            "AND NOT EXISTS (SELECT 1 FROM pipelines.sync_job_targets t WHERE t.job_id = j.id)",
            (job_ids,),
        ).rowcount
        return orphans + rollup(conn, job_ids)


@dataclass(frozen=True)
class PendingBacklog:
    count: int
    oldest: datetime | None


def pending_backlog(conn: Connection, older_than_seconds: float) -> PendingBacklog:
    row = conn.execute(
        "SELECT count(*), min(created_at) FROM sync_jobs WHERE status = 'pending' "
        "AND created_at < now() - make_interval(secs => %s)",
        (older_than_seconds,),
    ).fetchone()
    return PendingBacklog(row[0], row[1]) if row else PendingBacklog(0, None)
