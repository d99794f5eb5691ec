"""What a claim of pending rows produces: a `Launch` per run to request (its run key, its tags and
Dagster priority, its retry budget), a `Rejection` per invalid row, and the pass's `Intake`.

Apart from the claim (claim.py) because the reconciliation re-issues launches that never started
(repair/lost_runs.py) and the fleet's launchers tag their runs with the same priorities, without claiming.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..run_tags import ARTIST_TAG, MAX_RETRIES_TAG, PRIORITY_TAG, RETRY_STRATEGY_TAG, SYNC_JOB_TAG

MAX_RETRIES_CAP = 10
# sync_jobs.priority 1 (high) .. 3 (low) -> Dagster's run queue priority (higher runs first).
DAGSTER_PRIORITY = {1: 10, 2: 0, 3: -10}
DEFAULT_MAX_RETRIES = 3


@dataclass(frozen=True)
class Launch:
    """One run to request: the job's artist partition, under a run key unique to this request."""

    job_id: str
    partition_key: str
    job_type: str
    run_key: str
    priority: int
    max_retries: int

    @property
    def tags(self) -> dict[str, str]:
        return {
            SYNC_JOB_TAG: self.job_id,
            ARTIST_TAG: self.partition_key,
            PRIORITY_TAG: str(DAGSTER_PRIORITY[self.priority]),
            MAX_RETRIES_TAG: str(self.max_retries),
            RETRY_STRATEGY_TAG: "FROM_FAILURE",
        }


@dataclass(frozen=True)
class Rejection:
    job_id: str
    error: str


@dataclass
class Intake:
    launches: list[Launch]
    rejections: list[Rejection]
    # Rows left pending this pass: another request that may be the same artist is being settled.
    waiting: list[str] = field(default_factory=list)


def clamp_priority(priority: int | None) -> int:
    return min(3, max(1, priority if priority is not None else 2))


def retries_allowed(auto_retry: bool | None, max_retries: int | None) -> int:
    if auto_retry is False:
        return 0
    value = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
    return min(MAX_RETRIES_CAP, max(0, value))


def run_key(job_id: str, generation: int, partition_key: str | None) -> str:
    key = job_id if generation == 1 else f"{job_id}#{generation}"
    return f"{key}:{partition_key}" if partition_key else key
