"""What the artist's `import_status` banner (and `artists.import_status`) should say, from the
artist's latest target and its steps (pure function).

Apart from the `sync_jobs` row (job_view.py) because the banner is per artist, not per job, and has its
own stages and wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..state_rows import STEP_BY_NAME, StepState, Target
from .job_view import error_text, outcome_of


@dataclass(frozen=True)
class ImportView:
    artist_id: str
    stage: str
    progress: int
    message: str | None
    error: str | None
    completed_at: datetime | None
    artist_status: str  # artists.import_status


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
