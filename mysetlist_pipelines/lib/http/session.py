"""`ProviderSession`: every call to one provider goes through here, under one policy.

Per attempt: the breaker and today's quota are checked and a send slot reserved in Postgres (one
round trip, `Pacer.acquire`), the attempt is counted, sent with connect+read timeouts, and judged:
- 2xx with JSON: done (a breaker that had failures is closed);
- 429: a quota message fails at once with QuotaExhausted and opens the breaker until the reset; a
  Retry-After beyond the cap fails at once with RateLimited (breaker open until then); otherwise
  every process is deferred by Retry-After (or the backoff when there is none) and the call retried;
- 5xx, timeouts, connection errors: retried with exponential backoff and jitter; each counts toward
  the breaker, which fails the call with CircuitOpen the moment it opens;
- 2xx that is not JSON: retried (a truncated body is a transport fault), then BadProviderResponse;
- 401: ProviderAuthError (the Spotify client refreshes its token once); 404: None when the caller
  says 404 means empty, else ProviderRequestError; other 4xx: ProviderRequestError, not retried.
No secret reaches a log line or an exception: URLs are logged by path only, every text is redacted,
and transport exceptions (whose text holds the full URL, apikey included) are never chained.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from .breaker import CircuitBreaker
from .counters import CallCounter
from .errors import (
    BadProviderResponse,
    CircuitOpen,
    ProviderAuthError,
    ProviderError,
    ProviderRequestError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    label,
    until_text,
)
from .pacing import Pacer
from .policy import HttpPolicy, error_detail, quota_exhausted_until, retry_after_seconds
from .redaction import install_third_party_filters, redacting_logger

log = redacting_logger("mysetlist_pipelines.lib.http")
install_third_party_filters()

_SENTINEL_NOT_FOUND = object()


class _Retry(Exception):
    """One failed attempt that may be retried: what happened, and how long the provider asked to wait."""

    def __init__(self, kind: str, detail: str, status: int | None = None, wait: float | None = None):
        super().__init__(detail)
        self.kind = kind  # "server" | "transport" | "bad_json" | "rate"
        self.detail = detail
        self.status = status
        self.wait = wait


class ProviderSession:
    def __init__(
        self,
        provider: str,
        *,
        pacer: Pacer,
        breaker: CircuitBreaker,
        counter: CallCounter,
        policy: HttpPolicy,
        http: requests.Session | None = None,
        rng: Callable[[], float] = random.random,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.provider = provider
        self.pacer = pacer
        self.breaker = breaker
        self.counter = counter
        self.policy = policy
        self._http = http or requests.Session()
        self._rng = rng
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def get(
        self,
        endpoint: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        not_found_ok: bool = False,
    ) -> Any:
        return self.request(endpoint, "GET", url, params=params, headers=headers, not_found_ok=not_found_ok)

    def request(
        self,
        endpoint: str,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        not_found_ok: bool = False,
    ) -> Any:
        """The parsed JSON answer (None for a 404 when `not_found_ok`), after the policy's retries."""
        retry = 0
        while True:
            grant = self.pacer.acquire(self.provider, endpoint)
            self.counter.add(endpoint)
            failure: _Retry | None = None
            try:
                result = self._attempt(endpoint, method, url, params, headers, data, auth, not_found_ok)
            except _Retry as exc:
                failure = exc
            if failure is None:
                if grant.failures:
                    self.breaker.success(self.provider)
                return None if result is _SENTINEL_NOT_FOUND else result
            # Handled outside the except block, so a final error carries no chained context.
            retry += 1
            self._after_failure(endpoint, failure, retry)

    def _attempt(
        self,
        endpoint: str,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
        not_found_ok: bool,
    ) -> Any:
        path = urlsplit(url).path
        started = time.monotonic()
        failure: _Retry | None = None
        try:
            resp = self._http.request(
                method,
                url,
                params=params,
                headers=headers,
                data=data,
                auth=auth,
                timeout=self.policy.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            failure = _Retry("transport", f"no answer within {self.policy.read_timeout:g} s (timeout)")
        except requests.RequestException as exc:
            # str(exc) holds the full URL, query string and apikey included: keep only its kind.
            failure = _Retry("transport", f"connection failed ({type(exc).__name__})")
        if failure is not None:
            log.warning("%s %s %s: %s", endpoint, method, path, failure.detail)
            raise failure
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("%s %s %s -> %s in %.0f ms", endpoint, method, path, resp.status_code, elapsed_ms)
        return self._judge(endpoint, resp, not_found_ok)

    def _judge(self, endpoint: str, resp: requests.Response, not_found_ok: bool) -> Any:
        status = resp.status_code
        if 200 <= status < 300:
            try:
                return resp.json()
            except ValueError:
                raise _Retry(
                    "bad_json", f"HTTP {status} with a body that is not valid JSON", status
                ) from None
        body = _json_or_none(resp)
        message, code = error_detail(body)
        detail = f"{message} [{code}]" if code and code not in message else message
        if status == 404 and not_found_ok:
            return _SENTINEL_NOT_FOUND
        if status == 429:
            self._on_429(endpoint, resp, body)
        if status >= 500:
            # A 503 may say when to come back; within the cap that is honoured like a 429's.
            wait = retry_after_seconds(resp.headers)
            wait = wait if wait is not None and wait <= self.policy.max_retry_wait else None
            raise _Retry("server", f"HTTP {status} {detail or resp.reason}".strip(), status, wait)
        if status == 401:
            raise ProviderAuthError(
                self.provider,
                f"credentials refused ({detail or 'unauthorized'}); check the {label(self.provider)} "
                "credentials in the environment",
                endpoint=endpoint,
                status=status,
            )
        hint = ""
        if status == 403 and self.provider == "spotify":
            hint = " (Development Mode apps get 403 from removed endpoints)"
        raise ProviderRequestError(
            self.provider,
            f"{detail or resp.reason or 'request refused'}{hint}",
            endpoint=endpoint,
            status=status,
        )

    def _on_429(self, endpoint: str, resp: requests.Response, body: Any) -> None:
        now = datetime.now(UTC)
        quota = quota_exhausted_until(self.provider, resp.headers, body, now)
        if quota is not None:
            until, why = quota
            self.breaker.trip(self.provider, until, "quota", why)
            raise QuotaExhausted(
                self.provider,
                f"{why}; no calls until {until_text(until)}: reschedule the work after that",
                endpoint=endpoint,
                status=429,
                until=until,
            )
        wait = retry_after_seconds(resp.headers, now)
        if wait is not None and wait > self.policy.max_retry_wait:
            until = now + timedelta(seconds=wait)
            why = (
                f"rate limited with Retry-After {wait:.0f} s, beyond the {self.policy.max_retry_wait:g} s "
                "cap (MYSETLIST_HTTP_MAX_RETRY_WAIT)"
            )
            self.breaker.trip(self.provider, until, "rate_limited", why)
            raise RateLimited(
                self.provider,
                f"{why}; retry after {until_text(until)}",
                endpoint=endpoint,
                status=429,
                until=until,
            )
        raise _Retry("rate", "HTTP 429 rate limited", 429, wait)

    def _after_failure(self, endpoint: str, failure: _Retry, retry: int) -> None:
        """Record a failed attempt; raise when no retry is left, else wait (or defer everyone)."""
        if failure.kind in ("server", "transport"):
            opened, until = self.breaker.failure(
                self.provider, f"last failure: {failure.detail} on {endpoint}"
            )
            if opened:
                raise CircuitOpen(
                    self.provider,
                    f"{self.policy.breaker_threshold} consecutive failures (last: {failure.detail}); "
                    f"circuit breaker open until {until_text(until)}, calls fail fast until then",
                    endpoint=endpoint,
                    status=failure.status,
                    until=until,
                )
        wait = self.policy.backoff(retry, self._rng)
        if failure.wait is not None:
            asked = failure.wait * (1 + 0.1 * self._rng())  # a little jitter past what was asked
            wait = asked if failure.kind == "rate" else max(wait, asked)
        if retry > self.policy.max_retries:
            raise self._final_error(endpoint, failure, retry, wait)
        log.warning(
            "%s: %s; retry %d of %d in %.1f s", endpoint, failure.detail, retry, self.policy.max_retries, wait
        )
        if failure.kind == "rate":
            # A 429 concerns the provider, not this call: every process waits.
            self.pacer.defer(self.provider, wait)
        else:
            self._sleep(wait)

    def _final_error(self, endpoint: str, failure: _Retry, retry: int, wait: float) -> ProviderError:
        attempts = f"after {retry} attempts"
        if failure.kind == "bad_json":
            return BadProviderResponse(
                self.provider, f"{failure.detail} ({attempts})", endpoint=endpoint, status=failure.status
            )
        if failure.kind == "rate":
            until = datetime.now(UTC) + timedelta(seconds=wait)
            return RateLimited(
                self.provider,
                f"still rate limited (HTTP 429) {attempts}; retry after {until_text(until)}",
                endpoint=endpoint,
                status=429,
                until=until,
            )
        return ProviderUnavailable(
            self.provider, f"{failure.detail} ({attempts})", endpoint=endpoint, status=failure.status
        )


def _json_or_none(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None
