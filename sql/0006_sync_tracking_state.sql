-- What the pipelines know about each sync job, apart from the app's tables (issue 5).
-- The app's sync_jobs / sync_progress / import_status rows are derived from these two tables by
-- lib/tracking/rollup.py, so any writer (the run itself, the sensors, the reconciliation) can repair
-- them at any time, and a row edited behind the pipelines' back is put right on the next pass.

-- One target per (job, artist partition): a job is served by one Dagster run lineage per artist
-- (an `artist` job has one target; a `venue` job may fan out to several artists).
CREATE TABLE IF NOT EXISTS pipelines.sync_job_targets (
    job_id text NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
    partition_key text NOT NULL,
    artist_id uuid,
    -- The nth time the app asked for this job (a finished row set back to `pending` asks again).
    generation integer NOT NULL DEFAULT 1,
    -- The pending-jobs sensor's run key (unique per sensor forever); NULL for runs started elsewhere.
    run_key text,
    -- Set by batch launchers (fleet refreshes) that tag their runs `mysetlist/batch_id`.
    batch_id text,
    -- The run lineage serving this target: the first run, and the latest run (a retry) with its number.
    root_run_id text,
    run_id text,
    attempt integer NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'canceled')),
    error text,
    requested_at timestamptz NOT NULL DEFAULT now(),
    -- How often the run request was issued (re-issued while Dagster shows no run for it).
    request_count integer NOT NULL DEFAULT 1,
    started_at timestamptz,
    ended_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, partition_key)
);

CREATE INDEX IF NOT EXISTS sync_job_targets_run_id_idx ON pipelines.sync_job_targets (run_id);
CREATE INDEX IF NOT EXISTS sync_job_targets_root_run_id_idx ON pipelines.sync_job_targets (root_run_id);
CREATE INDEX IF NOT EXISTS sync_job_targets_batch_id_idx ON pipelines.sync_job_targets (batch_id)
    WHERE batch_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS sync_job_targets_artist_idx ON pipelines.sync_job_targets (artist_id);
CREATE INDEX IF NOT EXISTS sync_job_targets_open_idx ON pipelines.sync_job_targets (status)
    WHERE status IN ('queued', 'running', 'retrying');
CREATE INDEX IF NOT EXISTS sync_job_targets_updated_idx ON pipelines.sync_job_targets (updated_at);

-- One row per step of a target; sync_progress (one row per step of a job) aggregates them.
CREATE TABLE IF NOT EXISTS pipelines.sync_step_state (
    job_id text NOT NULL,
    partition_key text NOT NULL,
    step text NOT NULL,
    position integer NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'completed', 'failed')),
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    message text,
    total_items integer NOT NULL DEFAULT 0,
    processed_items integer NOT NULL DEFAULT 0,
    successful_items integer NOT NULL DEFAULT 0,
    failed_items integer NOT NULL DEFAULT 0,
    -- A real failure (not a step skipped because another failed): what broke, and at which provider.
    error text,
    provider text,
    run_id text,
    started_at timestamptz,
    ended_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, partition_key, step),
    FOREIGN KEY (job_id, partition_key)
        REFERENCES pipelines.sync_job_targets (job_id, partition_key) ON DELETE CASCADE
);
