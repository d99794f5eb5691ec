"""Planning a tick within the providers' daily budgets.

Per provider, what a tick may spend is its `Allowance` (allowances.py; what is already committed:
committed_work.py):

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

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .allowances import Allowance
from .candidates import Candidate
from .work import PROVIDERS, TOKEN_CALLS, Calls


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
