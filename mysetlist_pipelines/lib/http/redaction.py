"""Secret redaction for every log line, exception text and metadata value that mentions a provider call.

Two layers, because either alone leaks: the exact secret values the process knows (client id/secret,
API keys, every access token as it is issued) are registered and replaced wherever they appear; and
patterns catch secret-shaped values we were never told about (`apikey=...` in a URL, `Bearer ...`,
`"access_token": "..."`, Ticketmaster's quota body that echoes the key as `Identifier : ...`).
`RedactingFilter` applies both to log records, on our loggers and on urllib3's (which logs request
URLs, query string and `apikey` included, at DEBUG).
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[REDACTED]"
# Shorter values are not secrets but words; replacing them would garble messages.
_MIN_SECRET_LENGTH = 8

_lock = threading.Lock()
_secrets: set[str] = set()

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # query strings and form bodies: apikey=..., api_key=..., client_secret=..., access_token=...
    (
        re.compile(
            r"(?i)\b(apikey|api_key|api-key|client_secret|client_id|access_token|token|key)=[^&\s\"'<>]+"
        ),
        rf"\1={MASK}",
    ),
    # headers as text: Authorization: Bearer xxx / Basic xxx, x-api-key: xxx
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\1 {MASK}"),
    (re.compile(r"(?i)(x-api-key[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"), rf"\1{MASK}"),
    # JSON: "access_token": "...", "apikey": "...", "client_secret": "..."
    (
        re.compile(r"(?i)(\"(?:access_token|apikey|api_key|client_secret|x-api-key)\"\s*:\s*\")[^\"]*"),
        rf"\1{MASK}",
    ),
    # Ticketmaster's quota fault: "... Quota limit exceeded. Identifier : <apikey>"
    (re.compile(r"(?i)(identifier\s*:\s*)[^\s\"',}]+"), rf"\1{MASK}"),
]


def register_secret(value: str | None) -> None:
    """Remember a secret value so every later redact() masks it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: object) -> str:
    """`text` with every known secret and every secret-shaped value masked."""
    out = str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in out:
            out = out.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        out = pattern.sub(replacement, out)
    return out


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
