"""The writes that follow a run: a step starts, progresses, ends; the run ends.

Each call is one transaction: resolve the run's targets, take them over, change their state, roll
the jobs up. Every call is idempotent and safe to repeat (the run-status sensors and the
reconciliation may both report the same end).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import Connection

from .models import STEP_BY_NAME, RunInfo, RunOutcome, StepState, Target
from .redact import redact
from .rollup import load_steps, rollup
from .runs import resolve_targets, take_over

# A provider is named in an error only when the failure itself says which (never guessed from the step:
# a run killed during the catalog step is not Spotify's fault).
_PROVIDER_WORDS = (
    ("spotify", re.compile(r"(?i)spotify")),
    ("ticketmaster", re.compile(r"(?i)ticketmaster")),
    ("setlistfm", re.compile(r"(?i)setlist\.?fm")),
)


def guess_provider(text: str | None) -> str | None:
    for provider, pattern in _PROVIDER_WORDS:
        if text and pattern.search(text):
            return provider
    return None


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


def _keys(targets: list[Target]) -> tuple[list[str], list[str]]:
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
        jobs, pks = _keys(mine)
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
        jobs, pks = _keys(mine)
        conn.execute(
            "UPDATE pipelines.sync_step_state SET progress = COALESCE(%(progress)s, progress), "
            "message = COALESCE(%(msg)s, message), total_items = COALESCE(%(total)s, total_items), "
            "processed_items = COALESCE(%(processed)s, processed_items), "
            "successful_items = COALESCE(%(ok)s, successful_items), "
            "failed_items = COALESCE(%(failed)s, failed_items), updated_at = now() "
            f"WHERE {_WHERE_MINE} AND status = 'in_progress'",
            {
                "progress": None if counts.progress() is None else min(99, counts.progress() or 0),
                "msg": redact(message, 500),
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
    """The step ended: completed (`ok`), or failed with `error` at `provider`."""
    with conn.transaction():
        mine = _mine(conn, run, partition_keys)
        if not mine:
            return False
        jobs, pks = _keys(mine)
        error = None if ok else redact(error or "the step failed")
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
                "msg": redact(message, 500) or ("done" if ok else "failed"),
                "total": counts.total_items,
                "processed": counts.processed_items,
                "okc": counts.successful_items,
                "failed": counts.failed_items,
                "error": error,
                "provider": None if ok else (provider or guess_provider(error)),
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


def finish_run(conn: Connection, run: RunInfo, outcome: RunOutcome) -> list[str]:
    """Settle the targets of an ended run; returns the job ids it settled."""
    with conn.transaction():
        mine = take_over(conn, run, resolve_targets(conn, run, create=True), started=False)
        if not mine:
            return []
        jobs, pks = _keys(mine)
        states: dict[tuple[str, str], list[StepState]] = defaultdict(list)
        for st in load_steps(conn, jobs):
            states[(st.job_id, st.partition_key)].append(st)
        updates = []
        for t in mine:
            target_steps = states[(t.job_id, t.partition_key)]
            first = _first_failure(outcome, target_steps)
            updates.extend(_settle_step(st, outcome, first) for st in target_steps)
        updates = [u for u in updates if u is not None]
        if updates:
            cols = [list(c) for c in zip(*updates, strict=True)]
            conn.execute(
                "UPDATE pipelines.sync_step_state s SET status = v.status, progress = v.progress, "
                "message = v.message, error = v.error, provider = v.provider, "
                "ended_at = CASE WHEN v.status IN ('completed', 'failed') THEN COALESCE(s.ended_at, %s) END, "
                "updated_at = now() FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::int[], "
                "%s::text[], %s::text[], %s::text[]) AS v(job_id, pk, step, status, progress, message, error, "
                "provider) WHERE s.job_id = v.job_id AND s.partition_key = v.pk AND s.step = v.step",
                [outcome.ended_at, *cols],
            )
        status = {"success": "succeeded", "failure": "failed", "canceled": "canceled"}[outcome.status]
        if outcome.will_retry and outcome.status == "failure":
            status = "retrying"
        conn.execute(
            "UPDATE pipelines.sync_job_targets t SET status = %(status)s, error = %(error)s, "
            "ended_at = CASE WHEN t.status = %(status)s AND t.ended_at IS NOT NULL THEN t.ended_at "
            "ELSE %(ended)s END, updated_at = now() "
            "FROM unnest(%(jobs)s::text[], %(pks)s::text[]) AS v(job_id, pk) "
            "WHERE t.job_id = v.job_id AND t.partition_key = v.pk "
            "AND (t.status, t.error) IS DISTINCT FROM (%(status)s, %(error)s)",
            {
                "status": status,
                "ended": None if status == "retrying" else outcome.ended_at,
                "error": None if status == "succeeded" else redact(outcome.run_error),
                "jobs": jobs,
                "pks": pks,
            },
        )
        rollup(conn, jobs)
    return sorted(set(jobs))


def _failed(s: StepState, outcome: RunOutcome) -> bool:
    """Whether the step itself broke (as opposed to not running because another did)."""
    return (
        s.status == "in_progress"
        or (s.status == "failed" and bool(s.error))
        or STEP_BY_NAME[s.step].asset in outcome.step_errors
    )


def _first_failure(outcome: RunOutcome, steps: list[StepState]) -> str | None:
    failed = [s for s in steps if s.status != "completed" and _failed(s, outcome)]
    return min(failed, key=lambda s: s.position).step if failed else None


def _settle_step(s: StepState, outcome: RunOutcome, first_failure: str | None) -> tuple[object, ...] | None:
    """The step's state once the run has ended, or None when it stays as it is."""
    asset = STEP_BY_NAME[s.step].asset
    done = outcome.status == "success" or asset in outcome.materialized_in(s.partition_key)
    row = (s.job_id, s.partition_key, s.step)
    if done:
        if s.status == "completed":
            return None
        message = s.message if s.status == "in_progress" and s.message not in (None, "running") else "done"
        return (*row, "completed", 100, message, None, None)
    if s.status == "completed":
        return None
    if _failed(s, outcome):
        reported = outcome.step_errors.get(asset)
        error = s.error if s.status == "failed" and s.error else (reported or outcome.run_error)
        if not error:
            error = (
                "the run was canceled during this step"
                if outcome.status == "canceled"
                else "the run ended during this step without a report (its process may have died)"
            )
        error = redact(error)
        if outcome.will_retry and outcome.status == "failure":
            return (*row, "pending", 0, f"retry queued after: {error}", None, None)
        return (*row, "failed", s.progress, "failed", error, s.provider or guess_provider(error))
    if outcome.will_retry and outcome.status == "failure":
        return None if s.status == "pending" else (*row, "pending", 0, "waiting for the retry", None, None)
    if outcome.status == "canceled":
        why = "not run: the run was canceled"
    elif first_failure:
        why = f"not run: {first_failure} failed first"
    else:
        why = "not run: the run failed before this step"
    return (*row, "failed", 0, why, None, None)
