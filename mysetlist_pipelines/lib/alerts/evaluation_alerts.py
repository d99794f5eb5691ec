"""One alert for an unexpected exception in a sensor's or a schedule's evaluation (defs/evaluation.py
calls `evaluation_failed`), once per cooldown on both channels: a sensor failing every 2 s would
otherwise report it every 2 s.

Apart from the job alerts because it must work when the database is what failed (cooldown.py's
in-memory fallback) and groups by where the exception was raised, not by a job.
"""

from __future__ import annotations

import logging
import os
import traceback

from ..redaction import redact_error as redact
from .alert_settings import AlertSettings
from .cooldown import evaluation_cooldown
from .sentry_events import capture, init_monitoring
from .webhook import start_webhook

log = logging.getLogger(__name__)


def _where(exc: BaseException) -> str:
    """module:function of the innermost frame that raised: the same exception in the same place is
    one Sentry issue whatever its message says (ids, times)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "-"
    frame = frames[-1]
    return f"{os.path.splitext(os.path.basename(frame.filename))[0]}:{frame.name}"


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
        if not evaluation_cooldown(":".join(fingerprint), settings.cooldown_seconds):
            return False
        text = redact(f"{kind} {name} failed: {type(exc).__name__}: {exc}", 2000) or ""
        if init_monitoring(settings):
            capture(text, {kind: name, "exception": type(exc).__name__, "where": where}, fingerprint)
        start_webhook(settings, text)
        return True
    except Exception as failure:
        log.warning("evaluation alert not sent: %s", redact(str(failure)))
        return False
