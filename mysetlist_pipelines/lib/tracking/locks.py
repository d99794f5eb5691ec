"""Per-job transaction locks: every change to a job's tracking state and the rollup that follows
happen under its lock, so a late writer can never put back an older picture of the job."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

# The two-key advisory lock space (class, key): this class keeps clear of the other lock users.
_LOCK_CLASS = 0x5359  # "SY"


def lock_jobs(conn: psycopg.Connection, job_ids: Iterable[str]) -> None:
    """Take the transaction-level locks of `job_ids`, in one statement, in a fixed order."""
    ids = sorted(set(job_ids))
    if not ids:
        return
    # The ordered subquery fixes the acquisition order, so two writers cannot deadlock.
    conn.execute(
        "SELECT pg_advisory_xact_lock(%s, k) FROM "
        "(SELECT DISTINCT hashtext(id) AS k FROM unnest(%s::text[]) AS id ORDER BY k) AS s",
        (_LOCK_CLASS, ids),
    )
