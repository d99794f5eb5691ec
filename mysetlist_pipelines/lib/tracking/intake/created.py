"""Jobs the pipelines create themselves: one `sync_jobs` row per artist, already in progress, for
work the app did not ask for (a run launched from Dagster, a fleet refresh in batch runs)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg import Connection
from psycopg.types.json import Jsonb

from ...steps import Step, steps_for
from ..locks import lock_jobs
from ..progress.rollup import rollup
from ..state_rows import STEP_POSITION
from .claim_writes import insert_steps


@dataclass(frozen=True)
class NewJobs:
    job_type: str
    partition_keys: Sequence[str]
    steps: Sequence[Step]
    priority: int = 2
    max_retries: int = 0
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # How the targets are found again: by run lineage (a run from elsewhere) or by batch.
    root_run_id: str | None = None
    run_id: str | None = None
    attempt: int = 0
    batch_id: str | None = None


def create_jobs(conn: Connection, new: NewJobs) -> dict[str, str]:
    """Insert the rows (call inside a transaction); returns partition key -> job id."""
    keys = list(dict.fromkeys(new.partition_keys))
    if not keys or not new.steps:
        return {}
    known = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT partition_key, artist_id::text, name FROM pipelines.artist_keys WHERE partition_key = ANY(%s)",
            (keys,),
        )
    }
    job_ids = [str(uuid.uuid4()) for _ in keys]
    metas = [
        Jsonb(
            {
                **new.metadata,
                "partition_key": key,
                **({"artist_name": known[key][1]} if key in known and known[key][1] else {}),
            }
        )
        for key in keys
    ]
    conn.execute(
        "INSERT INTO sync_jobs (id, entity_type, entity_id, job_type, priority, status, started_at, "
        "metadata, auto_retry, max_retries) "
        "SELECT v.id, 'artist', v.entity, %s, %s, 'in_progress', now(), v.meta, %s, %s "
        "FROM unnest(%s::text[], %s::text[], %s::jsonb[]) AS v(id, entity, meta)",
        (
            new.job_type,
            new.priority,
            new.max_retries > 0,
            new.max_retries,
            job_ids,
            [known.get(k, (None,))[0] or k for k in keys],
            metas,
        ),
    )
    conn.execute(
        "INSERT INTO pipelines.sync_job_targets (job_id, partition_key, artist_id, root_run_id, run_id, "
        "attempt, batch_id) SELECT v.job_id, v.pk, v.artist::uuid, %s, %s, %s, %s "
        "FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(job_id, pk, artist)",
        (
            new.root_run_id,
            new.run_id,
            new.attempt,
            new.batch_id,
            job_ids,
            keys,
            [known.get(k, (None,))[0] for k in keys],
        ),
    )
    insert_steps(
        conn,
        [
            (j, k, s.step, STEP_POSITION[s.step])
            for j, k in zip(job_ids, keys, strict=True)
            for s in new.steps
        ],
    )
    return dict(zip(keys, job_ids, strict=True))


def open_batch(
    conn: Connection,
    batch_id: str,
    job_type: str,
    partition_keys: Sequence[str],
    priority: int = 3,
    metadata: Mapping[str, Any] | None = None,
    steps: Sequence[Step] | None = None,
) -> dict[str, str]:
    """Rows for a batch run: one `sync_jobs` row per artist (in progress, `metadata.batch_id`), served
    by the run(s) tagged `mysetlist/batch_id=<batch_id>` over those partitions. Launch the run after
    this commits; its steps and end then move each artist's row like any other. `steps`: those the
    run materializes when it selects only some assets of its job (default: every step of
    `job_type`). Returns partition key -> job id."""
    with conn.transaction():
        jobs = create_jobs(
            conn,
            NewJobs(
                job_type,
                partition_keys,
                list(steps) if steps else steps_for(job_type),
                priority=priority,
                metadata={
                    "source": "dagster",
                    "launched_by": "batch",
                    "batch_id": batch_id,
                    **(metadata or {}),
                },
                batch_id=batch_id,
            ),
        )
        lock_jobs(conn, jobs.values())
        rollup(conn, jobs.values())
    return jobs
