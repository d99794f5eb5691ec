"""Discovery schedules (sync-us-shows, sync-eu-shows, trending-artist-sync) against a sandbox with
synthetic artists: what they refresh, what they import (through pending sync_jobs rows), their calls,
a small budget, an open circuit and the deadline. Expectations come from the sandbox's own data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.resources import build_resources
from mysetlist_pipelines.defs.schedules import discovery as discovery_schedules
from mysetlist_pipelines.defs.schedules.discovery import sync_eu_shows, sync_us_shows, trending_artist_sync
from mysetlist_pipelines.lib.fleet.tm_discovery import discover
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.settings import Settings, get_settings
from mysetlist_sandbox import sandbox_env
from mysetlist_sandbox.server import SandboxServer

from .fleet_helpers import DAY, HOUR, add_artist, add_show, batch_rows, cron_rows, open_circuit
from .ticks import sensor_tick
from .tracking_helpers import insert_job

TICK = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
EU = ("GB", "DE", "IE")
WINDOW = timedelta(days=90)


@pytest.fixture(scope="module")
def scout_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port=0, synthetic_artists=6).start()
    yield server
    server.stop()


@pytest.fixture
def scout_env(
    app_env: str, scout_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxServer]:
    scout_sandbox.reset()
    for variables in sandbox_env(scout_sandbox.base_url).values():
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
    for provider in ("SPOTIFY", "TICKETMASTER", "SETLISTFM"):
        monkeypatch.setenv(f"{provider}_RATE_LIMIT_PER_SECOND", "100")
    monkeypatch.setenv("MYSETLIST_DISCOVERY_EU_COUNTRIES", ",".join(EU))
    monkeypatch.setenv("MYSETLIST_DISCOVERY_MAX_IMPORTS", "2")
    get_settings.cache_clear()
    yield scout_sandbox
    get_settings.cache_clear()


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


@dataclass
class Seen:
    name: str
    upcoming: int
    events: set[str] = field(default_factory=set)


def ground_truth(server: SandboxServer, countries: tuple[str, ...]) -> dict[str, Seen]:
    """Attraction id -> what a discovery of `countries` over the next 90 days must see."""
    live = server.dataset.live(server.today)
    now = datetime.now(UTC)
    seen: dict[str, Seen] = {}
    for event in live.events:
        if event.venue.cc not in countries or event.start is None or not now <= event.start <= now + WINDOW:
            continue
        for attraction in event.attraction_ids:
            a = live.attractions[attraction]
            seen.setdefault(attraction, Seen(a.name, live.upcoming_by_attraction[attraction])).events.add(
                event.id
            )
    return seen


def ranking(seen: dict[str, Seen], exclude: set[str], min_upcoming: int) -> list[str]:
    """Most upcoming events first (then most events seen, then name): the documented order."""
    pool = [(k, s) for k, s in seen.items() if k not in exclude and s.upcoming >= min_upcoming]
    pool.sort(key=lambda kv: (-kv[1].upcoming, -len(kv[1].events), kv[1].name.casefold(), kv[0]))
    return [k for k, _ in pool]


@dataclass
class Tick:
    request: dg.RunRequest  # what the schedule asked for: one discovery run
    seconds: float  # the schedule evaluation's own wall time
    calls: dict[str, int]  # provider calls made during the evaluation


def schedule_tick(
    schedule: dg.ScheduleDefinition, inst: dg.DagsterInstance, server: SandboxServer, at: datetime = TICK
) -> Tick:
    """Evaluate the schedule alone, counting the sandbox's calls before and after."""
    before = dict(server.counters()["calls"])
    started = time.perf_counter()
    data = schedule.evaluate_tick(dg.build_schedule_context(instance=inst, scheduled_execution_time=at))
    seconds = time.perf_counter() - started
    after = dict(server.counters()["calls"])
    (request,) = data.run_requests or []
    return Tick(
        request, seconds, {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    )


def evaluate(
    schedule: dg.ScheduleDefinition,
    inst: dg.DagsterInstance,
    server: SandboxServer,
    at: datetime = TICK,
    cursor: str | None = None,
) -> tuple[list[dg.RunRequest], str | None, str | None]:
    """A whole tick as the daemon runs it: the schedule's evaluation (no I/O of its own), the
    discovery run it requests, then the batch launcher sensor -> (refresh run requests, the
    sensor's skip message, its new cursor)."""
    tick = schedule_tick(schedule, inst, server, at)
    assert tick.calls == {} and tick.seconds < 1.0
    assert tick.request.job_name in (None, "discovery")
    run = discovery_schedules.discovery.execute_in_process(
        run_config=tick.request.run_config, instance=inst, tags=tick.request.tags, resources=build_resources()
    )
    assert run.success
    data = sensor_tick(discovery_schedules.discovery_batches, instance=inst, cursor=cursor)
    return list(data.run_requests or []), data.skip_message, data.cursor


def import_rows(conn: psycopg.Connection) -> list[tuple[str, str, int, str, str]]:
    return conn.execute(
        "SELECT ticketmaster_id, job_type, priority, status, metadata->>'requested_by' FROM sync_jobs "
        "WHERE metadata->>'schedule' IS NOT NULL AND ticketmaster_id IS NOT NULL ORDER BY created_at, id"
    ).fetchall()


def test_sync_us_shows_refreshes_known_artists_and_imports_the_most_booked(
    scout_env: SandboxServer, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    server = scout_env
    truth = ground_truth(server, ("US",))
    known = {k: server.artist(k) for k in ("neon-harbor", "synthetic-0001")}
    stored: set[str] = set()
    for key, ref in known.items():
        artist_id, _ = add_artist(
            db, ref.name, tm=ref.tm_attraction_id, key=key, profile_ago=HOUR, shows_ago=2 * DAY
        )
        instance.add_dynamic_partitions("artists", [key])
        events = sorted(truth[ref.tm_attraction_id].events)
        # Neon Harbor: the app has one of its US events already; Synthetic 0001: all of them
        for event in events[:1] if key == "neon-harbor" else events:
            add_show(db, artist_id, 30, tm_event_id=event)
            stored.add(event)
    pending = server.artist("velvet-static").tm_attraction_id
    insert_job(db, ticketmaster_id=pending)  # the app asked for it already
    with_new = sorted(key for key, ref in known.items() if truth[ref.tm_attraction_id].events - stored)
    assert with_new == ["neon-harbor"]  # the data makes the case this test is about

    requests, _, cursor = evaluate(sync_us_shows, instance, server)

    (request,) = requests
    assert request.job_name == "shows_only"
    assert [r["partition_key"] for r in batch_rows(db, request.tags["mysetlist/batch_id"])] == with_new
    exclude = {ref.tm_attraction_id for ref in known.values()} | {pending}
    want = ranking(truth, exclude, min_upcoming=3)
    assert len(want) > 2  # more are worth importing than one tick may request
    rows = import_rows(db)
    assert {r[0] for r in rows} == set(want[:2])
    assert all(r[1:] == ("full_sync", 3, "pending", "schedule") for r in rows)
    calls = server.counters()["calls"]
    assert set(calls) == {"ticketmaster:events"}  # discovery only: the refresh and imports are runs
    (log,) = cron_rows(db, "sync-us-shows")
    result = log["result"]
    assert log["status"] == "success"
    found = result["discovery"]
    assert found["events_seen"] == len({e for s in truth.values() for e in s.events})
    assert found["ticketmaster_calls"] == calls["ticketmaster:events"] and found["countries"] == ["US"]
    assert result["known_artists_with_new_events"] == 1
    assert (
        result["new_events_of_known_artists"] == len(truth[known["neon-harbor"].tm_attraction_id].events) - 1
    )
    assert result["launched"]["runs"] == 1
    imports = result["imports"]
    assert imports["requested"] == 2 and imports["over_the_cap"] == len(want) - 2
    assert [a["name"] for a in imports["artists"]] == [truth[k].name for k in want[:2]]

    # the same tick evaluated again: the same refresh run, no second import, no second row
    calls_before = server.counters()["calls"]
    (same,), _, _ = evaluate(sync_us_shows, instance, server)
    assert same.run_key == request.run_key and len(import_rows(db)) == 2
    assert len(cron_rows(db, "sync-us-shows")) == 1 and server.counters()["calls"] == calls_before

    # the next tick: nothing requested twice
    again, _, _ = evaluate(sync_us_shows, instance, server, at=TICK + DAY, cursor=cursor)
    assert {r[0] for r in import_rows(db)} == set(want[:4])
    # Neon Harbor's refresh is still queued: no new batch; the launcher's cursor is past the one it
    # asked for already (and a launcher without its cursor asks with the same run key, as above).
    assert again == []


def test_trending_imports_what_the_budget_allows_most_upcoming_first(
    scout_env: SandboxServer,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MYSETLIST_TRENDING_IMPORTS", "3")
    monkeypatch.setenv("MYSETLIST_SPOTIFY_DAILY_QUOTA", "60")  # 12 reserved, 48 left: two imports of 23
    get_settings.cache_clear()
    truth = ground_truth(scout_env, ("US", *EU))
    want = ranking(truth, set(), min_upcoming=1)

    requests, skip, _ = evaluate(trending_artist_sync, instance, scout_env)

    assert requests == [] and skip is not None
    assert {r[0] for r in import_rows(db)} == set(want[:2])
    (log,) = cron_rows(db, "trending-artist-sync")
    imports = log["result"]["imports"]
    assert [a["name"] for a in imports["artists"]] == [truth[k].name for k in want[:2]]
    assert imports["requested"] == 2 and imports["deferred"]["count"] == 1
    assert "spotify budget" in imports["deferred"]["why"]
    assert log["result"]["discovery"]["countries"] == ["US", *EU]


def test_nothing_is_asked_of_ticketmaster_while_its_circuit_is_open(
    scout_env: SandboxServer, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    open_circuit(db, "ticketmaster", "quota exhausted until midnight")
    requests, _, _ = evaluate(sync_eu_shows, instance, scout_env)
    assert requests == []
    assert scout_env.counters()["calls"] == {}
    assert import_rows(db) == []
    (log,) = cron_rows(db, "sync-eu-shows")
    assert log["status"] == "success"
    assert log["result"]["deferred"]["by_reason"] == {"circuit:ticketmaster": 1}
    assert "quota exhausted until midnight" in log["result"]["deferred"]["why"]


def test_a_tick_that_reaches_its_deadline_logs_a_timeout(
    scout_env: SandboxServer,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(discovery_schedules, "DEADLINE_SECONDS", 0.0)
    evaluate(sync_eu_shows, instance, scout_env)
    (log,) = cron_rows(db, "sync-eu-shows")
    assert log["status"] == "timeout"
    assert log["result"]["discovery"]["countries_deferred"] == dict.fromkeys(EU, "the tick's deadline passed")
    assert scout_env.counters()["calls"] == {}


def test_discover_stops_at_the_budget_and_the_deadline(scout_env: SandboxServer, app_db: str) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with Providers.from_settings(settings, app_db) as providers:
        start, end = datetime.now(UTC), datetime.now(UTC) + WINDOW
        poor = discover(providers, EU, start=start, end=end, max_pages=2, call_budget=1, deadline=1e12)
        assert poor.countries_done == [] and set(poor.countries_deferred) == set(EU) and poor.calls == 0
        assert "ticketmaster budget" in poor.countries_deferred["GB"]
        ticks = iter([0.0, 100.0, 100.0, 100.0])
        late = discover(
            providers,
            EU,
            start=start,
            end=end,
            max_pages=2,
            call_budget=100,
            deadline=10.0,
            clock=lambda: next(ticks),
        )
        assert late.countries_done == ["GB"] and late.timed_out
        assert late.countries_deferred == {
            "DE": "the tick's deadline passed",
            "IE": "the tick's deadline passed",
        }
        assert late.calls == scout_env.counters()["calls"]["ticketmaster:events"] >= 1
        truth = ground_truth(scout_env, ("GB",))
        assert late.events == len({e for s in truth.values() for e in s.events})
        assert {k: len(v.events) for k, v in late.attractions.items()} == {
            k: len(v.events) for k, v in truth.items()
        }


@pytest.mark.parametrize(
    "schedule", [sync_us_shows, sync_eu_shows, trending_artist_sync], ids=lambda s: s.name
)
def test_a_discovery_schedule_tick_only_decides_and_launches(
    schedule: dg.ScheduleDefinition,
    scout_env: SandboxServer,
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
) -> None:
    """The evaluation makes no provider call, writes nothing and registers no partition; it finishes
    in well under a second; the discovery run it requests does the work."""
    ref = scout_env.artist("neon-harbor")
    add_artist(db, ref.name, tm=ref.tm_attraction_id, key="neon-harbor", profile_ago=HOUR, shows_ago=2 * DAY)

    def written() -> tuple[int, ...]:
        row = db.execute(
            "SELECT (SELECT count(*) FROM cron_logs), (SELECT count(*) FROM sync_jobs), "
            "(SELECT count(*) FROM pipelines.fleet_batches)"
        ).fetchone()
        assert row is not None
        return tuple(row)

    before = written()
    ticks = [schedule_tick(schedule, instance, scout_env) for _ in range(3)]
    print(f"{schedule.name}: ticks evaluated in {', '.join(f'{t.seconds * 1000:.1f}' for t in ticks)} ms")
    for tick in ticks:
        assert tick.calls == {}, "a schedule evaluation called a provider"
        assert tick.seconds < 1.0, f"a schedule evaluation took {tick.seconds:.3f} s"
    assert written() == before and instance.get_dynamic_partitions("artists") == []
    # The same tick asks for the same run (Dagster launches a run key once), the next tick for another.
    assert len({t.request.run_key for t in ticks}) == 1
    nxt = schedule_tick(schedule, instance, scout_env, at=TICK + DAY)
    assert nxt.request.run_key != ticks[0].request.run_key

    route = ticks[0].request.tags["mysetlist/schedule"]
    run = discovery_schedules.discovery.execute_in_process(
        run_config=ticks[0].request.run_config,
        instance=instance,
        tags=ticks[0].request.tags,
        resources=build_resources(),
    )
    assert run.success
    assert scout_env.counters()["calls"].get("ticketmaster:events", 0) >= 1  # the run searched
    (log,) = cron_rows(db, route)
    assert log["status"] == "success" and log["result"]["dagster_run_id"] == run.run_id


def test_the_batch_launcher_launches_only_what_discovery_runs_opened(
    scout_env: SandboxServer, db: psycopg.Connection, instance: dg.DagsterInstance
) -> None:
    """A refresh tick's batches are launched by its own sensor (refresh_batches): the discovery
    launcher leaves them alone."""
    from mysetlist_pipelines.defs.schedules.planning import fleet_refresh, refresh_batches
    from mysetlist_pipelines.defs.schedules.refresh import update_active_artists

    for i in range(2):
        artist, key = add_artist(db, f"Refresh {i}", shows_ago=DAY, profile_ago=HOUR)
        assert key
        instance.add_dynamic_partitions("artists", [key])
        add_show(db, artist, 14)
    (own,) = (
        update_active_artists.evaluate_tick(
            dg.build_schedule_context(instance=instance, scheduled_execution_time=TICK)
        ).run_requests
        or []
    )
    assert fleet_refresh.execute_in_process(
        run_config=own.run_config, instance=instance, tags=own.tags, resources=build_resources()
    ).success
    data = sensor_tick(discovery_schedules.discovery_batches, instance=instance)
    assert list(data.run_requests or []) == [] and data.skip_message
    refreshes = sensor_tick(refresh_batches, instance=instance)
    assert len(refreshes.run_requests or []) == 1  # the refresh opened a batch: its own sensor launches it
