"""Permanent or transient (lib/failures.py), and telling a dead run worker from a live one
(defs/tracking/orphans.py) on real processes."""

from __future__ import annotations

import subprocess
import sys
import time

import dagster as dg
import pytest

from mysetlist_pipelines.defs.tracking.orphans import worker_alive
from mysetlist_pipelines.lib.artist_keys import UnknownArtistKey
from mysetlist_pipelines.lib.failures import (
    BACKOFF_CAP_SECONDS,
    PermanentError,
    is_permanent,
    retry_backoff_seconds,
)
from mysetlist_pipelines.lib.http.errors import (
    CircuitOpen,
    ProviderAuthError,
    ProviderRequestError,
    ProviderUnavailable,
    QuotaExhausted,
)
from mysetlist_pipelines.lib.sync import AlreadyImported, ArtistNotFound


def _wrapped(exc: Exception, allow_retries: bool = True) -> dg.Failure:
    try:
        raise dg.Failure(str(exc), allow_retries=allow_retries) from exc
    except dg.Failure as failure:
        return failure


@pytest.mark.parametrize(
    "exc",
    [
        PermanentError("malformed spotify_id"),
        ArtistNotFound("no service knows the artist 'x'"),
        AlreadyImported("already imported"),
        UnknownArtistKey("no such key"),
        ProviderRequestError("spotify", "invalid id", status=400),
        ProviderRequestError("ticketmaster", "not found", status=404),
    ],
)
def test_permanent_failures(exc: Exception) -> None:
    assert is_permanent(exc)
    assert is_permanent(_wrapped(exc))  # as defs/artists/step_runner.py raises it: dg.Failure from exc


@pytest.mark.parametrize(
    "exc",
    [
        ProviderUnavailable("ticketmaster", "HTTP 503 after 4 retries", status=503),
        QuotaExhausted("spotify", "daily quota"),
        CircuitOpen("setlistfm", "breaker open"),
        ProviderAuthError("spotify", "token expired", status=401),
        ValueError("a parser's bug"),
    ],
)
def test_transient_failures(exc: Exception) -> None:
    assert not is_permanent(exc)
    assert not is_permanent(_wrapped(exc))


def test_a_failure_that_forbids_retries_is_permanent() -> None:
    assert is_permanent(dg.Failure("bad request", allow_retries=False))
    assert not is_permanent(dg.Failure("try again"))


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_backoff_seconds(n, 30) for n in range(5)] == [0, 30, 60, 120, 240]
    assert retry_backoff_seconds(12, 30) == BACKOFF_CAP_SECONDS
    assert retry_backoff_seconds(3, 0) == 0


def test_a_dead_or_newer_process_is_not_the_run_worker() -> None:
    before = time.time()
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert worker_alive(proc.pid, before)
        assert worker_alive(proc.pid, None)
        # Started long after the run did: the pid was reused by another process.
        assert not worker_alive(proc.pid, before - 3600)
        proc.kill()  # not waited for: a zombie until then, which counts as dead
        deadline = time.monotonic() + 10
        while worker_alive(proc.pid, before) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker_alive(proc.pid, before)
    finally:
        proc.kill()
        proc.wait()
    assert not worker_alive(proc.pid, before)
