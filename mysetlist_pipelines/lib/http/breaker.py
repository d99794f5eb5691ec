"""A circuit breaker per provider, its state in Postgres so that every run and process sees it.

Closed: calls go through. `failure()` after each failed attempt (5xx, timeout, connection error);
at `threshold` consecutive failures it opens for `cooldown_seconds` (doubling at each consecutive
opening, up to 64x). `trip()` opens it until a given time (quota exhausted, or a Retry-After beyond
the cap). While open, `Pacer.acquire` fails fast with CircuitOpen. After `until` it is half-open:
calls go through again; the first success closes it, the first failure re-opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .store import StateStore


@dataclass(frozen=True)
class BreakerState:
    failures: int
    open_until: datetime | None
    kind: str | None
    reason: str | None


class CircuitBreaker:
    def __init__(self, store: StateStore, *, threshold: int = 5, cooldown_seconds: float = 60.0) -> None:
        self._store = store
        self.threshold = threshold
        self.cooldown_seconds = cooldown_seconds

    def failure(self, provider: str, reason: str) -> tuple[bool, datetime | None]:
        """Count one failed attempt; returns (opened now, open until)."""
        ((opened, until, _failures),) = self._store.fetch(
            "SELECT * FROM pipelines.provider_failure(%s, %s, %s, %s)",
            (provider, self.threshold, self.cooldown_seconds, reason),
        )
        if opened:
            _alert(self._store, provider, "breaker_open", reason, until)
        return bool(opened), until

    def success(self, provider: str) -> None:
        self._store.fetch("SELECT pipelines.provider_success(%s)", (provider,))

    def trip(self, provider: str, until: datetime, kind: str, reason: str) -> None:
        self._store.fetch("SELECT pipelines.provider_trip(%s, %s, %s, %s)", (provider, until, kind, reason))
        _alert(self._store, provider, kind, reason, until)

    def state(self, provider: str) -> BreakerState:
        rows = self._store.fetch(
            "SELECT failures, open_until, open_kind, open_reason FROM pipelines.provider_pacing "
            "WHERE provider = %s",
            (provider,),
        )
        return BreakerState(*rows[0]) if rows else BreakerState(0, None, None, None)


def _alert(store: StateStore, provider: str, kind: str, reason: str | None, until: datetime | None) -> None:
    """Sentry / webhook, once per outage (lib/alerts.py); never raises."""
    from ..alerts import provider_alert

    provider_alert(store.fetch, provider, kind, reason, until)
