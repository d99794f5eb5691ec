"""Per provider, what a tick may spend (`Allowance.available`): remaining today, minus the reserve for
the app's imports (the larger of `reserve_fraction` x daily quota and the expected cost of the
requests waiting now), minus what queued fleet work is still expected to spend.

Apart from the plan (budget.py) because the signal plan's schedule (tick.read_allowances), the
schedule-requested imports and the benchmarks read the allowances without planning a tick.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..http import Budget
from .work import IMPORT_CALLS


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
