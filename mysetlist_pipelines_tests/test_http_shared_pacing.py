"""Two processes share one pacing budget through Postgres: together they stay under the provider's
rate (no 429 from a rate-enforcing sandbox) and within the daily quota."""

from __future__ import annotations

import multiprocessing
import queue
import time
from typing import Any

from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.http import QuotaExhausted
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_sandbox import sandbox_env as provider_env
from mysetlist_sandbox.server import SandboxServer

ENFORCED = 10.0  # the sandbox's Ticketmaster limit for these tests (calls in any 1-s window)
PACED = 8.0  # what our settings allow


def _worker(
    base_url: str, db_url: str, attraction_id: str, calls: int, quota: int, rate: float, start: Any, out: Any
) -> None:
    env = provider_env(base_url)["ticketmaster"]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ticketmaster_api_url=env["TICKETMASTER_API_URL"],
        ticketmaster_api_key=env["TICKETMASTER_API_KEY"],
        ticketmaster_rate_limit_per_second=rate,
        ticketmaster_daily_quota=quota,
        http_backoff_seconds=0.05,
    )
    done = refused = 0
    with Providers.from_settings(settings, db_url) as providers:
        start.wait(30)
        for _ in range(calls):
            try:
                providers.ticketmaster.attraction(attraction_id)
                done += 1
            except QuotaExhausted:
                refused += 1
        out.put((done, refused, providers.calls()))


def _run_two(
    sandbox: SandboxServer, db_urls: tuple[str, str], calls: int, quota: int = 5000, rate: float = PACED
) -> list[tuple]:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    attraction_id = sandbox.artist("velvet-static").tm_attraction_id
    procs = [
        ctx.Process(
            target=_worker, args=(sandbox.base_url, url, attraction_id, calls, quota, rate, start, out)
        )
        for url in db_urls
    ]
    for proc in procs:
        proc.start()
    start.set()
    results = []
    deadline = time.monotonic() + 120
    while len(results) < len(procs):
        try:
            results.append(out.get(timeout=0.2))
        except queue.Empty:
            # A worker that died will never report: fail now rather than at the deadline.
            assert all(p.exitcode in (None, 0) for p in procs), [p.exitcode for p in procs]
            assert time.monotonic() < deadline, "workers did not finish"
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    return results


def test_two_processes_sharing_a_budget_cause_no_429(sandbox_env: SandboxServer, app_db: str) -> None:
    sandbox_env.configure(enforce_rates=True, rates={"ticketmaster": ENFORCED})
    calls = 12
    started = time.monotonic()
    results = _run_two(sandbox_env, (app_db, app_db), calls)
    elapsed = time.monotonic() - started
    counters = sandbox_env.counters()
    assert counters["rate_violations"]["ticketmaster"] == 0
    assert "429" not in counters["status"]
    assert counters["calls"] == {"ticketmaster:attraction": 2 * calls}
    assert [r[:2] for r in results] == [(calls, 0), (calls, 0)]
    assert all(r[2] == {"ticketmaster:attraction": calls} for r in results)  # no retries were needed
    assert elapsed >= (2 * calls - 1) / PACED  # the shared bucket did the spacing
    with Providers.from_settings(Settings(_env_file=None), app_db) as providers:  # type: ignore[call-arg]
        assert providers.budget("ticketmaster").used_today == 2 * calls


def test_without_a_shared_budget_the_same_load_is_rate_limited(
    sandbox_env: SandboxServer, app_db: str, empty_db: str
) -> None:
    # The control for the test above: each process paces alone (two databases), so together they
    # send twice the rate, and the sandbox sees violations. Proves the test above can fail.
    migrate(empty_db)
    sandbox_env.configure(enforce_rates=True, rates={"ticketmaster": ENFORCED})
    _run_two(sandbox_env, (app_db, empty_db), 12)
    assert sandbox_env.counters()["rate_violations"]["ticketmaster"] > 0


def test_two_processes_never_overspend_the_daily_quota(sandbox_env: SandboxServer, app_db: str) -> None:
    results = _run_two(sandbox_env, (app_db, app_db), calls=12, quota=15, rate=100.0)
    assert sum(r[0] for r in results) == 15 and sum(r[1] for r in results) == 9
    assert sandbox_env.counters()["calls"] == {"ticketmaster:attraction": 15}
