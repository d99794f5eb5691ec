-- The alert webhook's cooldown (lib/alerts.py, issue 16), shared by every process: one row per alert
-- fingerprint (job type, status, step, provider), with when its last message went out.
CREATE TABLE IF NOT EXISTS pipelines.alert_cooldown (
    key text PRIMARY KEY,
    sent_at timestamptz NOT NULL
);
