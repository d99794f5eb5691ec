-- The sync-tracking tables the app reads (app-contract section 1), their indexes and functions.

CREATE TABLE IF NOT EXISTS sync_jobs (
    id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    spotify_id text,
    ticketmaster_id text,
    setlistfm_id text,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'partial')),
    priority integer NOT NULL DEFAULT 1,
    total_steps integer DEFAULT 0,
    completed_steps integer DEFAULT 0,
    current_step text,
    job_type text NOT NULL,
    metadata jsonb,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    completed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    auto_retry boolean DEFAULT true,
    max_retries integer DEFAULT 3,
    retry_count integer DEFAULT 0
);

CREATE TABLE IF NOT EXISTS sync_progress (
    id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    job_id text NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
    step text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'completed', 'failed')),
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    message text,
    total_items integer DEFAULT 0,
    processed_items integer DEFAULT 0,
    successful_items integer DEFAULT 0,
    failed_items integer DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS import_status (
    id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    artist_id text NOT NULL,
    stage text NOT NULL,
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    message text,
    error text,
    completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cron_logs (
    id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    job_name text NOT NULL,
    status text NOT NULL CHECK (status IN ('success', 'failed', 'timeout')),
    execution_time_ms integer,
    error_message text,
    result jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS sync_jobs_status_idx ON sync_jobs (status);
CREATE INDEX IF NOT EXISTS sync_jobs_entity_idx ON sync_jobs (entity_type, entity_id);
CREATE INDEX IF NOT EXISTS sync_jobs_priority_created_idx ON sync_jobs (priority, created_at);
-- One progress row per step of a job, one import banner per artist: upserts key on these.
CREATE UNIQUE INDEX IF NOT EXISTS sync_progress_job_step_key ON sync_progress (job_id, step);
CREATE INDEX IF NOT EXISTS sync_progress_job_id_idx ON sync_progress (job_id);
CREATE UNIQUE INDEX IF NOT EXISTS import_status_artist_id_key ON import_status (artist_id);
CREATE INDEX IF NOT EXISTS cron_logs_job_name_created_idx ON cron_logs (job_name, created_at);

CREATE OR REPLACE FUNCTION log_cron_run(
    p_job_name text,
    p_status text,
    p_execution_time_ms integer DEFAULT NULL,
    p_error_message text DEFAULT NULL,
    p_result jsonb DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_id text;
BEGIN
    INSERT INTO cron_logs (job_name, status, execution_time_ms, error_message, result)
    VALUES (p_job_name, p_status, p_execution_time_ms, p_error_message, p_result)
    RETURNING id INTO v_id;
    RETURN v_id;
END;
$$;

-- Finished jobs (completed/failed) leave after 7 days, cron logs after 30; pending, running and
-- partial jobs stay. A job's age is taken from when it finished, or was created if it never did.
CREATE OR REPLACE FUNCTION cleanup_old_sync_data() RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM sync_jobs
    WHERE status IN ('completed', 'failed')
      AND COALESCE(completed_at, created_at) < now() - interval '7 days';
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    DELETE FROM cron_logs WHERE created_at < now() - interval '30 days';
    RETURN v_deleted;
END;
$$;
