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
from typing import Any
from urllib.parse import urlsplit

import requests

from ..redaction import install_third_party_filters, redacting_logger
from .breaker import CircuitBreaker
from .counters import CallCounter
from .errors import CircuitOpen, until_text
from .outcomes import NOT_FOUND, Retryable, final_error, judge
from .pacing import Pacer
from .policy import HttpPolicy

log = redacting_logger("mysetlist_pipelines.lib.http")
install_third_party_filters()


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
            failure: Retryable | None = None
            try:
                result = self._attempt(endpoint, method, url, params, headers, data, auth, not_found_ok)
            except Retryable as exc:
                failure = exc
            if failure is None:
                if grant.failures:
                    self.breaker.success(self.provider)
                return None if result is NOT_FOUND else result
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
        failure: Retryable | None = None
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
            failure = Retryable("transport", f"no answer within {self.policy.read_timeout:g} s (timeout)")
        except requests.RequestException as exc:
            # str(exc) holds the full URL, query string and apikey included: keep only its kind.
            failure = Retryable("transport", f"connection failed ({type(exc).__name__})")
        if failure is not None:
            log.warning("%s %s %s: %s", endpoint, method, path, failure.detail)
            raise failure
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug("%s %s %s -> %s in %.0f ms", endpoint, method, path, resp.status_code, elapsed_ms)
        return judge(
            self.provider, endpoint, resp, not_found_ok=not_found_ok, policy=self.policy, breaker=self.breaker
        )

    def _after_failure(self, endpoint: str, failure: Retryable, retry: int) -> None:
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
            raise final_error(self.provider, endpoint, failure, retry, wait)
        log.warning(
            "%s: %s; retry %d of %d in %.1f s", endpoint, failure.detail, retry, self.policy.max_retries, wait
        )
        if failure.kind == "rate":
            # A 429 concerns the provider, not this call: every process waits.
            self.pacer.defer(self.provider, wait)
        else:
            self._sleep(wait)
