"""The signal plan (lib/fleet/signals) against the real Postgres and the sandbox's simulated world over
HTTP: what each provider step writes, what it costs, and the day-by-day smoke of the benchmark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from benchmarks.freshness import QUOTAS, RESERVE, providers_for, seed, simulate
from mysetlist_pipelines.lib.fleet.signals import (
    SignalSettings,
    day_allowances,
    fm_feed,
    run_day,
    spotify_cadence,
    tm_sweep,
)
from mysetlist_pipelines.lib.fleet.signals.state import set_cursor
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_sandbox.server import SandboxServer
from mysetlist_sandbox.world import World, WorldConfig
from mysetlist_sandbox.world.model import DAY
from mysetlist_sandbox.world.routes import NOW_MINUTE

COUNTRIES = SignalSettings().countries


@pytest.fixture
def world() -> World:
    return World(WorldConfig(300, seed=3, days=4))


@pytest.fixture
def served(world: World) -> Iterator[SandboxServer]:
    with SandboxServer(world=world, today=world.config.start.isoformat()) as server:
        yield server


@pytest.fixture
def conn(app_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(app_db, autocommit=True) as c:
        yield c


@pytest.fixture
def clients(served: SandboxServer, app_db: str) -> Iterator[Providers]:
    built = providers_for(served, app_db)
    yield built
    built.close()


def _listed(world: World, t: int) -> dict[str, int]:
    """Event id -> index of what Ticketmaster lists at minute t within the plan's horizon."""
    horizon = (t // DAY + 365) * DAY
    return {
        world.event_id(e): e
        for e in range(len(world.ev["artist"]))
        if world.listed(e, t) and world.event_day(e, t) >= t // DAY and world.event_start_utc(e, t) <= horizon
    }


def test_sweep_links_every_event_to_every_known_artist_and_follows_changes(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    t = NOW_MINUTE
    seed(conn, world, world.at(t), SignalSettings())
    out = tm_sweep.sweep(conn, clients, today=world.config.start, countries=COUNTRIES, budget=10**6)
    want = _listed(world, t)
    stored = dict(conn.execute("SELECT tm_event_id, date FROM shows").fetchall())
    assert out.near_complete and out.far_slices_done == 7
    assert set(want) <= set(stored), "every listed event of a known artist is a show"
    # Support acts are billed too (one search linked both artists).
    supports = [e for e in want.values() if world.ev["support"][e] >= 0]
    assert supports
    billed = conn.execute("SELECT count(*) FROM show_artists WHERE order_index = 1").fetchone()
    assert billed is not None and billed[0] >= len(supports)
    # Every artist known to Ticketmaster is stamped, listed or not.
    unstamped = conn.execute("SELECT count(*) FROM artists WHERE shows_synced_at IS NULL").fetchone()
    assert unstamped == (0,)
    # Far fewer calls than one search per artist.
    assert served.counters()["by_provider"]["ticketmaster"] < world.config.artists / 2
    assert served.counters()["status"].get("400", 0) == 0

    # Three days on: announcements, moves and cancellations are in the app's tables.
    later = 3 * DAY + NOW_MINUTE
    served.configure(today=world.day_of(3).isoformat())
    tm_sweep.sweep(conn, clients, today=world.day_of(3), countries=COUNTRIES, budget=10**6)
    rows = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT tm_event_id, date, status::text FROM shows")}
    ev = world.ev
    changed = [
        e
        for e in _listed(world, later).values()
        if any(NOW_MINUTE < ev[k][e] <= later for k in ("announce", "move_at", "cancel_at"))
    ]
    assert changed, "the world announced, moved or cancelled something in three days"
    for e in changed:
        status = "cancelled" if ev["cancel_at"][e] <= later else "upcoming"
        assert rows[world.event_id(e)] == (world.day_of(world.event_day(e, later)), status)


def test_sweep_within_its_budget_stamps_nothing_it_did_not_cover(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
    out = tm_sweep.sweep(conn, clients, today=world.config.start, countries=COUNTRIES, budget=3)
    assert served.counters()["by_provider"]["ticketmaster"] == out.calls <= 3
    assert not out.near_complete and out.windows_left >= 1
    assert conn.execute("SELECT count(*) FROM artists WHERE shows_synced_at IS NOT NULL").fetchone() == (0,)


def test_deep_windows_are_narrowed_not_refused(conn: psycopg.Connection, app_db: str) -> None:
    world = World(WorldConfig(3000, seed=5, days=2))
    with SandboxServer(world=world, today=world.config.start.isoformat()) as server:
        seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
        clients = providers_for(server, app_db)
        try:
            out = tm_sweep.sweep(
                conn, clients, today=world.config.start, countries=("US",), budget=10**6, far_slices=1
            )
        finally:
            clients.close()
        us = [e for e in _listed(world, NOW_MINUTE).values() if world.venues[world.ev["venue"][e]].cc == "US"]
        assert len(us) > 1000, "the window holds more than one search can page through"
        assert out.events_seen >= len(us)
        assert server.counters()["status"].get("400", 0) == 0  # never past size*page < 1000


def test_feed_writes_setlists_of_known_artists_and_moves_its_cursor(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    now0 = world.at(NOW_MINUTE)
    seed(conn, world, now0, SignalSettings())
    tm_sweep.sweep(conn, clients, today=world.config.start, countries=COUNTRIES, budget=10**6)
    set_cursor(conn, fm_feed.FEED_CURSOR, now0, 1)
    t = 2 * DAY + NOW_MINUTE
    served.configure(today=world.day_of(2).isoformat())
    before = served.counters()["by_provider"]["setlistfm"]
    out = fm_feed.read_feed(conn, clients, now=world.at(t), budget=100)
    posted = {
        world.setlist_id(e)
        for e in range(len(world.ev["artist"]))
        if NOW_MINUTE <= world.ev["posted"][e] <= t
    }
    assert posted and out.complete
    stored = {r[0] for r in conn.execute("SELECT external_id FROM setlists WHERE type = 'actual'")}
    assert posted <= stored
    assert (
        served.counters()["by_provider"]["setlistfm"] - before == out.calls == -(-len(posted) // 20)
        or out.calls >= 1
    )
    again = fm_feed.read_feed(conn, clients, now=world.at(t), budget=100)
    assert again.setlists_seen <= out.setlists_seen and again.complete


def test_per_show_fallback_asks_only_for_shows_that_happened_without_a_setlist(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
    tm_sweep.sweep(conn, clients, today=world.config.start, countries=COUNTRIES, budget=10**6)
    served.configure(today=world.day_of(2).isoformat())
    today = world.day_of(2)
    waiting = conn.execute(
        "SELECT count(DISTINCT headliner_artist_id) FROM shows WHERE date >= %s AND date < %s AND status <> 'cancelled'",
        (today - timedelta(days=3), today),
    ).fetchone()
    assert waiting is not None and waiting[0] > 2
    out = fm_feed.per_show(conn, clients, today=today, budget=2)
    assert out.calls == 2 and out.shows_waiting == waiting[0] - 2 and not out.complete
    full = fm_feed.per_show(conn, clients, today=today, budget=10**6)
    assert full.complete and full.calls <= waiting[0]


def test_release_checks_cost_one_call_and_sync_only_changed_catalogs(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
    conn.execute("UPDATE pipelines.signal_artists SET releases_checked_at = NULL")
    t = 3 * DAY + NOW_MINUTE
    served.configure(today=world.day_of(3).isoformat())
    new = {
        world.rel["artist"][r]
        for r in range(len(world.rel["artist"]))
        if NOW_MINUTE <= world.rel["minute"][r] <= t
    }
    assert new
    out = spotify_cadence.check_releases(conn, clients, now=world.at(t), budget=10**6, workers=3)
    assert out.checked == world.config.artists and out.changed == len(new)
    calls = served.counters()["calls"]
    assert calls["spotify:artist_albums"] >= world.config.artists
    assert calls.get("spotify:album", 0) >= len(new)
    albums = {r[0] for r in conn.execute("SELECT album_id FROM pipelines.spotify_releases")}
    out_now = {world.album_id(r) for r in range(len(world.rel["artist"])) if world.release_out(r, t)}
    assert out_now <= albums
    again = spotify_cadence.check_releases(conn, clients, now=world.at(t), budget=10**6)
    assert again.checked == 0, "checked artists are not due again for their cadence"


def test_a_day_stays_within_the_allowances_and_logs_one_cron_row(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
    served.configure(quotas=QUOTAS, today=world.day_of(1).isoformat())
    allow = day_allowances({"spotify": 300, "ticketmaster": 40, "setlistfm": 10}, {}, RESERVE)
    report = run_day(conn, clients, now=world.at(DAY + NOW_MINUTE), allow=allow)
    for p, n in served.counters()["by_provider"].items():
        assert n <= allow[p], p
    assert report.spent["ticketmaster"] <= 32
    rows = conn.execute(
        "SELECT status, result->'allow' FROM cron_logs WHERE job_name = 'signal-plan'"
    ).fetchall()
    assert rows == [("success", allow)]


def test_smoke_seven_days_fresh_within_the_quotas(app_db: str) -> None:
    """The benchmark's simulation, small: 200 artists for 7 simulated days."""
    result = simulate(app_db, 200, days=7)
    assert len(result["per_day"]) == 7
    for day in result["per_day"]:
        assert sum(day["status_429"].values()) == 0
        assert all(day["calls"][p] <= QUOTAS[p] * (1 - RESERVE) for p in QUOTAS)
    for row, s in result["staleness"].items():
        assert s["max"] <= s["goal_h"], row
    assert result["staleness"]["setlist of a show that happened (from its posting)"]["count"] > 0
    assert result["meets"]


def test_signal_plan_schedule_launches_one_run_whose_op_logs_the_day(
    app_env: str, sandbox_env: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    from mysetlist_pipelines.defs.resources import build_resources
    from mysetlist_pipelines.defs.schedules.signals import signal_plan, signal_plan_schedule
    from mysetlist_pipelines.lib.settings import get_settings

    monkeypatch.setenv("MYSETLIST_DISCOVERY_EU_COUNTRIES", "GB")  # two markets: a short sweep
    get_settings.cache_clear()

    tick = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=tick)
        request = signal_plan_schedule(context)
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == f"signal-plan@{tick.isoformat()}"
        result = signal_plan.execute_in_process(
            run_config=request.run_config, instance=instance, resources=build_resources(app_env)
        )
    assert result.success
    with psycopg.connect(app_env, autocommit=True) as c:
        rows = c.execute(
            "SELECT status, result->'allow' FROM cron_logs WHERE job_name = 'signal-plan'"
        ).fetchall()
    assert len(rows) == 1 and rows[0][0] == "success"
    assert rows[0][1]["setlistfm"] == 1440 - 288  # the whole day left, 20 % kept for imports
    assert sandbox_env.counters()["by_provider"]["ticketmaster"] >= 1  # the market was searched


def test_every_artist_the_plan_wrote_gets_a_completed_sync_jobs_row(
    world: World, served: SandboxServer, conn: psycopg.Connection, clients: Providers
) -> None:
    seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
    served.configure(today=world.day_of(1).isoformat())
    report = run_day(conn, clients, now=world.at(DAY + NOW_MINUTE), allow={p: 10**6 for p in QUOTAS})
    written = conn.execute("SELECT count(DISTINCT headliner_artist_id) FROM shows").fetchone()
    assert written is not None and written[0] > 0
    rows = conn.execute(
        "SELECT j.status, j.job_type, j.total_steps, j.completed_steps, j.metadata->>'schedule', "
        "j.metadata->>'requested_by', count(p.id) FROM sync_jobs j JOIN sync_progress p ON p.job_id = j.id "
        "GROUP BY j.id"
    ).fetchall()
    assert len(rows) == report.sync_jobs >= written[0]
    assert all(r[:2] == ("completed", "update") and r[2] == r[3] == r[6] for r in rows)
    assert {(r[4], r[5]) for r in rows} == {("signal-plan", "schedule")}
