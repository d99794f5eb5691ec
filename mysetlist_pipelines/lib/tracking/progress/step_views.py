"""What the app's `sync_progress` rows should say (pure functions): one row per step name, summed over
the job's artists.

Apart from the `sync_jobs` row (job_view.py) because a step's row sums several targets' steps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..state_rows import StepState


@dataclass(frozen=True)
class ProgressView:
    step: str
    status: str
    progress: int
    message: str | None
    total_items: int
    processed_items: int
    successful_items: int
    failed_items: int


def progress_views(steps: list[StepState]) -> list[ProgressView]:
    """One row per step name, summed over the job's artists."""
    groups: dict[str, list[StepState]] = defaultdict(list)
    for s in sorted(steps, key=lambda s: (s.position, s.partition_key)):
        groups[s.step].append(s)
    views = []
    for step, rows in groups.items():
        statuses = {r.status for r in rows}
        if statuses == {"completed"}:
            status = "completed"
        elif statuses == {"pending"}:
            status = "pending"
        elif statuses <= {"completed", "failed"}:
            status = "failed"
        else:
            status = "in_progress"
        if len(rows) == 1:
            message = rows[0].message
        else:
            done = sum(r.status == "completed" for r in rows)
            latest = max(rows, key=lambda r: r.updated_at).message
            message = f"{done} of {len(rows)} artists done" + (f"; {latest}" if latest else "")
        views.append(
            ProgressView(
                step=step,
                status=status,
                progress=round(sum(r.progress for r in rows) / len(rows)),
                message=message,
                total_items=sum(r.total_items for r in rows),
                processed_items=sum(r.processed_items for r in rows),
                successful_items=sum(r.successful_items for r in rows),
                failed_items=sum(r.failed_items for r in rows),
            )
        )
    return views
