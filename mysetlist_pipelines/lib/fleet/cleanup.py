"""cleanup-old-data: the app's `cleanup_old_sync_data()` (finished sync_jobs older than 7 days,
cron_logs older than 30), and the fleet's own batch records older than 30 days."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

BATCHES_KEPT_DAYS = 30


@dataclass(frozen=True)
class Cleanup:
    sync_jobs_deleted: int
    fleet_batches_deleted: int


def cleanup_old_data(conn: psycopg.Connection) -> Cleanup:
    with conn.transaction():
        row = conn.execute("SELECT cleanup_old_sync_data()").fetchone()
        batches = conn.execute(
            "DELETE FROM pipelines.fleet_batches WHERE created_at < now() - make_interval(days => %s)",
            (BATCHES_KEPT_DAYS,),
        ).rowcount
    return Cleanup(int(row[0]) if row and row[0] is not None else 0, batches)
