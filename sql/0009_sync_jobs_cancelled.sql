-- The app cancels a sync by setting sync_jobs.status = 'cancelled' (issue 16; app-contract section 2.8).
-- The app's own column is plain text; 0002 added a check that did not know this status yet.
ALTER TABLE sync_jobs DROP CONSTRAINT IF EXISTS sync_jobs_status_check;
ALTER TABLE sync_jobs ADD CONSTRAINT sync_jobs_status_check
    CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'partial', 'cancelled'));
