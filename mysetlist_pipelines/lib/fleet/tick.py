"""One tick of a fleet refresh, in plain Python (a `fleet_refresh` or `discovery` run calls it;
defs/schedules/fleet.batch_launcher turns its batches into run requests).

    allowed = read_allowances(conn, providers, settings.fleet_import_reserve)
    outcome = refresh(conn, TickInfo(...), WORK["shows"], select, allowed, register_partitions)
    outcome.batches   # one run each; outcome.result goes to the cron_logs row

`register_partitions(keys)` is the Dagster side: it adds the artists' partitions that Dagster does
not have yet and returns every artist partition in insertion order (what partition ranges follow;
read once per planning run, never by a schedule's evaluation or a batch run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from .. import artist_keys
from ..providers.clients import Providers
from .allowances import Allowance, allowances
from .batch_opening import open_batches
from .batches import Batch
from .budget import Plan, plan
from .candidates import Candidate
from .committed_work import app_requests_waiting, committed_calls
from .tick_report import refresh_result
from .work import PROVIDERS, Work

# Artists one tick may launch. The planning runs in a `fleet_refresh` run (no evaluation timeout), so
# the daily budgets are the real bound; this one keeps a tick's one transaction (its rows and batch
# records, 3.5-9 ms an artist: BENCHMARKS.md, fleet) to minutes.
MAX_ARTISTS_PER_TICK = 100_000


@dataclass(frozen=True)
class TickInfo:
    schedule: str  # the old cron route's name, e.g. "update-active-artists" (cron_logs.job_name)
    tick: datetime  # the scheduled execution time
    now: datetime  # the clock freshness is judged by
    batch_size: int


@dataclass
class RefreshOutcome:
    plan: Plan
    batches: list[Batch]
    result: dict[str, Any] = field(default_factory=dict)


def read_allowances(
    conn: psycopg.Connection, providers: Providers, reserve_fraction: float
) -> dict[str, Allowance]:
    budgets = {p: providers.budget(p) for p in PROVIDERS}
    return allowances(budgets, reserve_fraction, app_requests_waiting(conn), committed_calls(conn))


def ensure_keys(conn: psycopg.Connection, candidates: Sequence[Candidate]) -> dict[str, str]:
    """artists.id -> partition key, registering a key for artists that have none yet (rows the old
    app created)."""
    keys = {c.artist_id: c.partition_key for c in candidates if c.partition_key}
    missing = [c.artist_id for c in candidates if not c.partition_key]
    if missing:
        new = artist_keys.register(conn, [artist_keys.ArtistRequest(artist_id=a) for a in missing])
        keys.update(zip(missing, new, strict=True))
    return keys


@contextmanager
def tick_lock(conn: psycopg.Connection) -> Iterator[None]:
    """One tick at a time selects artists and opens their batches (production ticks schedules in
    threads, and two routes share 06:00): the next one finds those artists in flight and leaves them
    out. A session lock on an autocommit connection; it goes with the connection if the tick dies."""
    conn.execute("SELECT pg_advisory_lock(hashtext('pipelines.fleet_tick'))")
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('pipelines.fleet_tick'))")


def refresh(
    conn: psycopg.Connection,
    info: TickInfo,
    work: Work,
    select: Callable[[psycopg.Connection, datetime], Sequence[Candidate]],
    allowed: Mapping[str, Allowance],
    register_partitions: Callable[[list[str]], Sequence[str]],
) -> RefreshOutcome:
    """Select (`select(conn, now)`), plan, register keys and partitions, open the batches."""
    with tick_lock(conn):
        candidates = select(conn, info.now)
        planned = plan(
            candidates,
            lambda c: work.calls(c, info.now),
            allowed,
            info.now,
            info.batch_size,
            MAX_ARTISTS_PER_TICK,
        )
        keys = ensure_keys(conn, planned.selected)
        order = register_partitions(sorted(set(keys.values())))
        calls = {keys[c.artist_id]: planned.calls[c.artist_id] for c in planned.selected}
        batches = open_batches(conn, info.schedule, info.tick, work, calls, order, info.batch_size)
    outcome = RefreshOutcome(planned, batches)
    outcome.result = refresh_result(info, work, len(candidates), planned, batches, allowed)
    return outcome
