"""The one secret redactor: every log line, exception text, error row, tag, alert and Sentry event.

Two layers, because either alone leaks:
- exact values: the secrets in the settings (provider credentials, the database URLs) and every
  value registered while the process runs (each access token as it is issued) are masked wherever
  they appear;
- shapes: one pattern set catches secret-shaped values nobody told us about (`apikey=...` in a URL,
  `Bearer ...`, `"access_token": "..."`, `password: ...`, `user:password@` in a URL, Ticketmaster's
  quota body echoing the key as `Identifier : ...`).

`redact` masks and keeps the text as it is (log records, exception messages). `redact_error` is
for text shown to people in the app's rows and Dagster's UI: masked, on one line, bounded.
`RedactingFilter` applies `redact` to log records, on our loggers and on urllib3's (which logs
request URLs, query string and `apikey` included, at DEBUG).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

MASK = "[REDACTED]"
MAX_ERROR_LENGTH = 1000
# Shorter values are not secrets but words; replacing them would garble messages.
_MIN_SECRET_LENGTH = 6

_lock = threading.Lock()
_registered: set[str] = set()

_VALUE = r"[^\s&\"',;<>}]+"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # JSON members: "access_token": "...", "apikey": "...", "client_secret": "..." (values may hold spaces)
    (
        re.compile(
            r"(?i)(\"(?:access_token|refresh_token|apikey|api_key|client_secret|x-api-key|password)\"\s*:\s*\")"
            r"[^\"]*"
        ),
        rf"\1{MASK}",
    ),
    # query strings and form bodies: apikey=..., client_id=..., key=... (`=` only: "key: x" is prose)
    (
        re.compile(
            rf"(?i)\b(apikey|api_key|api-key|client_secret|client_id|access_token|token|key)={_VALUE}"
        ),
        rf"\1={MASK}",
    ),
    # assignments and headers as text: password: ..., client-secret = ..., x-api-key: '...'
    (
        re.compile(
            r"(?i)\b(api[_-]?key|x-api-key|client[_-]?secret|access[_-]?token|refresh[_-]?token|token|"
            rf"password|secret)([\"']?\s*[=:]\s*[\"']?){_VALUE}"
        ),
        rf"\1\2{MASK}",
    ),
    # Authorization: Bearer xxx / Basic xxx
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\1 {MASK}"),
    # Ticketmaster's quota fault: "... Quota limit exceeded. Identifier : <apikey>"
    (re.compile(r"(?i)(identifier\s*:\s*)[^\s\"',}]+"), rf"\1{MASK}"),
    # userinfo in URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@"), rf"\1:{MASK}@"),
)


def register_secret(value: str | None) -> None:
    """Remember a secret value so every later redaction masks it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _registered.add(value)


@lru_cache(maxsize=1)
def _configured_secrets() -> tuple[str, ...]:
    """The secrets in the settings, read once (a process's settings do not change)."""
    from .providers import registry
    from .settings import get_settings  # settings must not depend on this module

    try:
        settings = get_settings()
    except Exception:  # unreadable settings: the registered values and the patterns still apply
        return ()
    names = (*registry.credential_fields(), "database_url", "dagster_postgres_url")
    # Only the fields these settings have: a provider registered after they were built has none.
    values = [settings.secret(n) for n in names if n in type(settings).model_fields]
    return tuple(v for v in values if v and len(v) >= _MIN_SECRET_LENGTH)


def redact(text: object) -> str:
    """`text` with every known secret and every secret-shaped value masked."""
    out = str(text)
    with _lock:
        known = {*_registered, *_configured_secrets()}
    for secret in sorted(known, key=len, reverse=True):  # longest first: one may contain another
        if secret in out:
            out = out.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return out


def redact_error(text: str | None, limit: int = MAX_ERROR_LENGTH) -> str | None:
    """Error text for people (the app's rows, Dagster's UI, alerts): masked, one line, at most
    `limit` characters."""
    if text is None:
        return None
    out = " ".join(redact(text).split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


class RedactingFilter(logging.Filter):
    """Rewrites a record's message redacted (and drops its args, already merged into the message)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep the template only
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # The formatted traceback would repeat the exception's text: store it redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = RedactingFilter()
# urllib3 logs "GET /discovery/v2/events.json?apikey=... HTTP/1.1" at DEBUG.
_THIRD_PARTY_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "requests")


def redacting_logger(name: str) -> logging.Logger:
    """A logger whose every record is redacted (logger filters do not apply to child loggers, so
    each logger that may see provider data gets the filter itself)."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def install_third_party_filters() -> None:
    for name in _THIRD_PARTY_LOGGERS:
        redacting_logger(name)
