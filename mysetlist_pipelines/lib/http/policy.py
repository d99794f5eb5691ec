"""The numbers of the HTTP policy (timeouts, retries, backoff, the wait cap, the breaker) and the
reading of what providers say about waiting (Retry-After, quota bodies)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ..settings import Settings


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 4
    backoff_seconds: float = 2.0
    # A provider asking us to wait longer than this is not waited for: the call fails saying until when.
    max_retry_wait: float = 120.0
    breaker_threshold: int = 5
    breaker_cooldown: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpPolicy:
        return cls(
            connect_timeout=settings.http_connect_timeout_seconds,
            read_timeout=settings.http_read_timeout_seconds,
            max_retries=settings.http_max_retries,
            backoff_seconds=settings.http_backoff_seconds,
            max_retry_wait=settings.http_max_retry_wait_seconds,
            breaker_threshold=settings.breaker_failure_threshold,
            breaker_cooldown=settings.breaker_cooldown_seconds,
        )

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    def backoff(self, retry: int, rng: Callable[[], float] = random.random) -> float:
        """Wait before retry number `retry` (1, 2, ...): base, 2x base, 4x base ... (setlist.fm asks
        for 2 s, 4 s, ...), plus up to 25% jitter so that processes that failed together spread out.
        Never below the documented step, never above the cap."""
        step = self.backoff_seconds * 2 ** (retry - 1)
        return min(step * (1 + 0.25 * rng()), max(self.max_retry_wait, self.backoff_seconds))


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def error_detail(body: Any) -> tuple[str, str | None]:
    """(human message, machine code) from any of the providers' error shapes:
    Spotify `{"error":{"status","message","reason"}}`, Ticketmaster `{"fault":{"faultstring",
    "detail":{"errorcode"}}}` and `{"errors":[{"code","detail"}]}`, setlist.fm `{"code","message"}`,
    and Spotify accounts' `{"error": "invalid_client", "error_description": ...}`."""
    if not isinstance(body, dict):
        return "", None
    err = body.get("error")
    if isinstance(err, dict):
        return str(err.get("message") or ""), err.get("reason")
    if isinstance(err, str):
        return str(body.get("error_description") or err), err
    fault = body.get("fault")
    if isinstance(fault, dict):
        detail = fault.get("detail") if isinstance(fault.get("detail"), dict) else {}
        return str(fault.get("faultstring") or ""), detail.get("errorcode")
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("detail") or first.get("status") or ""), first.get("code")
    if "message" in body:
        return str(body.get("message") or ""), str(body.get("code")) if body.get("code") else None
    return "", None


def quota_exhausted_until(
    provider: str, headers: Mapping[str, str], body: Any, now: datetime | None = None
) -> tuple[datetime, str] | None:
    """When a 429 says the provider's quota (not its rate) is gone: until when, and why. Each provider
    says it its own way (its spec's `quota_exhausted`); one that cannot tell its quota from its rate
    limit (setlist.fm: a bare 429) has none, so it is retried and then reported as RateLimited."""
    from ..providers import registry  # the specs' readers import this module's helpers

    reader = registry.spec(provider).quota_exhausted if provider in registry.names() else None
    if reader is None:
        return None
    return reader(headers, error_detail(body)[1], now or datetime.now(UTC))
