"""Run retention: finished runs older than MYSETLIST_RUN_RETENTION_DAYS, and their event logs, leave
Dagster's storage, so it stops growing with the fleet (docs/operations.md, "Dagster's storage").

Only public APIs: `instance.get_run_records` (finished statuses, `updated_before` the cutoff, oldest
first, a chunk at a time) and `instance.delete_run` (the run and every event it wrote). Queued,
starting, running and cancelling runs are never selected; neither is a run that an open sync_jobs
target still points to (the reconciliation would take it for vanished). The app's tables are not
touched. Each run stops after `RETENTION_BUDGET_SECONDS`; the next hourly run goes on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import tracking

from ..tracking.settle_run import FINISHED

RETENTION_CHUNK = 200
RETENTION_BUDGET_SECONDS = 600.0


@dataclass
class Pruned:
    deleted: int = 0
    kept_open: int = 0  # old runs kept because an open sync_jobs target points to them
    chunks: int = 0
    out_of_time: bool = False


def prune_runs(
    instance: dg.DagsterInstance,
    older_than: datetime,
    conn: psycopg.Connection | None = None,
    chunk: int = RETENTION_CHUNK,
    budget_seconds: float = RETENTION_BUDGET_SECONDS,
) -> Pruned:
    """Delete finished runs last updated before `older_than`, oldest first, in chunks of `chunk`."""
    done = Pruned()
    end = time.monotonic() + budget_seconds
    after: datetime | None = None  # past the runs kept: the next chunk starts after them
    while True:
        records = instance.get_run_records(
            filters=dg.RunsFilter(statuses=list(FINISHED), updated_before=older_than, updated_after=after),
            limit=chunk,
            order_by="update_timestamp",
            ascending=True,
        )
        if not records:
            return done
        keep = tracking.runs_still_tracked(conn, [r.dagster_run.run_id for r in records]) if conn else set()
        for record in records:
            if record.dagster_run.run_id in keep:
                done.kept_open += 1
            else:
                instance.delete_run(record.dagster_run.run_id)
                done.deleted += 1
        done.chunks += 1
        if keep:
            after = records[-1].update_timestamp
        if len(records) < chunk:
            return done
        if time.monotonic() > end:
            done.out_of_time = True
            return done


def retention_cutoff(days: int, now: datetime | None = None) -> datetime | None:
    """The update time before which finished runs go; None when retention is off (0 days)."""
    return (now or datetime.now(UTC)) - timedelta(days=days) if days > 0 else None
