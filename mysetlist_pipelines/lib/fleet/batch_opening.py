"""Opening a tick's batches: each batch gets one `sync_jobs` row per artist (lib/tracking.open_batch:
job_type of its Work, low priority, `metadata.batch_id`) and a `pipelines.fleet_batches` row (range,
members, expected calls), all in one transaction.

Apart from the batch and its reads (batches.py) because only a tick opens batches, while the
launchers, the step runner and the failure records read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import psycopg
from psycopg.types.json import Jsonb

from ..tracking import open_batch
from .batch_grouping import group
from .batches import FLEET_PRIORITY, Batch
from .work import PROVIDERS, TOKEN_CALLS, Calls, Work


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
