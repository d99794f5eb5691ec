"""Sentry through sentry-sdk: initialised once per process, every string of an event through the
project's redactor (`before_send`), one event per alert with its tags and fingerprint.

Apart from the alerts themselves because every kind of alert shares this channel and its one-time init.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..redaction import redact_error as redact
from .alert_settings import AlertSettings

_initialised: str | None = None


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


def capture(text: str, tags: Mapping[str, str | None], fingerprint: list[str]) -> None:
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        for key, value in tags.items():
            if value:
                scope.set_tag(key, redact(value, limit=200))
        scope.fingerprint = fingerprint
        sentry_sdk.capture_message(text, level="error")
