"""Batch runs: many artists per run, as partition ranges of the `artists` dynamic partitions.

A Dagster run covers a *range* of partitions, and a range follows the partitions' insertion order
(when each artist was first registered), not the order a tick selected them in. So the selected
artists are sorted into partition order and cut into groups of at most `size` artists whose range
spans at most `SPAN_FACTOR * size` partitions. Partitions inside a range that the tick did not select
are skipped by the run at no provider cost (defs/artists/step_runner.run_step syncs only the members of
the run's batch: the partitions its `sync_jobs` rows were opened for); the run records a
materialization only for the artists whose steps completed (defs/artists/step_runner
PER_PARTITION_EVENTS_TAG), so skipped partitions keep their status, and the run's metadata says which
artists were skipped and why. The span cap bounds that bookkeeping: a sparse selection gets more,
smaller runs rather than ranges that are mostly skipped partitions.

Each batch gets one `sync_jobs` row per artist (lib/tracking.open_batch: job_type of its Work, low
priority, `metadata.batch_id`) and a `pipelines.fleet_batches` row (range, members, expected calls).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.rows import class_row, dict_row
from psycopg.types.json import Jsonb

from ..tracking import open_batch
from .work import PROVIDERS, TOKEN_CALLS, Calls, Work

SPAN_FACTOR = 2
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


def group(
    selected: Sequence[str], order: Sequence[str], size: int, span_factor: int = SPAN_FACTOR
) -> list[tuple[list[str], list[str]]]:
    """(members, every partition of the range) per batch, in partition order."""
    position = {key: i for i, key in enumerate(order)}
    missing = [k for k in selected if k not in position]
    if missing:
        raise ValueError(f"not registered as artist partitions: {missing[:5]}")
    keys = sorted(set(selected), key=position.__getitem__)
    groups: list[tuple[list[str], list[str]]] = []
    members: list[str] = []
    for key in keys:
        if members and (
            len(members) >= size or position[key] - position[members[0]] + 1 > span_factor * size
        ):
            groups.append((members, list(order[position[members[0]] : position[members[-1]] + 1])))
            members = []
        members.append(key)
    if members:
        groups.append((members, list(order[position[members[0]] : position[members[-1]] + 1])))
    return groups


def batch_id(schedule: str, tick: datetime, index: int) -> str:
    return f"{schedule}@{tick.astimezone(UTC):%Y-%m-%dT%H:%MZ}#{index:03d}"


def open_batches(
    conn: psycopg.Connection,
    schedule: str,
    tick: datetime,
    work: Work,
    calls: Mapping[str, Calls],
    order: Sequence[str],
    size: int,
) -> list[Batch]:
    """Open the batches of a tick in one transaction: `calls` maps each selected partition key to its
    expected calls; `order` is every artist partition in insertion order."""
    batches = []
    with conn.transaction():
        for i, (members, span) in enumerate(group(list(calls), order, size)):
            expected: Calls = dict.fromkeys(PROVIDERS, 0)
            for key in members:
                for provider, n in calls[key].items():
                    expected[provider] = expected.get(provider, 0) + n
            for provider, once in TOKEN_CALLS.items():  # one run: its once-per-run calls once
                if expected.get(provider):
                    expected[provider] += once
            inside = set(members)
            batch = Batch(
                batch_id(schedule, tick, i),
                schedule,
                tick,
                work.job,
                work.job_type,
                None if work.whole_job else list(work.assets),
                work.run_config(),
                members,
                span[0],
                span[-1],
                [k for k in span if k not in inside],
                expected,
            )
            open_batch(
                conn,
                batch.batch_id,
                work.job_type,
                members,
                priority=FLEET_PRIORITY,
                metadata={"schedule": schedule, "work": work.name},
                steps=work.steps(),
            )
            _store(conn, batch)
            batches.append(batch)
    return batches


def _store(conn: psycopg.Connection, b: Batch) -> None:
    conn.execute(
        "INSERT INTO pipelines.fleet_batches (batch_id, schedule, tick, job_name, job_type, asset_selection, "
        "run_config, partition_keys, range_start, range_end, skipped_keys, expected_calls) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            b.batch_id,
            b.schedule,
            b.tick,
            b.job_name,
            b.job_type,
            b.asset_selection,
            Jsonb(b.run_config),
            b.partition_keys,
            b.range_start,
            b.range_end,
            b.skipped_keys,
            Jsonb(b.expected_calls),
        ),
    )


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
