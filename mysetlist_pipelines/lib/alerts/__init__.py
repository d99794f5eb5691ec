"""Alerts for operators: Sentry (`SENTRY_DSN`, unless `MONITORING_ENABLED=false`) and a chat webhook
(`MYSETLIST_ALERT_WEBHOOK_URL`, one `{"text": ...}` POST per alert, Slack's incoming-webhook shape).

What alerts: a sync job that ends `failed` or `partial` (the run-status sensors call `jobs_ended`);
a provider's circuit breaker opening and a provider's daily budget spent, ours or the provider's own
(lib/http calls `provider_alert`, once per outage: both channels wait out the cooldown there, since
every call during an outage would report it again); an unexpected exception in a sensor's or a
schedule's evaluation (defs/evaluation.py calls `evaluation_failed`, once per cooldown for both
channels too: a sensor failing every 2 s would report it every 2 s). Each Sentry event carries tags (provider, job_type, step, sync_job_id, artist) and a
fingerprint of (job_type, status, step, provider), so one provider outage failing many jobs is one
Sentry issue; no default PII is sent and every string of an event goes through the project's
redactor (`before_send`). The webhook sends at most one message per (job_type, step, provider) in
`MYSETLIST_ALERT_COOLDOWN_SECONDS` (default 900; the cooldown is shared by every process through
`pipelines.alert_cooldown`), from a background thread with a short timeout: a webhook that fails or
hangs never fails or slows a sync.

The package is split by channel and by what alerts: alert_settings.py (the environment), sentry_events.py
(sentry-sdk: init, redaction, capture), webhook.py (the chat POST), cooldown.py (once per fingerprint in
the cooldown), and one module per kind of alert: job_alerts.py, provider_outages.py,
evaluation_alerts.py. Callers use the names below.
"""

from __future__ import annotations

from .alert_settings import AlertSettings
from .evaluation_alerts import evaluation_failed
from .job_alerts import jobs_ended, send
from .provider_outages import provider_alert
from .sentry_events import before_send, init_monitoring

__all__ = [
    "AlertSettings",
    "before_send",
    "evaluation_failed",
    "init_monitoring",
    "jobs_ended",
    "provider_alert",
    "send",
]
