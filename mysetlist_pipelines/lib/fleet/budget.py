"""Planning a tick within the providers' daily budgets.

Per provider, what a tick may spend (`Allowance.available`):

    remaining today (the shared pacing state, every process's calls counted)
  - the reserve for the imports the app asks for: the larger of `reserve_fraction` x daily quota and
    the expected cost of the app's requests waiting right now (they always go first)
  - what fleet work already queued or running is still expected to spend (earlier ticks' batches not
    finished, and imports schedules requested)

Candidates come least recently refreshed first. Each is taken while its expected calls (plus one
once-per-run calls of each batch run: Spotify's token) fit every provider it needs; the first one that does not fit stops
the tick, and it and everything after it are deferred to the next tick (so the least recently
refreshed still go first then, and an expensive artist is not overtaken forever by cheap ones). Two
exceptions do not stop the tick: an artist needing a provider whose circuit is open is deferred
(nothing is launched that needs it), the others still go; an artist that needs more than a whole
day's allowance is deferred saying so. A tick launches at most `limit` artists (its evaluation must
end inside Dagster's 60-s timeout: about 3.5 ms per artist launched, measured); the rest are deferred
as `tick_capacity` and go first next tick.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from ..http import Budget
from .selection import Candidate
from .work import IMPORT_CALLS, PROVIDERS, TOKEN_CALLS, Calls

# Imports a schedule requested (lib/fleet/imports.py) carry this in sync_jobs.metadata.requested_by.
SCHEDULE_REQUEST = "schedule"


@dataclass(frozen=True)
class Allowance:
    provider: str
    daily_quota: int
    remaining: int
    reserve: int
    committed: int
    circuit_open_until: datetime | None = None
    circuit_reason: str | None = None

    @property
    def available(self) -> int:
        return max(0, self.remaining - self.reserve - self.committed)

    @property
    def day_ceiling(self) -> int:
        """The most a tick could ever have for this provider (a full day, minus the reserve)."""
        return max(0, self.daily_quota - self.reserve)

    def is_open(self, now: datetime) -> bool:
        return self.circuit_open_until is not None and self.circuit_open_until > now

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "remaining_today": self.remaining,
            "reserve_for_imports": self.reserve,
            "committed_by_queued_work": self.committed,
            "available": self.available,
        }
        if self.circuit_open_until:
            out["circuit_open_until"] = self.circuit_open_until.isoformat()
            out["circuit_reason"] = self.circuit_reason
        return out


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


def allowances(
    budgets: Mapping[str, Budget],
    reserve_fraction: float,
    waiting_requests: int,
    committed: Mapping[str, int],
) -> dict[str, Allowance]:
    out = {}
    for provider, b in budgets.items():
        reserve = max(
            math.ceil(reserve_fraction * b.daily_quota), waiting_requests * IMPORT_CALLS.get(provider, 0)
        )
        out[provider] = Allowance(
            provider,
            b.daily_quota,
            b.remaining,
            reserve,
            int(committed.get(provider, 0)),
            b.circuit_open_until,
            b.circuit_reason,
        )
    return out


@dataclass(frozen=True)
class Deferral:
    candidate: Candidate
    reason: str  # short, groupable: "budget:setlistfm", "circuit:ticketmaster", "over_daily_budget:spotify"
    detail: str  # a sentence a person can act on


@dataclass
class Plan:
    selected: list[Candidate] = field(default_factory=list)
    calls: dict[str, Calls] = field(default_factory=dict)  # artist_id -> expected calls
    deferred: list[Deferral] = field(default_factory=list)
    spend: Calls = field(default_factory=lambda: dict.fromkeys(PROVIDERS, 0))

    def deferred_by_reason(self) -> dict[str, int]:
        return dict(Counter(d.reason for d in self.deferred))


def plan(
    candidates: Sequence[Candidate],
    cost: Callable[[Candidate], Calls],
    allowed: Mapping[str, Allowance],
    now: datetime,
    batch_size: int,
    limit: int | None = None,
) -> Plan:
    """Which candidates fit today's allowances (see the module docstring); at most `limit`."""
    result = Plan()
    stop: tuple[str, str] | None = None
    # Per provider with once-per-run calls (TOKEN_CALLS): the selected artists that need it, so
    # every `batch_size`-th of them (the first of each batch run) carries the run's token.
    users = dict.fromkeys(TOKEN_CALLS, 0)
    for c in candidates:
        if stop is None and limit is not None and len(result.selected) >= limit:
            stop = ("tick_capacity", f"a tick launches at most {limit} artists; the rest go first next tick")
        if stop is not None:
            result.deferred.append(Deferral(c, *stop))
            continue
        base = {p: n for p, n in cost(c).items() if n > 0}
        need = base
        closed = [p for p in need if p in allowed and allowed[p].is_open(now)]
        if closed:
            a = allowed[closed[0]]
            until = a.circuit_open_until.isoformat() if a.circuit_open_until else "?"
            why = f"{closed[0]} circuit open until {until}" + (
                f": {a.circuit_reason}" if a.circuit_reason else ""
            )
            result.deferred.append(Deferral(c, f"circuit:{closed[0]}", why))
            continue
        for p, once in TOKEN_CALLS.items():
            if need.get(p) and users[p] % batch_size == 0:
                need = {**need, p: need[p] + once}
        short = [p for p in need if p in allowed and result.spend.get(p, 0) + need[p] > allowed[p].available]
        if short:
            p = short[0]
            a = allowed[p]
            if need[p] > a.day_ceiling:
                why = f"needs {need[p]} {p} calls, more than a whole day's {a.day_ceiling} after the reserve"
                result.deferred.append(Deferral(c, f"over_daily_budget:{p}", why))
                continue
            left = max(0, a.available - result.spend.get(p, 0))
            stop = (
                f"budget:{p}",
                f"{p}: {left} calls left for this tick ({a.remaining} left today, {a.reserve} kept for the "
                f"app's imports, {a.committed} expected by queued work); deferred to the next tick",
            )
            result.deferred.append(Deferral(c, *stop))
            continue
        for p in users:
            if need.get(p):
                users[p] += 1
        for p, n in need.items():
            result.spend[p] = result.spend.get(p, 0) + n
        result.selected.append(c)
        result.calls[c.artist_id] = base
    return result
