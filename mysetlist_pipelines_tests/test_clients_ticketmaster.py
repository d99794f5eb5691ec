"""The Ticketmaster client against the sandbox: HAL paging, deep-paging windows, quirks, costs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.providers.ticketmaster.client import events_cost
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_pipelines_tests.conftest import FAST_PROVIDER_SETTINGS
from mysetlist_sandbox import sandbox_env as provider_env
from mysetlist_sandbox.server import SandboxServer


def test_attraction_by_id_with_and_without_external_links(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    velvet = sandbox_env.artist("velvet-static")
    attraction = providers.ticketmaster.attraction(velvet.tm_attraction_id)
    assert attraction is not None and attraction.name == "The Velvet Static"
    assert attraction.spotify_id == velvet.spotify_id and attraction.mbid == velvet.mbid
    ghost = providers.ticketmaster.attraction(sandbox_env.artist("ghost-arcade").tm_attraction_id)
    assert (
        ghost is not None and ghost.spotify_id == sandbox_env.artist("ghost-arcade").spotify_id
    )  # ?si= dropped
    assert ghost.mbid is None
    bare = providers.ticketmaster.attraction(sandbox_env.artist("paper-satellites").tm_attraction_id)
    assert bare is not None and bare.external_links == {} and bare.spotify_id is None
    assert providers.ticketmaster.attraction("K8vZ91NOSUCH") is None
    assert providers.calls() == sandbox_env.counters()["calls"] == {"ticketmaster:attraction": 4}


def test_attraction_search_and_empty_results(sandbox_env: SandboxServer, providers: Providers) -> None:
    found = providers.ticketmaster.search_attractions("Hollow Pines")
    pines = [a for a in found if a.id == sandbox_env.artist("hollow-pines").tm_attraction_id]
    assert pines and pines[0].upcoming_total == 0
    velvet = next(
        a for a in providers.ticketmaster.search_attractions("Velvet Static") if a.name == "The Velvet Static"
    )
    assert velvet.upcoming_total > 0
    assert providers.ticketmaster.search_attractions("Zzyzx Nobody Plays Here") == []  # no `_embedded` at all
    assert providers.calls() == {"ticketmaster:attractions": 3}


@pytest.mark.parametrize(
    "key", ["velvet-static", "melodie-fjord", "paper-satellites", "hollow-pines", "neon-harbor"]
)
def test_events_by_attraction_counts_and_cost(
    sandbox_env: SandboxServer, providers: Providers, key: str
) -> None:
    ref = sandbox_env.artist(key)
    truth = sandbox_env.expected(key)["ticketmaster"]
    upcoming = providers.ticketmaster.events_by_attraction(ref.tm_attraction_id)
    assert len(upcoming) == truth["default_query"]
    everything = providers.ticketmaster.events_by_attraction(
        ref.tm_attraction_id, start=datetime(2000, 1, 1, tzinfo=UTC), include_tba=True
    )
    assert len(everything) == truth["events"] and len({e.id for e in everything}) == truth["events"]
    dated = [e.dates.start.date_time for e in everything if e.dates.start.date_time]
    assert dated == sorted(dated)  # sort=date,asc
    statuses = {e.status for e in everything}
    assert "canceled" not in statuses
    assert statuses == {"cancelled" if s == "canceled" else s for s in truth["statuses"]}
    calls = providers.calls()
    assert calls == sandbox_env.counters()["calls"]
    assert calls["ticketmaster:events"] == events_cost(truth["default_query"]) + events_cost(truth["events"])
    assert "400" not in sandbox_env.counters()["status"]


def test_event_and_venue_quirks(sandbox_env: SandboxServer, providers: Providers) -> None:
    events = providers.ticketmaster.events_by_attraction(
        sandbox_env.artist("melodie-fjord").tm_attraction_id, start=datetime(2000, 1, 1, tzinfo=UTC)
    )
    assert any(e.status == "cancelled" for e in events)  # the live API's spelling, normalised
    no_tz = [e for e in events if e.dates.timezone is None]
    assert no_tz and all(e.timezone and e.venue and e.timezone == e.venue.timezone for e in no_tz)
    europe = [e.venue for e in events if e.venue and e.venue.country and e.venue.country.country_code != "US"]
    assert europe and all(v.state is None for v in europe)
    assert all(v.location and isinstance(v.location.latitude, float) for v in europe)
    assert all(v.city and v.city.name == v.city.name.strip() and "  " not in v.city.name for v in europe)

    paper = providers.ticketmaster.events_by_attraction(
        sandbox_env.artist("paper-satellites").tm_attraction_id, start=datetime(2000, 1, 1), include_tba=True
    )
    tba = [e for e in paper if e.dates.start.date_tba]
    assert tba and tba[0].dates.start.local_date is None and paper[-1].id == tba[-1].id  # TBA last
    day_only = [e for e in paper if e.dates.start.no_specific_time]
    assert day_only and day_only[0].dates.start.local_time is None and day_only[0].dates.start.local_date

    coheadlined = providers.ticketmaster.events_by_attraction(
        sandbox_env.artist("neon-harbor").tm_attraction_id
    )
    assert any(len(e.attractions) > 1 for e in coheadlined)

    venue_id = europe[0].id
    venue = providers.ticketmaster.venue(venue_id)
    assert venue is not None and venue.id == venue_id and isinstance(venue.location.longitude, float)  # type: ignore[union-attr]
    assert providers.ticketmaster.venue("KovZpZNOSUCH") is None


def test_dates_are_sent_in_the_strict_format(sandbox_env: SandboxServer, providers: Providers) -> None:
    ref = sandbox_env.artist("velvet-static")
    start = datetime.now(UTC).replace(microsecond=123456) - timedelta(days=400)
    end = datetime.now(UTC) + timedelta(days=400)
    assert providers.ticketmaster.events_by_attraction(ref.tm_attraction_id, start=start, end=end)
    assert "400" not in sandbox_env.counters()["status"]


@pytest.fixture(scope="module")
def fleet_sandbox() -> Iterator[SandboxServer]:
    """A sandbox with 300 synthetic artists: more than 1000 events, beyond Ticketmaster's paging depth."""
    server = SandboxServer(synthetic_artists=300).start()
    yield server
    server.stop()


