"""Batch runs: many artists per run, as partition ranges of the `artists` dynamic partitions (how a
tick's artists are cut into ranges: batch_grouping.py; how a batch is opened: batch_opening.py).

This module holds the `Batch` record and its reads: the batches a tick already opened, those opened
after a launcher's cursor, a batch's range and its members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row, dict_row

FLEET_PRIORITY = 3  # sync_jobs.priority of fleet rows: the app's own requests (1-2) go first
_COLUMNS = (
    "batch_id, schedule, tick, job_name, job_type, asset_selection, run_config, partition_keys, "
    "range_start, range_end, skipped_keys, expected_calls"
)


@dataclass(frozen=True)
class Batch:
    batch_id: str
    schedule: str
    tick: datetime
    job_name: str
    job_type: str
    asset_selection: list[str] | None
    run_config: dict[str, Any]
    partition_keys: list[str]
    range_start: str
    range_end: str
    skipped_keys: list[str]
    expected_calls: dict[str, int]


def load_tick(conn: psycopg.Connection, schedule: str, tick: datetime) -> list[Batch]:
    """The batches an earlier evaluation of this very tick opened (the daemon re-evaluates a tick
    that failed or was interrupted): request the same runs again rather than plan new ones."""
    with conn.cursor(row_factory=class_row(Batch)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM pipelines.fleet_batches WHERE schedule = %s AND tick = %s ORDER BY batch_id",
            (schedule, tick),
        ).fetchall()


def opened_after(
    conn: psycopg.Connection, schedules: Sequence[str], after: datetime, after_id: str, limit: int
) -> list[tuple[Batch, datetime]]:
    """Up to `limit` batches that runs of these schedules' work opened after (`after`, `after_id`)
    (their created_at, batch_id), in that order, each with its created_at (the launcher sensor's
    cursor: defs/schedules/fleet.batch_launcher)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {_COLUMNS}, created_at FROM pipelines.fleet_batches WHERE schedule = ANY(%s) "
            "AND (created_at, batch_id) > (%s, %s) ORDER BY created_at, batch_id LIMIT %s",
            (list(schedules), after, after_id, limit),
        ).fetchall()
    return [(Batch(**{k: v for k, v in r.items() if k != "created_at"}), r["created_at"]) for r in rows]


def batch_range(conn: psycopg.Connection, batch: str) -> tuple[list[str], list[str]] | None:
    """(members, skipped) of a batch's partition range as it was opened: every partition of the
    range without resolving it against all of Dagster's artist partitions; None for a batch
    without its record (cleaned up since)."""
    row = conn.execute(
        "SELECT partition_keys, skipped_keys FROM pipelines.fleet_batches WHERE batch_id = %s", (batch,)
    ).fetchone()
    return (list(row[0]), list(row[1])) if row else None


def batch_members(conn: psycopg.Connection, batch: str) -> set[str]:
    """The artists a batch run syncs: those its `sync_jobs` rows were opened for."""
    rows = conn.execute(
        "SELECT partition_key FROM pipelines.sync_job_targets WHERE batch_id = %s", (batch,)
    ).fetchall()
    return {r[0] for r in rows}
