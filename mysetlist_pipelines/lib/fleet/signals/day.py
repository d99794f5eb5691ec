"""One day of the signal plan: settle past shows, sweep Ticketmaster, read setlist.fm, check Spotify.

Each provider gets what `day_allowances` leaves of its daily quota after the reserve for the app's
imports (the larger of `reserve_fraction` x quota and the expected cost of the requests waiting, as
lib/fleet/budget.py reserves it). Spotify's allowance is split: the profiles' steady share first
(the artists with a Spotify id / `profile_days`), the release checks get the rest. One `cron_logs`
row (`signal-plan`) says what each provider was asked, what it cost and what was written.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

import psycopg

from ...providers.clients import Providers
from ..cronlog import log_cron_run
from ..past import settle_past_shows
from ..work import IMPORT_CALLS, PROVIDERS
from . import fm_feed, spotify_cadence, tm_sweep
from .state import record_syncs

JOB_NAME = "signal-plan"


@dataclass(frozen=True)
class SignalSettings:
    countries: Sequence[str] = ("US", "GB", "IE", "DE", "NL", "FR", "SE", "DK", "ES", "IT")
    near_days: int = 60
    horizon_days: int = 365
    far_slices: int = 7
    setlist_mode: Literal["feed", "per_show"] = "feed"
    past_days: int = 3
    # The plan runs once a day, so "at least every 7 (30) days" means due after 6 (29).
    active_days: int = 6
    dormant_days: int = 6
    profile_days: int = 29
    spotify_workers: int = 1  # release checks in flight at once (pacing still applies to each)


@dataclass
class DayReport:
    allow: dict[str, int]
    spent: dict[str, int] = field(default_factory=dict)
    settled: int = 0
    ticketmaster: dict[str, Any] = field(default_factory=dict)
    setlistfm: dict[str, Any] = field(default_factory=dict)
    spotify: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)
    sync_jobs: int = 0  # completed rows recorded for the artists whose data the plan wrote


def day_allowances(
    quotas: Mapping[str, int], used: Mapping[str, int], reserve_fraction: float, waiting_requests: int = 0
) -> dict[str, int]:
    out = {}
    for p in PROVIDERS:
        reserve = max(math.ceil(reserve_fraction * quotas[p]), waiting_requests * IMPORT_CALLS.get(p, 0))
        out[p] = max(0, quotas[p] - used.get(p, 0) - reserve)
    return out


def run_day(
    conn: psycopg.Connection,
    providers: Providers,
    *,
    now: datetime,
    allow: Mapping[str, int],
    settings: SignalSettings = SignalSettings(),
    gate: Callable[[], None] = lambda: None,
) -> DayReport:
    """`gate()` is called between pages and waves of checks (gate.ImportGate: the app's imports first)."""
    started = time.monotonic()
    today = now.date()
    before = providers.calls()
    report = DayReport(dict(allow))
    report.settled = settle_past_shows(conn, today, settings.past_days).settled
    lap = time.monotonic()

    def step(name: str) -> None:
        nonlocal lap
        report.step_seconds[name] = round(time.monotonic() - lap, 2)
        lap = time.monotonic()

    sweep = tm_sweep.sweep(
        conn,
        providers,
        today=today,
        countries=settings.countries,
        budget=allow["ticketmaster"],
        near_days=settings.near_days,
        horizon_days=settings.horizon_days,
        far_slices=settings.far_slices,
        gate=gate,
    )
    report.ticketmaster = sweep.summary()
    step("ticketmaster")
    if settings.setlist_mode == "feed":
        feed = fm_feed.read_feed(conn, providers, now=now, budget=allow["setlistfm"], gate=gate)
    else:
        feed = fm_feed.per_show(
            conn, providers, today=today, budget=allow["setlistfm"], days=settings.past_days
        )
    report.setlistfm = feed.summary()
    step("setlistfm")
    row = conn.execute("SELECT count(*) FROM artists WHERE spotify_id IS NOT NULL").fetchone()
    share = math.ceil((row[0] if row else 0) / settings.profile_days) + 1
    profiles = spotify_cadence.refresh_profiles(
        conn,
        providers,
        now=now,
        budget=min(allow["spotify"], share),
        profile_days=settings.profile_days,
        gate=gate,
    )
    report.profiles = profiles.summary()
    step("profiles")
    releases = spotify_cadence.check_releases(
        conn,
        providers,
        now=now,
        budget=allow["spotify"] - profiles.calls,
        active_days=settings.active_days,
        dormant_days=settings.dormant_days,
        workers=settings.spotify_workers,
        gate=gate,
    )
    report.spotify = releases.summary()
    step("releases")
    steps: dict[str, list[str]] = {}
    for part, artists in (
        ("shows", sweep.artists_written),
        ("setlists", feed.written),
        ("catalog", releases.synced),
    ):
        for artist_id in artists:
            steps.setdefault(artist_id, []).append(part)
    report.sync_jobs = record_syncs(conn, steps, JOB_NAME)
    report.spent = providers.calls_by_provider(providers.calls_since(before))
    report.seconds = round(time.monotonic() - started, 2)
    log_cron_run(conn, JOB_NAME, "success", int(report.seconds * 1000), None, _jsonable(report))
    return report


def _jsonable(report: DayReport) -> dict[str, Any]:
    out = asdict(report)
    out["providers"] = list(PROVIDERS)
    return out
