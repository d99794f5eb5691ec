"""One alert per provider outage: a circuit breaker opening, a daily budget spent (ours or the
provider's own), a long rate limit. lib/http calls `provider_alert` once per outage, through its state
store for the shared cooldown, since every call during an outage would report it again.

Apart from the job alerts because lib/http calls it from inside a provider call, where it must never raise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..providers import registry
from ..redaction import redact_error as redact
from .alert_settings import AlertSettings
from .cooldown import COOLDOWN_SQL
from .sentry_events import capture, init_monitoring
from .webhook import start_webhook

log = logging.getLogger(__name__)


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
        if not fetch(COOLDOWN_SQL, (":".join(fingerprint), settings.cooldown_seconds)):
            return False
        when = f" until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if until else ""
        label = registry.label(provider)
        text = redact(f"{label}: {_PROVIDER_EVENTS.get(kind, kind)}{when}: {reason or ''}".rstrip(": "), 2000)
        if init_monitoring(settings):
            capture(text or "", {"provider": provider, "kind": kind}, fingerprint)
        start_webhook(settings, text or "")
        return True
    except Exception as exc:
        log.warning("provider alert not sent: %s", redact(str(exc)))
        return False
