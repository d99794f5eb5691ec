"""What fleet work may not spend, read from the database: the app's requests waiting now (their
reserve) and what queued or running fleet work is still expected to spend (recent batches not
finished, imports schedules requested); and the marker schedules put on the imports they request.

Apart from the arithmetic (allowances.py, budget.py) because these are the planner's only queries.
"""

from __future__ import annotations

import math

import psycopg

from .work import IMPORT_CALLS, PROVIDERS, Calls

# Imports a schedule requested (lib/fleet/imports.py) carry this in sync_jobs.metadata.requested_by.
SCHEDULE_REQUEST = "schedule"


def app_requests_waiting(conn: psycopg.Connection) -> int:
    """Pending `sync_jobs` rows the app inserted (not those schedules inserted)."""
    row = conn.execute(
        "SELECT count(*) FROM sync_jobs WHERE status = 'pending' "
        "AND COALESCE(metadata->>'requested_by', '') <> %s",
        (SCHEDULE_REQUEST,),
    ).fetchone()
    return int(row[0]) if row else 0


def committed_calls(conn: psycopg.Connection) -> Calls:
    """Calls that queued or running fleet work is still expected to make: each recent batch's
    estimate in proportion to its artists not yet done, plus every open schedule-requested import."""
    total: Calls = dict.fromkeys(PROVIDERS, 0)
    rows = conn.execute(
        "SELECT b.expected_calls, o.open, o.total FROM pipelines.fleet_batches b "
        "CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE t.status IN ('queued', 'running', 'retrying')) "
        "  AS open, count(*) AS total FROM pipelines.sync_job_targets t WHERE t.batch_id = b.batch_id) o "
        "WHERE b.created_at > now() - interval '2 days' AND o.open > 0"
    ).fetchall()
    for expected, open_, all_ in rows:
        for provider, n in (expected or {}).items():
            if provider in total:
                total[provider] += math.ceil(int(n) * open_ / max(all_, 1))
    row = conn.execute(
        "SELECT count(*) FROM sync_jobs WHERE status IN ('pending', 'in_progress') "
        "AND metadata->>'requested_by' = %s",
        (SCHEDULE_REQUEST,),
    ).fetchone()
    imports = int(row[0]) if row else 0
    for provider in PROVIDERS:
        total[provider] += imports * IMPORT_CALLS.get(provider, 0)
    return total
