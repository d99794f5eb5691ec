"""Permanent or transient: how a step says that running it again cannot help, and the retry backoff.

A step signals a permanent failure by raising `PermanentError` (or a subclass), or one of the errors
that already mean "this request cannot be served": `ArtistNotFound` (no service knows the artist),
`UnknownArtistKey`, a provider's `ProviderRequestError` (a 400/404 it will answer the same way again,
but not a 401, which may be an expired token) and `ProviderNotConfigured`. `dg.Failure(...,
allow_retries=False)` is read the same way. A run with such a failure is not retried as a whole
(defs/tracking/tracked_step.py tags it so that Dagster's run retries skip it); everything else (a provider
down or rate-limiting past its HTTP retries, a crashed run process) is transient and retried within
the job's `max_retries`, each retry waiting `retry_backoff_seconds()` after the failure.
"""

from __future__ import annotations

from .artist_keys import UnknownArtistKey
from .dagster_tags import RETRY_ON_STEP_FAILURE_TAG  # noqa: F401 (re-exported)
from .http import ProviderError
from .http.errors import ProviderAuthError, ProviderNotConfigured, ProviderRequestError
from .sync import ArtistNotFound

# Dagster's RETRY_ON_STEP_FAILURE_TAG (documented with run_retries): false = a step failure of this
# run is not retried, a crash of its process still is.
# Ours: which step failed for good, and why (a short, redacted reason), for people reading the run.
PERMANENT_FAILURE_TAG = "mysetlist/permanent_failure"
BACKOFF_CAP_SECONDS = 600.0


class PermanentError(Exception):
    """Running the step again cannot help (a bad request, an id the provider says does not exist).
    The job fails (or ends partial) in one run; the message must say what to fix."""


def is_permanent(exc: BaseException) -> bool:
    """Whether `exc`, or any exception it was raised from, is a permanent failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PermanentError | ArtistNotFound | UnknownArtistKey | ProviderNotConfigured):
            return True
        if isinstance(current, ProviderRequestError) and not isinstance(current, ProviderAuthError):
            return True
        if isinstance(current, ProviderError):
            return False  # a provider outage wrapping something else is still an outage
        if getattr(current, "allow_retries", True) is False:  # dg.Failure(allow_retries=False)
            return True
        current = current.__cause__ or current.__context__
    return False


def retry_backoff_seconds(retry_number: int, base_seconds: float) -> float:
    """The wait before run retry `retry_number` (1, 2, ...): base, 2x base, 4x base ..., capped."""
    if retry_number < 1 or base_seconds <= 0:
        return 0.0
    return min(BACKOFF_CAP_SECONDS, base_seconds * 2 ** (retry_number - 1))
