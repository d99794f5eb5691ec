"""The chat webhook: one `{"text": ...}` POST per alert (Slack's incoming-webhook shape), from a
background thread with a short timeout, so a webhook that fails or hangs never fails or slows a sync.

Apart from Sentry (sentry_events.py) because it is the other channel, with its own failure handling.
"""

from __future__ import annotations

import logging
import threading

import requests

from ..redaction import redact_error as redact
from .alert_settings import AlertSettings

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = (2.0, 3.0)  # connect, read: seconds


def _post(url: str, text: str) -> None:
    try:
        requests.post(url, json={"text": text}, timeout=WEBHOOK_TIMEOUT).raise_for_status()
    except Exception as exc:  # an alert channel down must never break anything else
        log.warning("alert webhook failed: %s", redact(str(exc)))


def start_webhook(settings: AlertSettings, text: str) -> threading.Thread | None:
    if not settings.webhook_url:
        return None
    thread = threading.Thread(target=_post, args=(settings.webhook_url, text), daemon=True)
    thread.start()
    return thread
