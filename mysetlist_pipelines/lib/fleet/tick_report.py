"""What a refresh tick's cron_logs row says: what was launched, in how many runs, what was deferred and
why, and the budget each decision was made against (artists and batches by name up to `SAMPLE`; the
counts are always complete).

Apart from the tick (tick.py) because it is the operators' report of a tick, shaped for reading, and
changes without the tick's logic changing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .allowances import Allowance
from .batches import Batch
from .budget import Plan
from .work import Work

if TYPE_CHECKING:  # tick.py imports this module: the record only for the annotation
    from .tick import TickInfo

SAMPLE = 50  # artists and batches listed by name in a cron_logs row (the counts are always complete)


def refresh_result(
    info: TickInfo,
    work: Work,
    candidates: int,
    planned: Plan,
    batches: Sequence[Batch],
    allowed: Mapping[str, Allowance],
) -> dict[str, Any]:
    """What the cron_logs row says: what was launched, in how many runs, what was deferred and why,
    and the budget each decision was made against."""
    why: dict[str, str] = {}
    for d in planned.deferred:
        why.setdefault(d.reason, d.detail)
    return {
        "tick": info.tick.isoformat(),
        "work": work.name,
        "job": work.job,
        "job_type": work.job_type,
        "assets": list(work.assets),
        "candidates": candidates,
        "launched": {
            "artists": len(planned.selected),
            "runs": len(batches),
            "batch_size": info.batch_size,
            "skipped_in_ranges": sum(len(b.skipped_keys) for b in batches),
            "expected_calls": {p: n for p, n in planned.spend.items() if n},
        },
        "batches": [
            {
                "batch_id": b.batch_id,
                "artists": len(b.partition_keys),
                "range": [b.range_start, b.range_end],
                "skipped": len(b.skipped_keys),
                "expected_calls": {p: n for p, n in b.expected_calls.items() if n},
            }
            for b in batches[:SAMPLE]
        ],
        "deferred": {
            "count": len(planned.deferred),
            "by_reason": planned.deferred_by_reason(),
            "why": why,
            "artists": [
                {"artist": d.candidate.partition_key or d.candidate.name, "reason": d.reason}
                for d in planned.deferred[:SAMPLE]
            ],
        },
        "budget": {
            p: {**a.as_dict(), "planned": planned.spend.get(p, 0)} for p, a in sorted(allowed.items())
        },
    }
