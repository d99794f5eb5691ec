"""The errors every provider call can raise: one hierarchy, messages a person can act on, no secrets.

    ProviderError                  base: provider, endpoint, status (HTTP status or None), until
      ProviderUnavailable          5xx, timeouts or connection errors outlasted every retry
      RateLimited                  a 429 whose wait is beyond the cap (or retries ran out): until when
        QuotaExhausted             the day's budget is gone (ours or the provider's): until when
      CircuitOpen                  the provider's breaker is open: calls fail fast until `until`
      BadProviderResponse          an answer that is not JSON, or not the shape the models expect
      ProviderRequestError         4xx the provider will answer the same way again (400, 403, 404)
        ProviderAuthError          401: bad credentials or an expired token
      ProviderNotConfigured        credentials missing for a provider

`until` (aware UTC datetime or None) tells a scheduler when the call can succeed again; every message
goes through redaction before it is stored, so neither str(error) nor a traceback shows a secret.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..providers import registry
from ..redaction import redact


def label(provider: str) -> str:
    """The provider's display name, from its spec (lib/providers/registry.py, the one list of them)."""
    return registry.label(provider)


class ProviderError(Exception):
    """A provider call failed. `endpoint` is the spec's name, e.g. `spotify:album`."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        endpoint: str | None = None,
        status: int | None = None,
        until: datetime | None = None,
    ) -> None:
        self.provider = provider
        self.endpoint = endpoint
        self.status = status
        self.until = until
        self.message = redact(message)
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        status = f" HTTP {self.status}:" if self.status else ""
        return f"{label(self.provider)}{where}:{status} {self.message}"


class ProviderUnavailable(ProviderError):
    pass


class RateLimited(ProviderError):
    pass


class QuotaExhausted(RateLimited):
    pass


class CircuitOpen(ProviderError):
    pass


class BadProviderResponse(ProviderError):
    pass


class ProviderRequestError(ProviderError):
    pass


class ProviderAuthError(ProviderRequestError):
    pass


class ProviderNotConfigured(ProviderError):
    pass


def until_text(until: datetime | None) -> str:
    return until.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if until else "an unknown time"
