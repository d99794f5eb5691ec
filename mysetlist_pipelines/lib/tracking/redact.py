"""Error text safe to show in the app and in Dagster's UI: no credentials, bounded length."""

from __future__ import annotations

import re
from functools import lru_cache

from ..settings import PROVIDER_CREDENTIALS, get_settings

MAX_ERROR_LENGTH = 1000

_PATTERNS = (
    # query strings and headers: apikey=..., x-api-key: ..., client_secret=..., access_token=...
    re.compile(
        r"(?i)\b(api[_-]?key|x-api-key|client[_-]?secret|access[_-]?token|refresh[_-]?token|token|"
        r"password|secret)(\s*[=:]\s*|\"\s*:\s*\")([^\s&\"',;]+)"
    ),
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"),
    # userinfo in URLs: scheme://user:password@host
    re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@"),
)


@lru_cache(maxsize=1)
def _configured_secrets() -> tuple[str, ...]:
    try:
        settings = get_settings()
    except Exception:  # unreadable settings: the patterns still apply
        return ()
    names = [f for fields in PROVIDER_CREDENTIALS.values() for f in fields]
    values = [settings.secret(n) for n in (*names, "database_url", "dagster_postgres_url")]
    return tuple(v for v in values if v and len(v) >= 6)


def redact(text: str | None, limit: int = MAX_ERROR_LENGTH) -> str | None:
    """`text` with credentials masked and trimmed to `limit` characters."""
    if text is None:
        return None
    for secret in _configured_secrets():
        text = text.replace(secret, "***")
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)} ***", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}:***@", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
