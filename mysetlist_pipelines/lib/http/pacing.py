"""Pacing and daily quotas shared by every run and process, with the state in Postgres.

Why a small SQL token bucket rather than pyrate-limiter's PostgresBucket: that bucket is a log, not
a bucket. It inserts one row per call and, per call, takes `LOCK TABLE ... IN EXCLUSIVE MODE NOWAIT`
and counts the rows inside each rate's sliding window; under contention NOWAIT makes a caller's put
fail (the limiter then sleeps and retries from the client), a daily quota becomes a rolling 24-hour
window of up to 5,000 retained rows rather than a budget that resets at a fixed hour, old rows need a
leaker, and it brings psycopg_pool. It has no breaker and no "everyone back off N seconds" after a
429, which we need in the same place. What we need is three facts per provider: the next free send
slot, the calls spent today, the breaker. One row per provider, changed by one plpgsql function
under a row lock (`SELECT ... FOR UPDATE`, then `clock_timestamp()` read once the lock is granted), is
exact under any number of processes, costs one round trip per call, and keeps waiting callers out of
transactions: the function *reserves* a slot (GCRA: the theoretical arrival time advances 1/rate per
call) and returns how long to wait; the caller sleeps with no lock held and no transaction open.

Callers: `Pacer.acquire(provider)` before every attempt (the HTTP policy does this), `remaining_today`
and `budget` to plan work, `consume` to record calls made some other way, `defer` after a 429.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import CircuitOpen, QuotaExhausted, until_text
from .store import StateStore


@dataclass(frozen=True)
class ProviderLimits:
    rate_per_second: float
    daily_quota: int
    # 1 = calls strictly spaced 1/rate apart; n lets n calls go back to back after a quiet spell.
    burst: int = 1


@dataclass(frozen=True)
class Grant:
    waited_seconds: float
    used_today: int
    failures: int  # consecutive failures recorded before this call (non-zero: report the outcome)


@dataclass(frozen=True)
class Budget:
    provider: str
    daily_quota: int
    used_today: int
    remaining: int
    resets_at: datetime
    circuit_open_until: datetime | None
    circuit_reason: str | None


def next_utc_midnight(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)


class Pacer:
    def __init__(
        self,
        store: StateStore,
        limits: Mapping[str, ProviderLimits],
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._limits = dict(limits)
        self._sleep = sleep

    def limits(self, provider: str) -> ProviderLimits:
        try:
            return self._limits[provider]
        except KeyError:
            raise KeyError(f"no pacing limits configured for provider {provider!r}") from None

    def acquire(self, provider: str, endpoint: str | None = None) -> Grant:
        """Reserve one call of today's budget and sleep until its send slot.

        Raises CircuitOpen while the provider's breaker is open and QuotaExhausted when today's
        budget is spent; neither consumes budget.
        """
        lim = self.limits(provider)
        ((outcome, wait, until, used, failures, reason),) = self._store.fetch(
            "SELECT * FROM pipelines.provider_acquire(%s, %s, %s, %s)",
            (provider, lim.rate_per_second, lim.burst, lim.daily_quota),
        )
        if outcome == "circuit":
            raise CircuitOpen(
                provider,
                f"circuit breaker open until {until_text(until)} ({reason}); calls fail fast until then",
                endpoint=endpoint,
                until=until,
            )
        if outcome == "quota":
            # Every call past the budget lands here: the alert's cooldown sends one per outage.
            from ..alerts import provider_alert

            provider_alert(self._store.fetch, provider, "budget", f"{reason} ({used} used today)", until)
            raise QuotaExhausted(
                provider,
                f"{reason} ({used} used today); the budget resets at {until_text(until)}",
                endpoint=endpoint,
                until=until,
            )
        if wait > 0:
            self._sleep(wait)  # no transaction is open here: the slot is already ours
        return Grant(max(wait, 0.0), used, failures)

    def defer(self, provider: str, seconds: float) -> None:
        """Make every process's next call to `provider` wait at least `seconds` from now."""
        self._store.fetch("SELECT pipelines.provider_defer(%s, %s)", (provider, seconds))

    def consume(self, provider: str, calls: int = 1) -> int:
        """Record `calls` made outside `acquire` against today's budget; returns today's total."""
        ((used,),) = self._store.fetch("SELECT pipelines.provider_consume(%s, %s)", (provider, calls))
        return int(used)

    def budget(self, provider: str) -> Budget:
        lim = self.limits(provider)
        rows = self._store.fetch(
            """SELECT CASE WHEN quota_day = (clock_timestamp() AT TIME ZONE 'UTC')::date
                           THEN quota_used ELSE 0 END,
                      CASE WHEN open_until > clock_timestamp() THEN open_until END,
                      CASE WHEN open_until > clock_timestamp() THEN open_reason END,
                      CASE WHEN open_until > clock_timestamp() THEN open_kind END,
                      clock_timestamp()
                 FROM pipelines.provider_pacing WHERE provider = %s""",
            (provider,),
        )
        used, open_until, reason, kind, now = rows[0] if rows else (0, None, None, None, None)
        remaining = max(lim.daily_quota - used, 0)
        if kind == "quota":  # the provider itself said the quota is gone
            remaining = 0
        return Budget(provider, lim.daily_quota, used, remaining, next_utc_midnight(now), open_until, reason)

    def remaining_today(self, provider: str) -> int:
        """Calls left in today's (UTC) budget for `provider`, across every process; 0 while the
        provider reports its quota exhausted."""
        return self.budget(provider).remaining
