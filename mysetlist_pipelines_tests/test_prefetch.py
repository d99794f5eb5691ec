"""The shows and setlists pages of a one-artist run fetched ahead while the catalog works on Spotify
(lib/sync/prefetch.py, started by the profile step: defs/artists/step_runner.start_prefetch): the
providers' calls of one import overlap in time at the sandbox, every call is made once and reported
by the step that used it, and a prefetch's failure fails only its step with the usual message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib.http import ProviderError
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines.lib.sync.artist_setlists import sync_setlists
from mysetlist_pipelines.lib.sync.artist_shows import sync_shows
from mysetlist_pipelines.lib.sync.prefetch import Prefetch, SetlistsParams, ShowsParams, shows_key
from mysetlist_pipelines_tests.artist_support import Sandbox, register, run_job, step_metadata

STEPS = ("artist_profile", "artist_catalog", "artist_shows", "artist_setlists", "predicted_setlists")
CATALOG = ("spotify:artist_albums", "spotify:album", "spotify:album_tracks")


def _artist_id(conn: psycopg.Connection, name: str) -> str:
    row = conn.execute("SELECT id::text FROM artists WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return row[0]


def test_a_full_sync_fetches_shows_and_setlists_while_the_catalog_runs_each_call_once(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Spotify at 10/s: the largest artist's catalog takes seconds, as it does at the real rates.
    monkeypatch.setenv("SPOTIFY_RATE_LIMIT_PER_SECOND", "10")
    get_settings.cache_clear()
    ref = artist_sandbox.server.artist("velvet-static")
    key = register(app_env, instance, name=ref.name)
    result = run_job(definitions, instance, "full_sync", key)
    assert result.success
    counters = artist_sandbox.server.counters()
    times, calls = counters["call_times"], counters["calls"]

    catalog = [times[e] for e in CATALOG if e in times]
    catalog_start, catalog_end = min(t[0] for t in catalog), max(t[1] for t in catalog)
    assert catalog_end - catalog_start > 1.0  # (the catalog spans the window the others overlap)
    # The other providers' pages of the later steps went out while the catalog was still on Spotify.
    assert times["ticketmaster:events"][0] < catalog_end
    assert times["setlistfm:artist_setlists"][0] < catalog_end
    # ... and not again when their steps ran: the steps took the prefetched pages.
    shows, setlists = step_metadata(result, "artist_shows"), step_metadata(result, "artist_setlists")
    assert shows["calls"] == {"ticketmaster:events": calls["ticketmaster:events"]}
    assert setlists["calls"] == {"setlistfm:artist_setlists": calls["setlistfm:artist_setlists"]}
    # Each call once, reported by exactly one step: the catalog's count holds only its own Spotify
    # calls (the prefetch has clients of its own), and the steps' counts add up to the sandbox's.
    catalog_calls = step_metadata(result, "artist_catalog")["calls"]
    assert isinstance(catalog_calls, dict) and all(e.startswith("spotify:") for e in catalog_calls)
    assert sum(int(step_metadata(result, s)["provider_calls"]) for s in STEPS) == sum(calls.values())  # type: ignore[call-overload]
    assert counters["status"].get("429", 0) == 0


@pytest.mark.parametrize(
    ("provider", "endpoint", "step", "sync"),
    [
        ("ticketmaster", "ticketmaster:events", "artist_shows", "shows"),
        ("setlistfm", "setlistfm:artist_setlists", "artist_setlists", "setlists"),
    ],
)
def test_a_failed_prefetch_fails_only_its_step_with_the_message_of_the_steps_own_fetch(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    provider: str,
    endpoint: str,
    step: str,
    sync: str,
) -> None:
    monkeypatch.setenv("MYSETLIST_HTTP_BACKOFF_SECONDS", "0.05")  # (its retries, quickly)
    get_settings.cache_clear()
    ref = artist_sandbox.server.artist("hollow-pines")
    key = register(app_env, instance, name=ref.name)
    # A page of the wrong shape (BadProviderResponse), every time: the same message however often asked.
    artist_sandbox.server.add_fault(provider, "bad_json", count=-1, endpoint=endpoint)
    result = run_job(definitions, instance, "full_sync", key, raise_on_error=False)
    assert not result.success
    logged = [e.user_message for e in instance.all_logs(result.run_id)]
    assert "fetching ahead for the shows and setlists step(s) while the next steps run" in logged
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert [e.step_key for e in failures] == [step]
    landed = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert landed == set(STEPS) - {step}
    data = failures[0].step_failure_data.user_failure_data
    assert data is not None
    message = data.description

    # The same step without a prefetch (the fault is still on): the same error, the same message.
    with psycopg.connect(app_env, autocommit=True) as conn:
        artist_id = _artist_id(conn, ref.name)
        own = Providers.from_settings(get_settings(), app_env)  # the run's settings, as the resource
        today = datetime.now(UTC).date()
        with pytest.raises(ProviderError) as raised:
            if sync == "shows":
                sync_shows(conn, own, artist_id, today=today)
            else:
                sync_setlists(conn, own, artist_id, today=today)
        own.close()
    assert message == str(raised.value)


def test_a_prefetch_is_taken_once_and_one_no_step_took_ends_with_its_owner(
    app_env: str, artist_sandbox: Sandbox, make_providers: Callable[..., Providers]
) -> None:
    ref = artist_sandbox.server.artist("hollow-pines")
    providers = make_providers()
    from mysetlist_pipelines.lib import artist_keys
    from mysetlist_pipelines.lib.sync.artist_profile import sync_profile

    today = datetime.now(UTC).date()
    with psycopg.connect(app_env, autocommit=True) as conn:
        (key,) = artist_keys.register(conn, [artist_keys.ArtistRequest(name=ref.name)])
        artist_id = sync_profile(conn, providers, key).artist_id
        assert artist_id is not None
        attraction = conn.execute(
            "SELECT tm_attraction_id FROM artists WHERE id = %s", (artist_id,)
        ).fetchone()
        assert attraction is not None
        before = artist_sandbox.calls()

        prefetch = Prefetch(make_providers)
        started = prefetch.start(
            conn, artist_id, today=today, shows=ShowsParams(30), setlists=SetlistsParams(5, 3, False)
        )
        assert started == ["shows", "setlists"]
        report = sync_shows(conn, providers, artist_id, today=today, prefetch=prefetch)
        # Taken: the step made no call of its own, and reports the prefetch's.
        assert prefetch.take(shows_key(artist_id, attraction[0], ShowsParams(30))) is None
        spent = artist_sandbox.calls()
        events = spent.get("ticketmaster:events", 0) - before.get("ticketmaster:events", 0)
        assert report.calls == {"ticketmaster:events": events} and events >= 1
        # The setlists fetch no step took: closing stops it and waits for its thread.
        prefetch.close()
        assert prefetch.take(("setlists", artist_id)) is None
        assert prefetch.start(conn, artist_id, today=today, shows=ShowsParams(30), setlists=None) == []
        prefetch.close()
    after = artist_sandbox.calls()
    assert after.get("ticketmaster:events", 0) == spent.get("ticketmaster:events", 0)
