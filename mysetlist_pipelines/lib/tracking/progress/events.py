"""The writes that follow a run: a step starts, progresses, ends; the run ends.

Each call is one transaction: resolve the run's targets, take them over, change their state, roll
the jobs up. Every call is idempotent and safe to repeat (the run-status sensors and the
reconciliation may both report the same end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import Connection

from ...redaction import redact_error
from ..run_records import RunInfo
from ..settle.run_targets import resolve_targets, take_over
from ..state_rows import Target
from .rollup import rollup


@dataclass(frozen=True)
class Counts:
    total_items: int | None = None
    processed_items: int | None = None
    successful_items: int | None = None
    failed_items: int | None = None

    def progress(self) -> int | None:
        if self.total_items and self.processed_items is not None:
            return max(0, min(100, round(100 * self.processed_items / self.total_items)))
        return None


def _mine(conn: Connection, run: RunInfo, partition_keys: Sequence[str] | None) -> list[Target]:
    targets = resolve_targets(conn, run, create=True)
    if partition_keys:
        targets = [t for t in targets if t.partition_key in partition_keys]
    return take_over(conn, run, targets, started=True)


def target_keys(targets: list[Target]) -> tuple[list[str], list[str]]:
    return [t.job_id for t in targets], [t.partition_key for t in targets]


_WHERE_MINE = (
    "(job_id, partition_key) IN (SELECT * FROM unnest(%(jobs)s::text[], %(pks)s::text[])) AND step = %(step)s"
)


def step_started(
    conn: Connection,
    run: RunInfo,
    step: str,
    partition_keys: Sequence[str] | None = None,
    message: str | None = None,
) -> bool:
    """The step is running now (again, if it is retried). False when the run tracks no job."""
    with conn.transaction():
        mine = _mine(conn, run, partition_keys)
        if not mine:
            return False
        jobs, pks = target_keys(mine)
        conn.execute(
            "UPDATE pipelines.sync_step_state SET status = 'in_progress', progress = 0, message = %(msg)s, "
            "total_items = 0, processed_items = 0, successful_items = 0, failed_items = 0, error = NULL, "
            "provider = NULL, run_id = %(run)s, started_at = now(), ended_at = NULL, updated_at = now() "
            f"WHERE {_WHERE_MINE}",
            {"msg": message or "running", "run": run.run_id, "jobs": jobs, "pks": pks, "step": step},
        )
        rollup(conn, jobs)
    return True


def step_progress(
    conn: Connection,
    run: RunInfo,
    step: str,
    counts: Counts,
    message: str | None = None,
    partition_keys: Sequence[str] | None = None,
) -> bool:
    with conn.transaction():
        mine = _mine(conn, run, partition_keys)
        if not mine:
            return False
        jobs, pks = target_keys(mine)
        conn.execute(
            "UPDATE pipelines.sync_step_state SET progress = COALESCE(%(progress)s, progress), "
            "message = COALESCE(%(msg)s, message), total_items = COALESCE(%(total)s, total_items), "
            "processed_items = COALESCE(%(processed)s, processed_items), "
            "successful_items = COALESCE(%(ok)s, successful_items), "
            "failed_items = COALESCE(%(failed)s, failed_items), updated_at = now() "
            f"WHERE {_WHERE_MINE} AND status = 'in_progress'",
            {
                "progress": None if counts.progress() is None else min(99, counts.progress() or 0),
                "msg": redact_error(message, 500),
                "total": counts.total_items,
                "processed": counts.processed_items,
                "ok": counts.successful_items,
                "failed": counts.failed_items,
                "jobs": jobs,
                "pks": pks,
                "step": step,
            },
        )
        rollup(conn, jobs)
    return True


def step_finished(
    conn: Connection,
    run: RunInfo,
    step: str,
    ok: bool,
    counts: Counts = Counts(),
    message: str | None = None,
    error: str | None = None,
    provider: str | None = None,
    partition_keys: Sequence[str] | None = None,
) -> bool:
    """The step ended: completed (`ok`), or failed with `error` at `provider` (the failing exception's
    own `provider`, as every ProviderError carries it; None when no provider is to blame)."""
    with conn.transaction():
        mine = _mine(conn, run, partition_keys)
        if not mine:
            return False
        jobs, pks = target_keys(mine)
        error = None if ok else redact_error(error or "the step failed")
        conn.execute(
            "UPDATE pipelines.sync_step_state SET status = %(status)s, "
            "progress = CASE WHEN %(ok)s THEN 100 ELSE progress END, message = %(msg)s, "
            "total_items = COALESCE(%(total)s, total_items), "
            "processed_items = COALESCE(%(processed)s, processed_items), "
            "successful_items = COALESCE(%(okc)s, successful_items), "
            "failed_items = COALESCE(%(failed)s, failed_items), error = %(error)s, provider = %(provider)s, "
            "run_id = %(run)s, started_at = COALESCE(started_at, now()), ended_at = now(), updated_at = now() "
            f"WHERE {_WHERE_MINE}",
            {
                "status": "completed" if ok else "failed",
                "ok": ok,
                "msg": redact_error(message, 500) or ("done" if ok else "failed"),
                "total": counts.total_items,
                "processed": counts.processed_items,
                "okc": counts.successful_items,
                "failed": counts.failed_items,
                "error": error,
                "provider": None if ok else provider,
                "run": run.run_id,
                "jobs": jobs,
                "pks": pks,
                "step": step,
            },
        )
        rollup(conn, jobs)
    return True


def link_run(conn: Connection, run: RunInfo, started: bool) -> list[str]:
    """Record that `run` serves its targets (queued in Dagster, or started); returns their job ids."""
    with conn.transaction():
        mine = take_over(conn, run, resolve_targets(conn, run, create=started), started=started)
        jobs = sorted({t.job_id for t in mine})
        rollup(conn, jobs)
    return jobs