def _providers_for(server: SandboxServer, app_db: str) -> Providers:
    env = provider_env(server.base_url)["ticketmaster"]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ticketmaster_api_url=env["TICKETMASTER_API_URL"],
        ticketmaster_api_key=env["TICKETMASTER_API_KEY"],
        **FAST_PROVIDER_SETTINGS,  # type: ignore[arg-type]
    )
    return Providers.from_settings(settings, app_db)


def test_discovery_beyond_the_deep_paging_limit_uses_date_windows(
    fleet_sandbox: SandboxServer, app_db: str
) -> None:
    fleet_sandbox.reset()
    live = fleet_sandbox.dataset.live(fleet_sandbox.today)
    ordered = sorted((e for e in live.events if not e.tba), key=lambda e: (e.start_utc(), e.name, e.id))
    total = len(ordered)
    assert total > 1000
    with _providers_for(fleet_sandbox, app_db) as providers:
        events = list(providers.ticketmaster.discover_events(start=datetime(2000, 1, 1, tzinfo=UTC)))
        calls = providers.calls()
    assert len(events) == total and len({e.id for e in events}) == total
    # Window 1: pages 0-4 (1000 events, every `next` link followed with the apikey added back).
    # Window 2: from the 1000th event's start, inclusive, to the end.
    boundary = ordered[999].start_utc()
    rest = sum(1 for e in ordered if e.start_utc() >= boundary)
    assert calls == fleet_sandbox.counters()["calls"] == {"ticketmaster:events": 5 + math.ceil(rest / 200)}
    assert calls["ticketmaster:events"] <= math.ceil(total / 200) + math.ceil(total / 1000)
    status = fleet_sandbox.counters()["status"]
    assert "400" not in status and "401" not in status
