"""Runs and the jobs they serve: which targets a run owns, and a row for runs started elsewhere.

A run serves the targets of the job named by its `mysetlist/sync_job_id` tag (and its run key), of
its `mysetlist/batch_id` tag, or of its run lineage (root run id). A run of the artist assets with none
of these (launched from the Dagster UI, a backfill, a schedule) gets a `sync_jobs` row of its own, with
`metadata.source = 'dagster'`, so the app sees every sync (outside_runs.py).

A run takes a target over when the target has no run yet, is already its own, or belongs to the
run's parent (a retry or re-execution). Events of runs that were superseded are ignored.
"""

from __future__ import annotations

from psycopg import Connection

from ..locks import lock_jobs
from ..run_records import RunInfo
from ..state_rows import FINAL_TARGET_STATUSES, Target, load_targets
from .outside_runs import create_outside_jobs


def owns(target: Target, run: RunInfo) -> bool:
    if target.run_id in (None, run.run_id) or (run.parent_run_id and target.run_id == run.parent_run_id):
        return target.root_run_id in (None, run.lineage_root)
    return False


def resolve_targets(conn: Connection, run: RunInfo, create: bool = True) -> list[Target]:
    """The targets `run` serves (creating a job for a run started outside the app when `create`)."""
    keys = list(run.partition_keys)
    if run.sync_job_id:
        found = load_targets(conn, "job_id = %s", (run.sync_job_id,))
        # The run key tells this request's runs from those of an earlier request of the same job.
        found = [t for t in found if t.run_key is None or t.run_key == run.run_key]
    elif run.batch_id:
        found = load_targets(conn, "batch_id = %s", (run.batch_id,))
    else:
        found = load_targets(conn, "root_run_id = %s", (run.lineage_root,))
        if not found and create:
            found = create_outside_jobs(conn, run)
    return [t for t in found if not keys or t.partition_key in keys]


def needs_settling(conn: Connection, run: RunInfo) -> bool:
    """Whether the end of `run` still has to be written (cheap: no Dagster event is read)."""
    targets = resolve_targets(conn, run, create=False)
    if not targets:
        return not (run.sync_job_id or run.batch_id)  # started elsewhere: its row is still to create
    return any(
        owns(t, run) and not (t.run_id == run.run_id and t.status in FINAL_TARGET_STATUSES) for t in targets
    )


def take_over(conn: Connection, run: RunInfo, targets: list[Target], started: bool) -> list[Target]:
    """Make `run` the owner of the targets it may own; returns those it owns, locked."""
    mine = [t for t in targets if owns(t, run)]
    if not mine:
        return []
    lock_jobs(conn, [t.job_id for t in mine])
    # Re-read under the locks: another writer may have moved the targets on meanwhile.
    fresh = load_targets(
        conn,
        "(job_id, partition_key) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
        ([t.job_id for t in mine], [t.partition_key for t in mine]),
    )
    # A target cancelled under this run (or before any run came) ignores the run's late reports.
    mine = [
        t for t in fresh if owns(t, run) and not (t.status == "canceled" and t.run_id in (None, run.run_id))
    ]
    newcomers = [t for t in mine if t.run_id != run.run_id]
    if newcomers:
        # A re-execution without Dagster's retry number still counts as one more attempt.
        attempts = [max(run.attempt, t.attempt + 1) if t.run_id else run.attempt for t in newcomers]
        conn.execute(
            "UPDATE pipelines.sync_job_targets t SET run_id = %s, root_run_id = %s, attempt = v.attempt, "
            "status = CASE WHEN %s THEN 'running' ELSE 'queued' END, ended_at = NULL, error = NULL, "
            "started_at = CASE WHEN %s THEN COALESCE(t.started_at, now()) ELSE t.started_at END, "
            "updated_at = now() "
            "FROM unnest(%s::text[], %s::text[], %s::int[]) AS v(job_id, pk, attempt) "
            "WHERE t.job_id = v.job_id AND t.partition_key = v.pk",
            (
                run.run_id,
                run.lineage_root,
                started,
                started,
                [t.job_id for t in newcomers],
                [t.partition_key for t in newcomers],
                attempts,
            ),
        )
    if started:
        conn.execute(
            "UPDATE pipelines.sync_job_targets SET status = 'running', "
            "started_at = COALESCE(started_at, now()), updated_at = now() "
            "WHERE run_id = %s AND status IN ('queued', 'retrying')",
            (run.run_id,),
        )
    keys = ([t.job_id for t in mine], [t.partition_key for t in mine])
    return load_targets(
        conn, "(job_id, partition_key) IN (SELECT * FROM unnest(%s::text[], %s::text[]))", keys
    )
