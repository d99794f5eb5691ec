"""Targets whose runs events never reported: open targets to check against Dagster (a keyset page),
requests Dagster never turned into runs (to re-issue), targets no run will ever settle (to fail), and
the runs open targets still point to (run retention keeps them).

Apart from the drift of the app's rows (drift.py) because these repair the pipelines' own state
against Dagster's runs, not the app's rows against that state.
"""

from __future__ import annotations

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
