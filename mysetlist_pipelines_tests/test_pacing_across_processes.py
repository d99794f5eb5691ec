"""Pacing that holds across machines: several run pods (separate Python processes, each running the real
`full_sync` job for its own artist, see pod_import.py) import at once against one Postgres and a
sandbox that enforces the documented rates. They share one rate and one daily budget per provider
through `pipelines.provider_pacing`: no 429, and the budget is shared, not multiplied by the pods.

The only thing the pods share is the database (and the sandbox they call over HTTP); the test reads
what reached the sandbox: its counters, and the arrival time of every call.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.http import next_utc_midnight
from mysetlist_pipelines.lib.http.errors import until_text
from mysetlist_pipelines.lib.providers.clients import PROVIDERS, Providers
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_sandbox.server import SandboxServer

from .pod_import import PodRun, run_pods

# The sandbox enforces the documented limits: Ticketmaster 5/s, setlist.fm 2/s (each over any 1 s),
# Spotify over a rolling 30 s (Spotify publishes no number: the sandbox's 5/s). The pods pace at the
# project's defaults for Spotify (4/s) and setlist.fm (1/s), and Ticketmaster at the 2/s one of its
# FAQs gives: slow enough that pods which paced alone would collide (four at 2/s exceed 5/s). Measured
# with each pod pacing in a database of its own: calls of different pods then came 0.7 s closer than
# one pod's spacing at Ticketmaster and setlist.fm, 6.9 s at Spotify (15-17 Spotify calls in 1 s).
DOCUMENTED = {"spotify": 5.0, "ticketmaster": 5.0, "setlistfm": 2.0}
POD_RATES = {"spotify": 4.0, "ticketmaster": 2.0, "setlistfm": 1.0}
RATE_ENV = {
    "spotify": "SPOTIFY_RATE_LIMIT_PER_SECOND",
    "ticketmaster": "TICKETMASTER_RATE_LIMIT_PER_SECOND",
    "setlistfm": "SETLISTFM_RATE_LIMIT_PER_SECOND",
}
# How much earlier than its slot a call may reach the sandbox (sleep overshoot of the call before it,
# loopback, thread start-up on 2 busy cores). The bucket's slots themselves are exact.
JITTER = 0.1
# Every import step calls only its own providers; these must land whatever setlist.fm's budget says.
NON_SETLIST_STEPS = ("artist_profile", "artist_catalog", "artist_shows", "predicted_setlists")


@pytest.fixture
def arrivals(sandbox_env: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[float]]:
    """Per provider, when each call reached the sandbox (every call, Spotify's token included)."""
    stamps: dict[str, list[float]] = defaultdict(list)
    record = sandbox_env.state.record_call

    def recording(endpoint: str) -> None:
        stamps[endpoint.split(":", 1)[0]].append(time.time())
        record(endpoint)

    monkeypatch.setattr(sandbox_env.state, "record_call", recording)
    return stamps


@pytest.fixture
def pod_env(sandbox_env: SandboxServer, app_db: str) -> Iterator[dict[str, str]]:
    """What every pod gets: the shared database, the sandbox (exported by `sandbox_env`), the rates."""
    env = {**os.environ, "DATABASE_URL": app_db}
    env.update({RATE_ENV[p]: str(rate) for p, rate in POD_RATES.items()})
    assert all(POD_RATES[p] <= DOCUMENTED[p] for p in PROVIDERS)
    sandbox_env.configure(enforce_rates=True, rates=DOCUMENTED)
    yield env


def register(db_url: str, sandbox: SandboxServer, artists: list[str]) -> list[str]:
    """Partition keys for the artists, requested by Ticketmaster id and name as the app would."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        return [
            artist_keys.register(
                conn, [artist_keys.ArtistRequest(tm_attraction_id=ref.tm_attraction_id, name=ref.name)]
            )[0]
            for ref in map(sandbox.artist, artists)
        ]


def closest_to_limit(stamps: list[float], rate: float) -> float:
    """Seconds by which the closest pair of calls came earlier than `rate` allows (<= 0: never)."""
    t = sorted(stamps)
    return max(
        ((j - i) / rate - (t[j] - t[i]) for i in range(len(t)) for j in range(i + 1, len(t))),
        default=0.0,
    )


def peak(stamps: list[float], window: float) -> int:
    """The most calls within any `window` seconds."""
    t = sorted(stamps)
    return max((sum(1 for u in t[i:] if u - s < window) for i, s in enumerate(t)), default=0)


def overlap(reports: dict[str, dict[str, Any]], step: str) -> int:
    """The most pods that were running `step` at the same moment."""
    spans = [(r["steps"][step]["started"], r["steps"][step]["ended"]) for r in reports.values()]
    return max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)


def shared_budget(db_url: str) -> dict[str, int]:
    with Providers.from_settings(Settings(_env_file=None), db_url) as providers:  # type: ignore[call-arg]
        return {p: providers.budget(p).used_today for p in PROVIDERS}


def _summary(stamps: dict[str, list[float]], counters: dict[str, Any], run: PodRun) -> str:
    """One line for the test log (pytest -s): what each provider saw, and the pods' wall times."""
    parts = []
    for p in PROVIDERS:
        t = sorted(stamps[p])
        sustained = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0
        parts.append(
            f"{p}: {counters['by_provider'][p]} calls, peak {peak(t, 1.0)} in 1 s, "
            f"{sustained:.2f}/s sustained, closest {closest_to_limit(t, POD_RATES[p]):+.3f} s"
        )
    took = f"start-up {run.startup_seconds:.1f} s, imports {run.import_seconds:.1f} s"
    return f"{took}; " + "; ".join(parts) + f"; status {counters['status']}"


def test_pods_importing_at_once_share_each_providers_rate(
    sandbox_env: SandboxServer, app_db: str, pod_env: dict[str, str], arrivals: dict, tmp_path: Path
) -> None:
    # Two of these are matched to setlist.fm by name in their profile step, so setlist.fm is called at
    # the start of the runs as well as in the setlists steps.
    artists = ["ghost-arcade", "zoe-marlowe", "paper-satellites", "hollow-pines"]
    keys = register(app_db, sandbox_env, artists)
    run = run_pods(keys, pod_env, tmp_path)
    reports = run.reports
    counters = sandbox_env.counters()
    print(_summary(arrivals, counters, run))

    assert {k: r["success"] for k, r in reports.items()} == dict.fromkeys(keys, True)
    assert "429" not in counters["status"], counters["status"]
    assert counters["rate_violations"] == dict.fromkeys(PROVIDERS, 0)
    # The pods really were importing at the same time...
    assert overlap(reports, "artist_catalog") >= 3
    for provider, rate in POD_RATES.items():
        calls = arrivals[provider]
        assert len(calls) == counters["by_provider"][provider] > 0
        # ...and yet, together, no two calls came closer than one pod alone at the configured rate.
        assert closest_to_limit(calls, rate) <= JITTER, provider
    # The shared bucket, not the pods' own speed, set Spotify's pace: somewhere its calls came as
    # close together as the rate allows (each pod alone sends its catalog calls far faster).
    assert closest_to_limit(arrivals["spotify"], POD_RATES["spotify"]) >= -JITTER
    # One budget: every pod's calls were counted in the same row, none twice, none missed.
    assert shared_budget(app_db) == counters["by_provider"]


def test_pods_share_one_daily_budget_and_stop_at_it(
    sandbox_env: SandboxServer, app_db: str, pod_env: dict[str, str], arrivals: dict, tmp_path: Path
) -> None:
    # Each of these needs exactly one setlist.fm call (one page of setlists) and none in its profile:
    # four pods want four calls; the day's budget is two, for all of them together.
    quota = 2
    artists = ["neon-harbor", "melodie-fjord", "hollow-pines", "echo-valley"]
    keys = register(app_db, sandbox_env, artists)
    sandbox_env.configure(quotas={"setlistfm": quota})  # the provider's own budget: over it is a 429
    pod_env["MYSETLIST_SETLISTFM_DAILY_QUOTA"] = str(quota)
    resets = {until_text(next_utc_midnight())}
    run = run_pods(keys, pod_env, tmp_path)
    reports = run.reports
    resets.add(until_text(next_utc_midnight()))  # a run across midnight may name either
    counters = sandbox_env.counters()
    print(_summary(arrivals, counters, run))

    assert counters["by_provider"]["setlistfm"] == quota  # spent, and never more
    assert "429" not in counters["status"], counters["status"]
    assert counters["rate_violations"] == dict.fromkeys(PROVIDERS, 0)
    setlists = {k: r["steps"]["artist_setlists"] for k, r in reports.items()}
    failed = {k: s for k, s in setlists.items() if s["status"] == "failure"}
    print({k: (s["status"], s["seconds"], s["error"]) for k, s in setlists.items()})
    assert len(failed) == len(keys) - quota, setlists
    assert all(s["status"] == "success" for k, s in setlists.items() if k not in failed)
    for step in failed.values():
        error = step["error"]
        assert "setlist.fm" in error and f"daily budget of {quota} calls is spent" in error, error
        assert any(f"resets at {r}" in error for r in resets), error
        # Refused before sending (no retries, no backoff: those alone take 2 + 4 + 8 + 16 s).
        assert step["seconds"] < 10, step
    for key, report in reports.items():
        assert {s: report["steps"][s]["status"] for s in NON_SETLIST_STEPS} == dict.fromkeys(
            NON_SETLIST_STEPS, "success"
        ), key
    assert shared_budget(app_db) == counters["by_provider"]
