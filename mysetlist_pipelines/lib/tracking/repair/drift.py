"""Queries and repairs for what events miss: open targets to check against Dagster, requests Dagster
never turned into runs, rows pending too long, rows edited behind the pipelines' back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import Connection

from ...redaction import redact_error
from ..intake.launches import Launch, clamp_priority, retries_allowed
from ..locks import lock_jobs
from ..progress.rollup import rollup
from ..state_rows import Target, load_targets


def open_targets(conn: Connection, limit: int, after: tuple[str, str] | None = None) -> list[Target]:
    """One keyset page of the targets not yet settled, in key order after `after` (None: from the
    start). Key order, not `updated_at`: checking a target that stays open changes nothing, so an
    oldest-first page would show the same rows every tick and never reach the rest; the caller
    passes the last key it handled and starts over when a page comes back short."""
    job_id, pk = after or ("", "")
    return load_targets(
        conn,
        "status IN ('queued', 'running', 'retrying') AND (job_id, partition_key) > (%s, %s) "
        "ORDER BY job_id, partition_key LIMIT %s",
        (job_id, pk, limit),
    )


def unlinked_launches(conn: Connection, older_than_seconds: float, limit: int) -> list[tuple[Launch, int]]:
    """Requested targets that no run has claimed for a while, as the launches to re-issue (with how
    many times each was issued already)."""
    rows = conn.execute(
        "SELECT t.job_id, t.partition_key, j.job_type, t.run_key, j.priority, j.auto_retry, j.max_retries, "
        "t.request_count FROM pipelines.sync_job_targets t JOIN sync_jobs j ON j.id = t.job_id "
        "WHERE t.status = 'queued' AND t.run_id IS NULL AND t.run_key IS NOT NULL "
        "AND t.requested_at < now() - make_interval(secs => %s) ORDER BY t.requested_at LIMIT %s",
        (older_than_seconds, limit),
    ).fetchall()
    return [
        (Launch(r[0], r[1], r[2], r[3], clamp_priority(r[4]), retries_allowed(r[5], r[6])), r[7])
        for r in rows
    ]


def mark_reissued(conn: Connection, launches: list[Launch]) -> None:
    if launches:
        conn.execute(
            "UPDATE pipelines.sync_job_targets t SET request_count = request_count + 1, "
            "requested_at = now(), updated_at = now() FROM unnest(%s::text[], %s::text[]) AS v(job_id, pk) "
            "WHERE t.job_id = v.job_id AND t.partition_key = v.pk",
            ([x.job_id for x in launches], [x.partition_key for x in launches]),
        )


def abandon_targets(conn: Connection, keys: list[tuple[str, str]], error: str) -> list[str]:
    """Fail open targets that no run will ever settle (the run vanished, or never came)."""
    if not keys:
        return []
    jobs, pks = [k[0] for k in keys], [k[1] for k in keys]
    error = redact_error(error) or "the run was lost"
    with conn.transaction():
        lock_jobs(conn, jobs)
        params = {"jobs": jobs, "pks": pks, "error": error}
        mine = "(job_id, partition_key) IN (SELECT * FROM unnest(%(jobs)s::text[], %(pks)s::text[]))"
        conn.execute(
            "UPDATE pipelines.sync_step_state SET status = 'failed', ended_at = now(), updated_at = now(), "
            "error = CASE WHEN status = 'in_progress' THEN %(error)s END, "
            "message = CASE WHEN status = 'in_progress' THEN 'failed' ELSE 'not run: ' || %(error)s END "
            f"WHERE {mine} AND status IN ('pending', 'in_progress')",
            params,
        )
        conn.execute(
            "UPDATE pipelines.sync_job_targets SET status = 'failed', error = %(error)s, ended_at = now(), "
            f"updated_at = now() WHERE {mine} AND status IN ('queued', 'running', 'retrying')",
            params,
        )
        rollup(conn, jobs)
    return sorted(set(jobs))


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


def runs_still_tracked(conn: Connection, run_ids: list[str]) -> set[str]:
    """The runs among `run_ids` an open target still points to (as its run or its lineage's root):
    run retention keeps them, or the reconciliation would take them for vanished."""
    if not run_ids:
        return set()
    rows = conn.execute(
        "SELECT run_id FROM pipelines.sync_job_targets WHERE status IN ('queued', 'running', 'retrying') "
        "AND run_id = ANY(%s) UNION SELECT root_run_id FROM pipelines.sync_job_targets "
        "WHERE status IN ('queued', 'running', 'retrying') AND root_run_id = ANY(%s)",
        (run_ids, run_ids),
    ).fetchall()
    return {r[0] for r in rows}


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
