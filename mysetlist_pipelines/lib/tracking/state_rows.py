"""The pipelines' own tracking state as rows: a `Target` (one artist partition of a job, in
`pipelines.sync_job_targets`) and a `StepState` (one step of it, in `pipelines.sync_step_state`),
their statuses, the steps' positions, and the two reads every tracking writer starts from.

Apart from the run records (run_records.py) because these come from the database, those from Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

from ..steps import STEPS, Step

STEP_BY_NAME: dict[str, Step] = {s.step: s for s in STEPS}
STEP_POSITION: dict[str, int] = {s.step: i for i, s in enumerate(STEPS)}

OPEN_TARGET_STATUSES = ("queued", "running", "retrying")
FINAL_TARGET_STATUSES = ("succeeded", "failed", "canceled")


@dataclass(frozen=True)
class Target:
    job_id: str
    partition_key: str
    artist_id: str | None
    generation: int
    run_key: str | None
    batch_id: str | None
    root_run_id: str | None
    run_id: str | None
    attempt: int
    status: str
    error: str | None = None
    requested_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TARGET_STATUSES


TARGET_COLUMNS = (
    "job_id, partition_key, artist_id::text, generation, run_key, batch_id, root_run_id, run_id, "
    "attempt, status, error, requested_at, started_at, ended_at"
)


@dataclass(frozen=True)
class StepState:
    job_id: str
    partition_key: str
    step: str
    position: int
    status: str
    progress: int
    message: str | None
    total_items: int
    processed_items: int
    successful_items: int
    failed_items: int
    error: str | None
    provider: str | None
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime


STEP_COLUMNS = (
    "job_id, partition_key, step, position, status, progress, message, total_items, processed_items, "
    "successful_items, failed_items, error, provider, started_at, ended_at, updated_at"
)


def load_targets(conn: psycopg.Connection, where: str, params: tuple[object, ...]) -> list[Target]:
    with conn.cursor(row_factory=class_row(Target)) as cur:
        return cur.execute(
            f"SELECT {TARGET_COLUMNS} FROM pipelines.sync_job_targets WHERE {where}", params
        ).fetchall()


def load_steps(conn: psycopg.Connection, job_ids: list[str]) -> list[StepState]:
    with conn.cursor(row_factory=class_row(StepState)) as cur:
        return cur.execute(
            f"SELECT {STEP_COLUMNS} FROM pipelines.sync_step_state WHERE job_id = ANY(%s)", (job_ids,)
        ).fetchall()
