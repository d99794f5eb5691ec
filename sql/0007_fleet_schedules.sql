-- Scheduled fleet work (issue 6): trending scores in the app's tables, and the batches schedules launch.

-- The app's own schema has these columns already (double precision, default 0); the contract's section 3
-- does not list them, so they are added only where missing. calculate-trending rewrites them (README).
ALTER TABLE artists ADD COLUMN IF NOT EXISTS trending_score double precision DEFAULT 0;
ALTER TABLE shows ADD COLUMN IF NOT EXISTS trending_score double precision DEFAULT 0;

-- One row per batch run a schedule tick launched: which artists it serves (one sync_jobs row each,
-- pipelines.sync_job_targets.batch_id = batch_id), the partition range of its run, and the provider
-- calls it was expected to spend, so that later ticks count work still queued or running against the
-- day's budget. A tick evaluated again (the daemon retries a failed or interrupted tick) finds its
-- batches here and requests the same runs instead of planning new ones.
CREATE TABLE IF NOT EXISTS pipelines.fleet_batches (
    batch_id text PRIMARY KEY,
    schedule text NOT NULL,
    tick timestamptz NOT NULL,                   -- the tick's scheduled execution time
    job_name text NOT NULL,                      -- the Dagster job the run executes
    job_type text NOT NULL,                      -- sync_jobs.job_type of its rows
    asset_selection text[],                      -- NULL: every asset of the job
    run_config jsonb NOT NULL DEFAULT '{}'::jsonb,
    partition_keys text[] NOT NULL,              -- the artists it syncs, in partition order
    range_start text NOT NULL,
    range_end text NOT NULL,
    skipped_keys text[] NOT NULL DEFAULT '{}',   -- inside the range, not in the batch: not synced
    expected_calls jsonb NOT NULL DEFAULT '{}'::jsonb,  -- {"spotify": n, "ticketmaster": n, "setlistfm": n}
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS fleet_batches_schedule_tick_idx ON pipelines.fleet_batches (schedule, tick);
CREATE INDEX IF NOT EXISTS fleet_batches_created_idx ON pipelines.fleet_batches (created_at);
