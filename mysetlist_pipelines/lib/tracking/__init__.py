"""The app's sync-tracking tables kept in step with Dagster's runs (plain SQL, no Dagster imports).

The pipelines keep their own state per job target (one artist partition of a job) and per step in
`pipelines.sync_job_targets` / `pipelines.sync_step_state` (sql/0006); every change to it is followed,
in the same transaction and under the job's lock, by a rollup that rewrites the app's `sync_jobs`,
`sync_progress`, `import_status` and `artists.import_status` where they differ. So every writer can
repeat itself safely, and the reconciliation repairs drift with the same code.

Lifecycle: `claim_pending` (pending -> in_progress + one run request per target, or failed at once) ->
`step_started` / `step_progress` / `step_finished` (from inside the run) -> `finish_run` (run-status
sensors, reconciliation) -> completed / partial / failed, or back to in_progress while a retry runs.
The app may cancel a pending or in-progress row at any point (settle/cancellation.py): -> cancelled.
"""

from .intake.claim import claim_pending
from .intake.created import NewJobs, create_jobs, open_batch
from .intake.launches import Intake, Launch, Rejection, run_key
from .progress.events import Counts, link_run, step_finished, step_progress, step_started
from .progress.rollup import rollup
from .repair.drift import PendingBacklog, drift_candidates, drift_page, pending_backlog, repair
from .repair.lost_runs import (
    abandon_targets,
    mark_reissued,
    open_targets,
    runs_still_tracked,
    unlinked_launches,
)
from .run_records import RunInfo, RunOutcome
from .run_tags import ARTIST_TAG, BATCH_TAG, SYNC_JOB_TAG
from .settle.cancellation import (
    CancelledJob,
    CancelResult,
    absorb_cancellations,
    cancelled_jobs,
    request_cancel,
)
from .settle.run_end import finish_run
from .settle.run_targets import needs_settling, resolve_targets, take_over
from .state_rows import StepState, Target

__all__ = [
    "ARTIST_TAG",
    "BATCH_TAG",
    "SYNC_JOB_TAG",
    "CancelResult",
    "CancelledJob",
    "Counts",
    "Intake",
    "Launch",
    "NewJobs",
    "PendingBacklog",
    "Rejection",
    "RunInfo",
    "RunOutcome",
    "StepState",
    "Target",
    "abandon_targets",
    "absorb_cancellations",
    "cancelled_jobs",
    "claim_pending",
    "create_jobs",
    "drift_candidates",
    "drift_page",
    "finish_run",
    "link_run",
    "mark_reissued",
    "needs_settling",
    "open_batch",
    "open_targets",
    "pending_backlog",
    "repair",
    "request_cancel",
    "resolve_targets",
    "rollup",
    "run_key",
    "runs_still_tracked",
    "step_finished",
    "step_progress",
    "step_started",
    "take_over",
    "unlinked_launches",
]
