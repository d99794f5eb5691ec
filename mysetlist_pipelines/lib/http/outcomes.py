"""What one provider answer means: a result, a failure worth retrying, or a final error.

`judge()` reads one HTTP answer; `Retryable` is an attempt that may be retried (server errors,
transport faults, truncated bodies, ordinary 429s); `final_error()` is what the caller gets when no
retry is left. Quota answers and waits beyond the cap open the breaker here, so that every process
fails fast from this moment on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from .breaker import CircuitBreaker
from .errors import (
    BadProviderResponse,
    ProviderAuthError,
    ProviderError,
    ProviderRequestError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    label,
    until_text,
)
from .policy import HttpPolicy, error_detail, quota_exhausted_until, retry_after_seconds

NOT_FOUND = object()  # a 404 the caller said means "nothing"


class Retryable(Exception):
    """One failed attempt that may be retried: what happened, and how long the provider asked to wait."""

    def __init__(self, kind: str, detail: str, status: int | None = None, wait: float | None = None):
        super().__init__(detail)
        self.kind = kind  # "server" | "transport" | "bad_json" | "rate"
        self.detail = detail
        self.status = status
        self.wait = wait


def judge(
    provider: str,
    endpoint: str,
    resp: requests.Response,
    *,
    not_found_ok: bool,
    policy: HttpPolicy,
    breaker: CircuitBreaker,
) -> Any:
    """The parsed JSON of a 2xx (or NOT_FOUND); raises Retryable or a final ProviderError."""
    status = resp.status_code
    if 200 <= status < 300:
        try:
            return resp.json()
        except ValueError:
            raise Retryable("bad_json", f"HTTP {status} with a body that is not valid JSON", status) from None
    if status == 404 and not_found_ok:
        return NOT_FOUND
    body = _json_or_none(resp)
    message, code = error_detail(body)
    detail = f"{message} [{code}]" if code and code not in message else message
    if status == 429:
        _on_429(provider, endpoint, resp, body, policy, breaker)
    if status >= 500:
        # A 503 may say when to come back; within the cap that is honoured like a 429's.
        wait = retry_after_seconds(resp.headers)
        wait = wait if wait is not None and wait <= policy.max_retry_wait else None
        raise Retryable("server", f"HTTP {status} {detail or resp.reason}".strip(), status, wait)
    if status == 401:
        raise ProviderAuthError(
            provider,
            f"credentials refused ({detail or 'unauthorized'}); check the {label(provider)} "
            "credentials in the environment",
            endpoint=endpoint,
            status=status,
        )
    hint = _forbidden_hint(provider) if status == 403 else ""
    raise ProviderRequestError(
        provider, f"{detail or resp.reason or 'request refused'}{hint}", endpoint=endpoint, status=status
    )


def _forbidden_hint(provider: str) -> str:
    from ..providers import registry  # lib/providers imports lib/http

    hint = registry.spec(provider).forbidden_hint if provider in registry.names() else ""
    return f" ({hint})" if hint else ""


def _on_429(
    provider: str,
    endpoint: str,
    resp: requests.Response,
    body: Any,
    policy: HttpPolicy,
    breaker: CircuitBreaker,
) -> None:
    now = datetime.now(UTC)
    quota = quota_exhausted_until(provider, resp.headers, body, now)
    if quota is not None:
        until, why = quota
        breaker.trip(provider, until, "quota", why)
        raise QuotaExhausted(
            provider,
            f"{why}; no calls until {until_text(until)}: reschedule the work after that",
            endpoint=endpoint,
            status=429,
            until=until,
        )
    wait = retry_after_seconds(resp.headers, now)
    if wait is not None and wait > policy.max_retry_wait:
        until = now + timedelta(seconds=wait)
        why = (
            f"rate limited with Retry-After {wait:.0f} s, beyond the {policy.max_retry_wait:g} s "
            "cap (MYSETLIST_HTTP_MAX_RETRY_WAIT)"
        )
        breaker.trip(provider, until, "rate_limited", why)
        raise RateLimited(
            provider, f"{why}; retry after {until_text(until)}", endpoint=endpoint, status=429, until=until
        )
    raise Retryable("rate", "HTTP 429 rate limited", 429, wait)


def final_error(
    provider: str, endpoint: str, failure: Retryable, attempts: int, wait: float
) -> ProviderError:
    """The error for a call whose retries are spent (`wait`: what the next retry would have waited)."""
    after = f"after {attempts} attempts"
    if failure.kind == "bad_json":
        return BadProviderResponse(
            provider, f"{failure.detail} ({after})", endpoint=endpoint, status=failure.status
        )
    if failure.kind == "rate":
        until = datetime.now(UTC) + timedelta(seconds=wait)
        return RateLimited(
            provider,
            f"still rate limited (HTTP 429) {after}; retry after {until_text(until)}",
            endpoint=endpoint,
            status=429,
            until=until,
        )
    return ProviderUnavailable(
        provider, f"{failure.detail} ({after})", endpoint=endpoint, status=failure.status
    )


def _json_or_none(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None
