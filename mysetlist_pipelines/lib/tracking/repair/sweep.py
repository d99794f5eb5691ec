"""The reconciliation's cursor: where its sweeps over open rows stand, so every tick goes on from
where the last one stopped and every open row is visited within a bounded number of ticks.

Two keyset sweeps (open targets by (job_id, partition_key), drift candidates by job id) and the
runs' timestamp cursor. A sweep position of None means "start from the beginning"; a page that
comes back short (the end of the table) sets it back to None. A tick cut short by its time budget
keeps the last key it handled, so the next tick starts right after it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

K = TypeVar("K")


class SweepCursor(BaseModel):
    runs: datetime
    open_after: tuple[str, str] | None = None
    drift_after: str | None = None

    @classmethod
    def parse(cls, raw: str | None, default_runs: datetime) -> SweepCursor:
        """The stored cursor; an ISO timestamp alone is the older form (runs only), anything
        unreadable starts over from `default_runs` rather than failing every tick."""
        if not raw:
            return cls(runs=default_runs)
        if not raw.lstrip().startswith("{"):
            try:
                return cls(runs=datetime.fromisoformat(raw))
            except ValueError:
                return cls(runs=default_runs)
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            return cls(runs=default_runs)

    def dump(self) -> str:
        return self.model_copy(update={"runs": self.runs.astimezone(UTC)}).model_dump_json()


def next_position(page: list[K], limit: int, handled: int) -> K | None:
    """Where the sweep goes on next tick: after the last item handled when the tick stopped early
    (callers always handle at least one, so a sweep never stalls); from the start again once a
    short page (the end of the rows) was handled whole."""
    if 0 < handled < len(page):
        return page[handled - 1]
    return page[-1] if page and len(page) >= limit else None


class Deadline:
    """A tick's time budget (a sensor tick is cut off by Dagster at 60 s)."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() >= self._end
