"""A `sync_jobs` row for a run of the artist assets started outside the app (the Dagster UI, a backfill,
a schedule): `metadata.source = 'dagster'`, who launched it, its priority and retries read back from the
run's tags, so the app sees every sync. One creator per run lineage.

Apart from the run's targets (run_targets.py) because this is the one place a run makes a row the app
never asked for.
"""

from __future__ import annotations

from psycopg import Connection

from ...dagster_tags import BACKFILL_TAG, SCHEDULE_NAME_TAG, SENSOR_NAME_TAG
from ..intake.created import NewJobs, create_jobs
from ..intake.launches import DAGSTER_PRIORITY
from ..run_records import RunInfo
from ..run_tags import MAX_RETRIES_TAG, PRIORITY_TAG
from ..state_rows import Target, load_targets

_PRIORITY_FROM_DAGSTER = {v: k for k, v in DAGSTER_PRIORITY.items()}


def _launched_by(run: RunInfo) -> str:
    tags = run.tags
    if BACKFILL_TAG in tags:
        return "backfill"
    if SCHEDULE_NAME_TAG in tags:
        return "schedule"
    if SENSOR_NAME_TAG in tags:
        return "sensor"
    return "dagster"


def create_outside_jobs(conn: Connection, run: RunInfo) -> list[Target]:
    steps = run.steps()
    if not steps or not run.partition_keys:
        return []  # not a sync of artists: nothing the app tracks
    # One creator per run lineage, however many of its steps start at once.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('pipelines.run:' || %s))", (run.lineage_root,))
    found = load_targets(conn, "root_run_id = %s", (run.lineage_root,))
    if found:
        return found
    try:
        priority = _PRIORITY_FROM_DAGSTER.get(int(run.tags.get(PRIORITY_TAG, "0")), 2)
        max_retries = max(0, int(run.tags.get(MAX_RETRIES_TAG, "0")))
    except ValueError:
        priority, max_retries = 2, 0
    jobs = create_jobs(
        conn,
        NewJobs(
            run.job_type(),
            run.partition_keys,
            steps,
            priority=priority,
            max_retries=max_retries,
            metadata={"source": "dagster", "launched_by": _launched_by(run), "dagster_run_id": run.run_id},
            root_run_id=run.lineage_root,
            run_id=run.run_id,
            attempt=run.attempt,
        ),
    )
    job_ids = list(jobs.values())
    return load_targets(conn, "job_id = ANY(%s)", (job_ids,))
