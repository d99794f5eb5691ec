"""What the app's `sync_jobs` row should say, computed from the pipelines' own state (pure functions):
status, steps, current step, error (which step failed, at which provider, and what happened) and
retries, from the job's targets (one per artist partition) and their step states.

Apart from the `sync_progress` rows (step_views.py) and the artist's banner (import_view.py), which the
rollup writes from the same state into other tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from ...providers import registry
from ...redaction import redact_error
from ..state_rows import StepState, Target


@dataclass(frozen=True)
class JobView:
    status: str
    total_steps: int
    completed_steps: int
    current_step: str | None
    error: str | None
    completed_at: datetime | None
    retry_count: int
    started_at: datetime | None


def outcome_of(steps: list[StepState]) -> str:
    """completed / partial / failed for finished work."""
    done = sum(s.status == "completed" for s in steps)
    if done == len(steps):
        return "completed"
    return "partial" if done else "failed"


def error_text(targets: list[Target], steps: list[StepState]) -> str | None:
    """Which step failed, at which provider, and what happened; one clause per failure."""
    by_target: dict[str, list[StepState]] = defaultdict(list)
    for s in steps:
        by_target[s.partition_key].append(s)
    several = len(targets) > 1
    parts: list[str] = []
    for t in targets:
        clauses = []
        for s in sorted(by_target[t.partition_key], key=lambda s: s.position):
            if s.status == "failed" and s.error:
                where = f" ({registry.label(s.provider)})" if s.provider else ""
                clauses.append(f"{s.step} failed{where}: {s.error}")
        if not clauses and t.error:
            clauses.append(t.error)
        if not clauses and t.status != "succeeded":
            clauses.append(f"the run ended {'canceled' if t.status == 'canceled' else 'without finishing'}")
        if clauses and t.attempt:
            clauses[-1] += f" (gave up after {t.attempt} {'retry' if t.attempt == 1 else 'retries'})"
        parts.extend(f"[{t.partition_key}] {c}" if several else c for c in clauses)
    return redact_error("; ".join(parts)) if parts else None


def _current_step(steps: list[StepState], is_open: bool) -> str | None:
    running = [s for s in steps if s.status == "in_progress"]
    if running:
        return max(running, key=lambda s: s.started_at or s.updated_at).step
    touched = [s for s in steps if s.status != "pending"]
    if is_open:
        if not touched:
            return None
        pending = [s for s in steps if s.status == "pending"]
        if pending:
            return min(pending, key=lambda s: s.position).step
    failed = [s for s in steps if s.status == "failed" and s.error]
    if failed:
        return min(failed, key=lambda s: s.position).step
    if touched:
        return max(touched, key=lambda s: (s.ended_at or s.updated_at, s.position)).step
    return None


def _error(status: str, cancelled: list[Target], targets: list[Target], steps: list[StepState]) -> str | None:
    if status == "cancelled":  # who cancelled it (each target's note; one for a one-artist job)
        return redact_error("; ".join(dict.fromkeys(t.error or "cancelled" for t in cancelled)))
    return error_text(targets, steps)


def job_view(targets: list[Target], steps: list[StepState], started_at: datetime | None) -> JobView:
    # Every step done is a completed job, even before Dagster has closed the run (the data is all in;
    # this saves the app the run's shutdown and the run-status sensor's next visit).
    all_done = bool(steps) and all(s.status == "completed" for s in steps)
    is_open = any(t.is_open for t in targets) and not all_done
    cancelled = [t for t in targets if t.status == "canceled"]
    if is_open:
        status = "in_progress"
    elif cancelled:
        status = "cancelled"  # by the app, an operator or in Dagster: the error says which
    elif all(t.status == "succeeded" for t in targets) and not steps:
        status = "completed"
    else:
        status = outcome_of(steps) if steps else "failed"
    # A job whose steps all completed ended with its last step, whenever Dagster closes the run.
    step_ends = [s.ended_at for s in steps if s.ended_at]
    ends = step_ends if all_done and step_ends else [t.ended_at for t in targets if t.ended_at]
    starts = [t.started_at or t.requested_at for t in targets if t.started_at or t.requested_at]
    return JobView(
        status=status,
        total_steps=len(steps),
        completed_steps=sum(s.status == "completed" for s in steps),
        current_step=_current_step(steps, is_open),
        error=None if is_open or status == "completed" else _error(status, cancelled, targets, steps),
        completed_at=None if is_open else (max(ends) if ends else None),
        # Retries launched, not announced: a retry Dagster decided but never launched must not be
        # counted and then taken back (the count only ever grows).
        retry_count=max((t.attempt for t in targets), default=0),
        started_at=started_at or (min(starts) if starts else None),
    )
