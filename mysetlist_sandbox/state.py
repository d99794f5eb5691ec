"""The sandbox's mutable state behind one lock: config, counters, faults, tokens, rate windows, quotas."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .faults import Fault


def _fakes() -> dict[str, Any]:
    from .fakes import FAKES  # the fakes' modules import this one

    return FAKES


def _providers() -> tuple[str, ...]:
    return tuple(_fakes())


def _default_rates() -> dict[str, float]:
    return {name: fake.rate for name, fake in _fakes().items()}


@dataclass
class Config:
    enforce_rates: bool = False
    rates: dict[str, float] = field(default_factory=_default_rates)
    token_ttl_seconds: int = 3600
    today: date | None = None
    quotas: dict[str, int] = field(default_factory=dict)  # daily call budgets, enforced when set

    def as_dict(self) -> dict[str, Any]:
        return {
            "enforce_rates": self.enforce_rates,
            "rates": dict(self.rates),
            "token_ttl_seconds": self.token_ttl_seconds,
            "today": self.today.isoformat() if self.today else None,
            "quotas": dict(self.quotas),
        }


class SandboxState:
    def __init__(self, initial: Config, initial_faults: list[Fault]) -> None:
        self._initial = initial
        self._initial_faults = initial_faults
        self.lock = threading.Lock()
        self.reset(config=True)

    # -- lifecycle ------------------------------------------------------------------------------
    def reset(self, config: bool = True) -> None:
        with self.lock:
            if config:
                base = self._initial
                self.config = Config(
                    base.enforce_rates,
                    dict(base.rates),
                    base.token_ttl_seconds,
                    base.today,
                    dict(base.quotas),
                )
            self.faults: list[Fault] = [Fault(**f.as_dict()) for f in self._initial_faults]
            self.calls: Counter[str] = Counter()
            # When each endpoint was first and last called (time.time()): whether two providers'
            # calls of one import overlap in time (test_prefetch).
            self.call_times: dict[str, list[float]] = {}
            self.status: Counter[str] = Counter()
            self.status_by_provider: dict[str, Counter[str]] = {p: Counter() for p in _providers()}
            self.violations: Counter[str] = Counter()
            self.faults_applied: Counter[str] = Counter()
            self.tokens: dict[str, float] = {}
            self.windows: dict[str, deque[float]] = {p: deque() for p in _providers()}
            self.daily_used: Counter[str] = Counter()

    def configure(self, **kw: Any) -> dict[str, Any]:
        unknown = set(kw) - {"enforce_rates", "rates", "token_ttl_seconds", "today", "quotas"}
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        with self.lock:
            c = self.config
            if "enforce_rates" in kw:
                c.enforce_rates = bool(kw["enforce_rates"])
            if "rates" in kw:
                for provider, rate in kw["rates"].items():
                    if provider not in _providers() or float(rate) <= 0:
                        raise ValueError(f"bad rate {provider}={rate}")
                    c.rates[provider] = float(rate)
            if "token_ttl_seconds" in kw:
                c.token_ttl_seconds = int(kw["token_ttl_seconds"])
            if "today" in kw:
                value = kw["today"]
                c.today = date.fromisoformat(value) if isinstance(value, str) else value
            if "quotas" in kw:
                for provider, quota in (kw["quotas"] or {}).items():
                    if provider not in _providers():
                        raise ValueError(f"unknown provider {provider!r}")
                    if quota is None:
                        c.quotas.pop(provider, None)
                    else:
                        c.quotas[provider] = int(quota)
            return c.as_dict()

    def today(self, started: date) -> date:
        return self.config.today or started

    # -- counters -------------------------------------------------------------------------------
    def record_call(self, endpoint: str) -> None:
        now = time.time()
        with self.lock:
            self.calls[endpoint] += 1
            first_last = self.call_times.setdefault(endpoint, [now, now])
            first_last[1] = now

    def record_status(self, provider: str, status: int) -> None:
        with self.lock:
            code = str(status)
            self.status[code] += 1
            self.status[f"{code[0]}xx"] += 1
            self.status_by_provider[provider][code] += 1

    def counters(self) -> dict[str, Any]:
        with self.lock:
            by_provider = dict.fromkeys(_providers(), 0)
            for endpoint, n in self.calls.items():
                by_provider[endpoint.split(":", 1)[0]] += n
            return {
                "calls": dict(sorted(self.calls.items())),
                "by_provider": by_provider,
                "status": dict(sorted(self.status.items())),
                "status_by_provider": {
                    p: dict(sorted(c.items())) for p, c in self.status_by_provider.items()
                },
                "rate_violations": {p: self.violations[p] for p in _providers()},
                "faults_applied": dict(sorted(self.faults_applied.items())),
                "daily_used": {p: self.daily_used[p] for p in _providers()},
                "call_times": {e: list(t) for e, t in sorted(self.call_times.items())},
            }

    # -- faults ---------------------------------------------------------------------------------
    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def pending_faults(self) -> list[dict[str, Any]]:
        with self.lock:
            return [f.as_dict() for f in self.faults]

    def take_faults(self, endpoint: str) -> tuple[float, Fault | None]:
        """Seconds of injected latency, and the one non-latency fault this call gets (if any)."""
        delay, chosen = 0.0, None
        with self.lock:
            for fault in list(self.faults):
                if not fault.matches(endpoint):
                    continue
                # A token call cannot meet an expired token: it is how a new one is had.
                if fault.kind == "token_expired" and endpoint in _fakes()[fault.provider].side_endpoints:
                    continue
                if fault.kind == "latency":
                    delay += fault.seconds or 1.0
                elif chosen is None:
                    chosen = fault
                else:
                    continue
                self.faults_applied[f"{fault.provider}:{fault.kind}"] += 1
                if fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
        return delay, chosen

    # -- Spotify tokens -------------------------------------------------------------------------
    def issue_token(self) -> tuple[str, int]:
        with self.lock:
            token = "BQ" + secrets.token_urlsafe(90)
            ttl = self.config.token_ttl_seconds
            self.tokens[token] = time.monotonic() + ttl
            return token, ttl

    def token_state(self, token: str) -> str:
        with self.lock:
            expires = self.tokens.get(token)
        if expires is None:
            return "invalid"
        return "ok" if time.monotonic() < expires else "expired"

    def expire_token(self, token: str) -> None:
        with self.lock:
            if token in self.tokens:
                self.tokens[token] = 0.0

    # -- pacing and quotas ----------------------------------------------------------------------
    def admit(self, provider: str) -> tuple[bool, int]:
        """Count one call in the provider's rolling window; (allowed, seconds until a slot frees)."""
        now = time.monotonic()
        with self.lock:
            self.daily_used[provider] += 1
            if not self.config.enforce_rates:
                return True, 0
            rate = self.config.rates[provider]
            window = max(_fakes()[provider].window_seconds, 1.0 / rate)
            budget = max(1, math.floor(rate * window + 1e-9))
            stamps = self.windows[provider]
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= budget:
                self.violations[provider] += 1
                return False, max(1, math.ceil(stamps[0] + window - now))
            stamps.append(now)
            return True, 0

    def over_quota(self, provider: str) -> bool:
        with self.lock:
            quota = self.config.quotas.get(provider)
            return quota is not None and self.daily_used[provider] > quota

    def quota_use(self, provider: str) -> tuple[int | None, int]:
        """(the day's configured quota or None, calls counted today) of `provider`."""
        with self.lock:
            return self.config.quotas.get(provider), self.daily_used[provider]
