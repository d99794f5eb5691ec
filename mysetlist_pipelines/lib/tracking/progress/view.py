"""What the app's tracking rows should say, computed from the pipelines' own state (pure functions).

A job's targets (one per artist partition) and their step states determine everything the app reads:
`sync_jobs` (status, steps, current step, error, retries), one `sync_progress` row per step, and the
artist's `import_status` banner.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from ...providers import registry
from ...redaction import redact_error
from ..records import STEP_BY_NAME, StepState, Target


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


@dataclass(frozen=True)
class ImportView:
    artist_id: str
    stage: str
    progress: int
    message: str | None
    error: str | None
    completed_at: datetime | None
    artist_status: str  # artists.import_status


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


def import_view(target: Target, steps: list[StepState]) -> ImportView | None:
    """The artist page's banner, from the artist's latest target."""
    if target.artist_id is None:
        return None
    steps = sorted(steps, key=lambda s: s.position)
    total = len(steps) or 1
    running = next((s for s in steps if s.status == "in_progress"), None)
    done = sum(s.status == "completed" for s in steps)
    fraction = (done + (running.progress / 100 if running else 0)) / total
    if target.is_open and not (steps and done == len(steps)):
        if running is not None:
            stage, message = STEP_BY_NAME[running.step].stage, running.message or running.step
        elif done or target.attempt or target.status == "retrying":
            upcoming = next((s for s in steps if s.status == "pending"), None)
            stage = STEP_BY_NAME[upcoming.step].stage if upcoming else "initializing"
            message = upcoming.message if upcoming and upcoming.message else "between steps"
        else:
            stage, message = "initializing", "waiting for a run to start"
        return ImportView(
            target.artist_id, stage, min(99, int(fraction * 100)), message, None, None, "in_progress"
        )
    outcome = outcome_of(steps) if steps else ("completed" if target.status == "succeeded" else "failed")
    if target.status == "canceled" and outcome != "completed":
        # What finished steps wrote stays: `completed` with some data, `failed` with none.
        stage, status = ("completed", "complete") if outcome == "partial" else ("failed", "failed")
        return ImportView(
            target.artist_id,
            stage,
            int(fraction * 100),
            "import cancelled",
            target.error,
            target.ended_at,
            status,
        )
    error = None if outcome == "completed" else error_text([target], steps)
    if outcome == "failed":
        return ImportView(
            target.artist_id, "failed", int(fraction * 100), "import failed", error, target.ended_at, "failed"
        )
    message = "import complete" if outcome == "completed" else "import complete, with errors"
    last_step = max((s.ended_at for s in steps if s.ended_at), default=None)
    ended = last_step if outcome == "completed" and last_step else target.ended_at
    return ImportView(target.artist_id, "completed", 100, message, error, ended, "complete")
