"""Alerts for sync jobs: `send` (one alert on both channels, the webhook behind the cooldown) and
`jobs_ended` (a job that ended `failed` or `partial`, called by the run-status sensors), tagged with
provider, job_type, step, sync_job_id and artist, and grouped by (job_type, status, step, provider) so
one provider outage failing many jobs is one Sentry issue.

Apart from the other alerts because it alone reads the tracking rows (which step failed, which provider).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

import psycopg

from ..providers import registry
from ..redaction import redact_error as redact
from .alert_settings import AlertSettings
from .cooldown import cooldown_passed
from .sentry_events import capture, init_monitoring
from .webhook import start_webhook


def send(
    conn: psycopg.Connection,
    text: str,
    tags: Mapping[str, str | None],
    fingerprint: list[str],
    settings: AlertSettings | None = None,
) -> threading.Thread | None:
    """One alert: a Sentry event (grouped by `fingerprint`), and a webhook message unless one for the
    same fingerprint went out within the cooldown. Returns the webhook's thread, if one was started."""
    settings = settings or AlertSettings()
    text = redact(text, limit=2000) or ""
    if init_monitoring(settings):
        capture(text, tags, fingerprint)
    if not settings.webhook_url or not cooldown_passed(
        conn, ":".join(fingerprint), settings.cooldown_seconds
    ):
        return None
    return start_webhook(settings, text)


def jobs_ended(
    conn: psycopg.Connection, job_ids: Iterable[str], settings: AlertSettings | None = None
) -> list[str]:
    """Alert for those of `job_ids` that ended failed or partial; returns the ids alerted."""
    settings = settings or AlertSettings()
    if not (settings.sentry_on or settings.webhook_url):
        return []
    rows = conn.execute(
        "SELECT j.id, j.status, j.job_type, j.error, "
        "COALESCE(j.metadata->>'artist_name', a.name, j.spotify_id, j.entity_id), "
        "(SELECT s.step FROM pipelines.sync_step_state s WHERE s.job_id = j.id AND s.status = 'failed' "
        " AND s.error IS NOT NULL ORDER BY s.position LIMIT 1), "
        "(SELECT s.provider FROM pipelines.sync_step_state s WHERE s.job_id = j.id AND s.status = 'failed' "
        " AND s.error IS NOT NULL ORDER BY s.position LIMIT 1) "
        "FROM sync_jobs j LEFT JOIN artists a ON a.id::text = j.entity_id "
        "WHERE j.id = ANY(%s) AND j.status IN ('failed', 'partial')",
        (list(job_ids),),
    ).fetchall()
    for job_id, status, job_type, error, artist, step, provider in rows:
        provider = provider or registry.named_in(error)
        send(
            conn,
            f"sync job {job_id} ({job_type}, {artist}) ended {status}: {error or 'no error recorded'}",
            {
                "provider": provider,
                "job_type": job_type,
                "step": step,
                "sync_job_id": job_id,
                "artist": artist,
            },
            ["sync_job", job_type, status, step or "-", provider or "-"],
            settings,
        )
    return [r[0] for r in rows]
