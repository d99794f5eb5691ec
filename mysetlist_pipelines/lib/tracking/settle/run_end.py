"""The end of a run: each step it covered settles (completed, failed with its error, or skipped
saying why; pending again when Dagster will retry), then the target, then the job."""

from __future__ import annotations

from collections import defaultdict

from psycopg import Connection

from ...providers import registry
from ...redaction import redact_error
from ..progress.events import target_keys
from ..progress.rollup import rollup
from ..run_records import RunInfo, RunOutcome
from ..state_rows import STEP_BY_NAME, StepState, load_steps
from .cancellation import STEP_MESSAGE, cancelled_in_dagster
from .run_targets import resolve_targets, take_over


def finish_run(conn: Connection, run: RunInfo, outcome: RunOutcome) -> list[str]:
    """Settle the targets of an ended run; returns the job ids it settled."""
    with conn.transaction():
        mine = take_over(conn, run, resolve_targets(conn, run, create=True), started=False)
        if not mine:
            return []
        jobs, pks = target_keys(mine)
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
                "error": cancelled_in_dagster(run.run_id)
                if status == "canceled"
                else None
                if status == "succeeded"
                else redact_error(outcome.run_error),
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
    if s.status == "failed" and s.error and outcome.status == "success":
        return None  # one artist of a batch step that went on for the others: it stays failed
    if done:
        if s.status == "completed":
            return None
        message = s.message if s.status == "in_progress" and s.message not in (None, "running") else "done"
        return (*row, "completed", 100, message, None, None)
    if s.status == "completed":
        return None
    if outcome.status == "canceled" and not (s.status == "failed" and s.error):
        return (*row, "failed", s.progress if s.status == "in_progress" else 0, STEP_MESSAGE, None, None)
    if _failed(s, outcome):
        reported = outcome.step_errors.get(asset)
        error = s.error if s.status == "failed" and s.error else (reported or outcome.run_error)
        if not error:
            error = "the run ended during this step without a report (its process may have died)"
        error = redact_error(error)
        if outcome.will_retry and outcome.status == "failure":
            # The provider stays: if the retry never comes, the final error still names it.
            return (*row, "pending", 0, f"retry queued after: {error}", None, s.provider)
        # No provider recorded: the step's process died before its hook wrote, and only the failure's
        # text reached us; a ProviderError's text starts with its provider's label.
        return (*row, "failed", s.progress, "failed", error, s.provider or registry.named_in(error))
    if outcome.will_retry and outcome.status == "failure":
        return None if s.status == "pending" else (*row, "pending", 0, "waiting for the retry", None, None)
    if first_failure:
        why = f"not run: {first_failure} failed first"
    else:
        why = "not run: the run failed before this step"
    return (*row, "failed", 0, why, None, None)
