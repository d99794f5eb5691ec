"""One HTTP policy for every provider call: timeouts, retries with backoff and jitter, Retry-After,
a wait cap, pacing and daily quotas shared across processes through Postgres, a circuit breaker per
provider, secret redaction and call counters. See session.py for the policy, pacing.py for why the
bucket is ours."""

from ..redaction import MASK, RedactingFilter, redact, redacting_logger, register_secret
from .breaker import BreakerState, CircuitBreaker
from .counters import CallCounter
from .errors import (
    BadProviderResponse,
    CircuitOpen,
    ProviderAuthError,
    ProviderError,
    ProviderNotConfigured,
    ProviderRequestError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)
from .pacing import Budget, Grant, Pacer, ProviderLimits, next_utc_midnight
from .policy import HttpPolicy
from .session import ProviderSession
from .store import StateStore, StateStoreError

__all__ = [
    "MASK",
    "BadProviderResponse",
    "BreakerState",
    "Budget",
    "CallCounter",
    "CircuitBreaker",
    "CircuitOpen",
    "Grant",
    "HttpPolicy",
    "Pacer",
    "ProviderAuthError",
    "ProviderError",
    "ProviderLimits",
    "ProviderNotConfigured",
    "ProviderRequestError",
    "ProviderSession",
    "ProviderUnavailable",
    "QuotaExhausted",
    "RateLimited",
    "RedactingFilter",
    "StateStore",
    "StateStoreError",
    "next_utc_midnight",
    "redact",
    "redacting_logger",
    "register_secret",
]
