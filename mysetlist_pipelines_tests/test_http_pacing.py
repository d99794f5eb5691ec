"""Pacing, daily quotas and the circuit breaker, against a real Postgres (no HTTP here)."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from mysetlist_pipelines.lib.http import (
    CircuitBreaker,
    CircuitOpen,
    Pacer,
    ProviderLimits,
    QuotaExhausted,
    StateStore,
    next_utc_midnight,
)


def _pacer(url: str, rate: float = 1000.0, quota: int = 1000, burst: int = 1) -> Pacer:
    return Pacer(StateStore(url), {"spotify": ProviderLimits(rate, quota, burst)})


def test_quota_counts_every_grant_and_fails_fast_with_the_reset_time(app_db: str) -> None:
    pacer = _pacer(app_db, quota=3)
    assert pacer.remaining_today("spotify") == 3
    for expected_left in (2, 1, 0):
        pacer.acquire("spotify", "spotify:artist")
        assert pacer.remaining_today("spotify") == expected_left
    started = time.monotonic()
    with pytest.raises(QuotaExhausted) as caught:
        pacer.acquire("spotify", "spotify:artist")
    assert time.monotonic() - started < 1.0  # failed fast, slept nothing
    err = caught.value
    assert err.until == next_utc_midnight()
    assert err.provider == "spotify" and err.endpoint == "spotify:artist"
    text = str(err)
    assert "Spotify" in text and "3 calls" in text and err.until.strftime("%Y-%m-%d 00:00:00 UTC") in text
    # A refused call consumed nothing.
    assert pacer.budget("spotify").used_today == 3


def test_consume_records_calls_and_a_new_utc_day_starts_a_new_budget(
    app_db: str, db: psycopg.Connection
) -> None:
    pacer = _pacer(app_db, quota=10)
    assert pacer.consume("spotify", 4) == 4
    pacer.acquire("spotify")
    assert pacer.remaining_today("spotify") == 5
    db.execute("UPDATE pipelines.provider_pacing SET quota_day = quota_day - 1 WHERE provider = 'spotify'")
    assert pacer.remaining_today("spotify") == 10
    pacer.acquire("spotify")
    assert pacer.budget("spotify").used_today == 1


def test_calls_are_spaced_by_the_rate(app_db: str) -> None:
    pacer = _pacer(app_db, rate=20.0)
    started = time.monotonic()
    for _ in range(6):
        pacer.acquire("spotify")
    # Slots are 1/20 s apart and a caller never returns before its slot. (Gaps between returns are
    # not compared one by one: a late wake-up under load shortens the next gap without any overrun.)
    assert time.monotonic() - started >= 5 / 20.0 - 0.01


def test_burst_lets_calls_go_back_to_back_after_a_quiet_spell(app_db: str) -> None:
    pacer = _pacer(app_db, rate=2.0, burst=3)
    started = time.monotonic()
    for _ in range(3):
        pacer.acquire("spotify")
    assert time.monotonic() - started < 0.4  # three at once, where burst=1 would take 1 s
    pacer.acquire("spotify")  # the fourth waits for the bucket to refill
    assert time.monotonic() - started >= 0.45


def test_defer_makes_every_caller_wait(app_db: str) -> None:
    one, other = _pacer(app_db), _pacer(app_db)
    one.acquire("spotify")
    one.defer("spotify", 0.4)
    started = time.monotonic()
    grant = other.acquire("spotify")
    assert time.monotonic() - started >= 0.35
    assert grant.waited_seconds >= 0.35


def _grab(url: str, provider_quota: int, calls: int, queue: multiprocessing.Queue) -> None:
    pacer = Pacer(StateStore(url), {"ticketmaster": ProviderLimits(200.0, provider_quota)})
    granted = refused = 0
    for _ in range(calls):
        try:
            pacer.acquire("ticketmaster")
            granted += 1
        except QuotaExhausted:
            refused += 1
    queue.put((granted, refused))


def test_concurrent_processes_never_overspend_the_daily_quota(app_db: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = ctx.Queue()
    procs = [ctx.Process(target=_grab, args=(app_db, 25, 20, queue)) for _ in range(3)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    assert sum(g for g, _ in results) == 25
    assert sum(r for _, r in results) == 35
    shared = Pacer(StateStore(app_db), {"ticketmaster": ProviderLimits(200.0, 25)})
    assert shared.budget("ticketmaster").used_today == 25
    assert _pacer(app_db).budget("spotify").used_today == 0  # other providers untouched


def test_breaker_opens_after_consecutive_failures_and_half_opens_after_cooldown(app_db: str) -> None:
    store = StateStore(app_db)
    pacer = Pacer(store, {"setlistfm": ProviderLimits(1000.0, 1000)})
    breaker = CircuitBreaker(store, threshold=3, cooldown_seconds=0.3)
    assert breaker.failure("setlistfm", "HTTP 503") == (False, None)
    assert breaker.failure("setlistfm", "HTTP 503")[0] is False
    opened, until = breaker.failure("setlistfm", "HTTP 503 on setlistfm:artist")
    assert opened and until is not None
    with pytest.raises(CircuitOpen) as caught:
        pacer.acquire("setlistfm", "setlistfm:artist_setlists")
    assert caught.value.until == until
    assert "HTTP 503 on setlistfm:artist" in str(caught.value) and "setlist.fm" in str(caught.value)
    used = pacer.budget("setlistfm").used_today
    assert used == 0  # fail-fast calls spend no budget

    # Poll until half-open (the cooldown has passed): calls go through again.
    deadline = time.monotonic() + 5
    while True:
        try:
            grant = pacer.acquire("setlistfm")
            break
        except CircuitOpen:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert grant.failures == 3
    # A failure while half-open re-opens at once, for a doubled cooldown.
    opened, until2 = breaker.failure("setlistfm", "HTTP 502")
    assert opened and until2 is not None
    assert breaker.state("setlistfm").failures == 4
    with pytest.raises(CircuitOpen):
        pacer.acquire("setlistfm")
    # After it, a success closes the breaker for good.
    deadline = time.monotonic() + 5
    while True:
        try:
            pacer.acquire("setlistfm")
            break
        except CircuitOpen:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    breaker.success("setlistfm")
    state = breaker.state("setlistfm")
    assert state.failures == 0 and state.open_until is None


def test_a_quota_trip_blocks_every_process_and_survives_a_stray_success(app_db: str) -> None:
    store = StateStore(app_db)
    breaker = CircuitBreaker(store)
    until = datetime.now(UTC) + timedelta(hours=13)
    breaker.trip("spotify", until, "quota", "Spotify reports its daily quota exceeded (QUOTA_EXCEEDED)")
    other_process = _pacer(app_db)
    with pytest.raises(CircuitOpen) as caught:
        other_process.acquire("spotify")
    assert "QUOTA_EXCEEDED" in str(caught.value)
    assert abs((caught.value.until - until).total_seconds()) < 0.001
    assert other_process.remaining_today("spotify") == 0
    budget = other_process.budget("spotify")
    assert budget.circuit_open_until is not None and budget.circuit_reason
    breaker.success("spotify")  # an answer that was already in flight proves nothing
    with pytest.raises(CircuitOpen):
        other_process.acquire("spotify")


def test_an_unmigrated_database_says_what_to_do(empty_db: str) -> None:
    from mysetlist_pipelines.lib.http import StateStoreError

    with pytest.raises(StateStoreError, match="mysetlist db migrate"):
        _pacer(empty_db).acquire("spotify")
