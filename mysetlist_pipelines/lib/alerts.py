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
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .providers import registry
from .redaction import redact_error as redact

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = (2.0, 3.0)  # connect, read: seconds
_initialised: str | None = None


class AlertSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    sentry_dsn: str | None = Field(None, validation_alias=AliasChoices("SENTRY_DSN"))
    monitoring_enabled: bool = Field(True, validation_alias=AliasChoices("MONITORING_ENABLED"))
    webhook_url: str | None = Field(None, validation_alias=AliasChoices("MYSETLIST_ALERT_WEBHOOK_URL"))
    cooldown_seconds: float = Field(
        900, ge=0, validation_alias=AliasChoices("MYSETLIST_ALERT_COOLDOWN_SECONDS")
    )

    @property
    def sentry_on(self) -> bool:
        return bool(self.sentry_dsn) and self.monitoring_enabled

    def sentry_host(self) -> str | None:
        """The DSN's host only (never its key), for check-env and logs."""
        return urlsplit(self.sentry_dsn).hostname if self.sentry_dsn else None


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value, limit=10_000)
    if isinstance(value, Mapping):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def before_send(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """Every string of the event through the project's redactor."""
    return _scrub(event)


def init_monitoring(settings: AlertSettings | None = None) -> bool:
    """Initialise sentry-sdk once per process when SENTRY_DSN is set; returns whether it is on."""
    global _initialised
    settings = settings or AlertSettings()
    if not settings.sentry_on:
        return False
    if _initialised == settings.sentry_dsn:
        return True
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        # No default PII: sentry-sdk's default (its old send_default_pii=False; the option is deprecated).
        before_send=before_send,  # type: ignore[arg-type]
        traces_sample_rate=0,
    )
    _initialised = settings.sentry_dsn
    return True


def _post(url: str, text: str) -> None:
    try:
        requests.post(url, json={"text": text}, timeout=WEBHOOK_TIMEOUT).raise_for_status()
    except Exception as exc:  # an alert channel down must never break anything else
        log.warning("alert webhook failed: %s", redact(str(exc)))


_COOLDOWN_SQL = (
    "INSERT INTO pipelines.alert_cooldown AS c (key, sent_at) VALUES (%s, now()) ON CONFLICT (key) "
    "DO UPDATE SET sent_at = now() WHERE c.sent_at < now() - make_interval(secs => %s) RETURNING key"
)


def _cooldown_passed(conn: psycopg.Connection, key: str, seconds: float) -> bool:
    return conn.execute(_COOLDOWN_SQL, (key, seconds)).fetchone() is not None


def _capture(text: str, tags: Mapping[str, str | None], fingerprint: list[str]) -> None:
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        for key, value in tags.items():
            if value:
                scope.set_tag(key, redact(value, limit=200))
        scope.fingerprint = fingerprint
        sentry_sdk.capture_message(text, level="error")


def _webhook(settings: AlertSettings, text: str) -> threading.Thread | None:
    if not settings.webhook_url:
        return None
    thread = threading.Thread(target=_post, args=(settings.webhook_url, text), daemon=True)
    thread.start()
    return thread


_PROVIDER_EVENTS = {
    "breaker_open": "circuit breaker open",
    "quota": "the provider says today's quota is spent",
    "budget": "today's call budget is spent",
    "rate_limited": "rate limited for a long while",
}


def provider_alert(
    fetch: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]],
    provider: str,
    kind: str,
    reason: str | None,
    until: datetime | None,
    settings: AlertSettings | None = None,
) -> bool:
    """One alert per provider outage (`kind`: breaker_open | quota | budget | rate_limited), through
    `fetch` (lib/http's state store) for the shared cooldown. Never raises: an alert must not break
    the call that noticed the outage. Returns whether it was sent."""
    try:
        settings = settings or AlertSettings()
        if not (settings.sentry_on or settings.webhook_url):
            return False
        fingerprint = ["provider", provider, kind]
        if not fetch(_COOLDOWN_SQL, (":".join(fingerprint), settings.cooldown_seconds)):
            return False
        when = f" until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if until else ""
        label = registry.label(provider)
        text = redact(f"{label}: {_PROVIDER_EVENTS.get(kind, kind)}{when}: {reason or ''}".rstrip(": "), 2000)
        if init_monitoring(settings):
            _capture(text or "", {"provider": provider, "kind": kind}, fingerprint)
        _webhook(settings, text or "")
        return True
    except Exception as exc:
        log.warning("provider alert not sent: %s", redact(str(exc)))
        return False


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
        _capture(text, tags, fingerprint)
    if not settings.webhook_url or not _cooldown_passed(
        conn, ":".join(fingerprint), settings.cooldown_seconds
    ):
        return None
    return _webhook(settings, text)


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


# Cooldowns of evaluation alerts when the database is what failed (the shared table is out of reach).
_local_sent: dict[str, float] = {}
_local_lock = threading.Lock()


def _where(exc: BaseException) -> str:
    """module:function of the innermost frame that raised: the same exception in the same place is
    one Sentry issue whatever its message says (ids, times)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "-"
    frame = frames[-1]
    return f"{os.path.splitext(os.path.basename(frame.filename))[0]}:{frame.name}"


def _evaluation_cooldown(key: str, seconds: float) -> bool:
    """Whether the cooldown of `key` has passed: through pipelines.alert_cooldown (shared by the code
    server's processes), or this process's memory when that table cannot be reached."""
    from .db.runtime import app_database_url
    from .settings import get_settings

    try:
        with psycopg.connect(app_database_url(get_settings()), autocommit=True, connect_timeout=3) as conn:
            return _cooldown_passed(conn, key, seconds)
    except Exception:
        now = time.monotonic()
        with _local_lock:
            last = _local_sent.get(key)
            if last is not None and now - last < seconds:
                return False
            _local_sent[key] = now
        return True


def evaluation_failed(
    kind: str, name: str, exc: BaseException, settings: AlertSettings | None = None
) -> bool:
    """One alert for an unexpected exception in the evaluation of sensor or schedule `name`
    (`kind`: "sensor" | "schedule"). Tags: the sensor's or schedule's name, the exception's class
    and where it was raised; fingerprint (kind, name, class, where). Never raises: the caller
    re-raises the exception so that Dagster shows the failed tick. Returns whether it was sent."""
    try:
        settings = settings or AlertSettings()
        if not (settings.sentry_on or settings.webhook_url):
            return False
        where = _where(exc)
        fingerprint = ["evaluation", kind, name, type(exc).__name__, where]
        if not _evaluation_cooldown(":".join(fingerprint), settings.cooldown_seconds):
            return False
        text = redact(f"{kind} {name} failed: {type(exc).__name__}: {exc}", 2000) or ""
        if init_monitoring(settings):
            _capture(text, {kind: name, "exception": type(exc).__name__, "where": where}, fingerprint)
        _webhook(settings, text)
        return True
    except Exception as failure:
        log.warning("evaluation alert not sent: %s", redact(str(failure)))
        return False
