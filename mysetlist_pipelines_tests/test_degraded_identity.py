"""Issue 12, items 1 and 4, against the sandbox with the fault injected and a real Postgres: a provider
that is down or out of budget does not stop the identity from settling from the others (only the
step that needs it fails, saying when it comes back, and a later sync fills the gap); an id the
request brought that its provider denies fails the profile permanently, naming the field, and
leaves no data row."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines_tests.artist_expectations import expected
from mysetlist_pipelines_tests.artist_support import Sandbox, counts, register, run_job, table_counts

ALL_STEPS = {"artist_profile", "artist_catalog", "artist_shows", "artist_setlists", "predicted_setlists"}


@pytest.fixture
def fast_failures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MYSETLIST_HTTP_MAX_RETRIES", "1")
    monkeypatch.setenv("MYSETLIST_HTTP_BACKOFF_SECONDS", "0.05")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _failures(result: dg.ExecuteInProcessResult) -> dict[str, dg.DagsterEvent]:
    return {str(e.step_key): e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE}


def _error(event: dg.DagsterEvent) -> str:
    return str(event.event_specific_data.error)  # type: ignore[union-attr]


def _cause(event: dg.DagsterEvent) -> str:
    error = event.event_specific_data.error  # type: ignore[union-attr]
    return error.cause.cls_name if error.cause else error.cls_name


def _landed(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}


def _artist(conn: psycopg.Connection) -> tuple[str, str, str | None, str | None, str | None]:
    (row,) = conn.execute("SELECT id::text, name, tm_attraction_id, spotify_id, mbid FROM artists").fetchall()
    return row


def _breaker_closes(app_db: str) -> None:
    """What the passing of Spotify's Retry-After (13.6 h) would do: the breaker's open time ends."""
    with psycopg.connect(app_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE pipelines.provider_pacing SET open_until = now() - interval '1 second' "
            "WHERE provider = 'spotify'"
        )


@pytest.mark.parametrize(
    ("by", "artist"),
    [
        ("tm_attraction_id", "neon-harbor"),  # its attraction links the Spotify id
        ("name", "paper-satellites"),  # its attraction links nothing: no Spotify id until Spotify answers
    ],
)
def test_spotify_quota_exhausted_settles_the_identity_from_the_others_and_a_later_sync_fills_it(
    by: str,
    artist: str,
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    fast_failures: None,
) -> None:
    ref = artist_sandbox.server.artist(artist)
    want = expected(artist_sandbox.server.dataset, artist, artist_sandbox.today)
    artist_sandbox.server.add_fault("spotify", "quota_exceeded", count=-1)
    key = register(app_env, instance, **{by: getattr(ref, by)})

    first = run_job(definitions, instance, "full_sync", key, raise_on_error=False)

    failures = _failures(first)
    assert set(failures) == {"artist_catalog"}
    assert _landed(first) == ALL_STEPS - {"artist_catalog"}
    message = _error(failures["artist_catalog"])
    assert " UTC" in message and "Spotify answers again" in message
    if by == "name":  # nothing linked the artist on Spotify: the catalog says so
        assert f"{ref.name} has no Spotify link yet" in message
        assert "budget resets / its breaker closes at 20" in message
        assert "a later refresh links the artist on Spotify and fills its catalog" in message
    else:  # the attraction's link gave the id (kept unverified); the catalog hit the open breaker
        assert "circuit breaker open until 20" in message and "QUOTA_EXCEEDED" in message
        assert "a later refresh fills the catalog" in message
    # Spotify was asked once (the quota answer trips the breaker), and never again.
    spotify_calls = {k: v for k, v in artist_sandbox.calls().items() if k.startswith("spotify:")}
    assert sum(v for k, v in spotify_calls.items() if k != "spotify:token") == 1
    with psycopg.connect(app_env) as conn:
        artist_id, name, tm_id, spotify_id, mbid = _artist(conn)
        linked = ref.spotify_id if by == "tm_attraction_id" else None  # a link is kept unverified
        assert (name, tm_id, spotify_id, mbid) == (ref.name, ref.tm_attraction_id, linked, ref.mbid)
        got = counts(conn, artist_id)
        assert (got["shows"], got["setlists"], got["spotify_songs"]) == (want.shows, want.setlists, 0)
        # Predictions rank the setlists' songs; with no setlist history and no catalog, none yet.
        assert got["predicted"] == (want.predicted if want.setlists else 0)
        (status, reason) = conn.execute(
            "SELECT status, reason FROM pipelines.artist_matches WHERE service = 'spotify'"
        ).fetchone()
        assert status == "unavailable" and "QUOTA_EXCEEDED" in reason

    # Hours later the breaker closes: the next sync (within the profile's 7-day freshness) asks
    # Spotify again, links the artist and fills the catalog.
    artist_sandbox.server.reset()
    _breaker_closes(app_env)
    second = run_job(definitions, instance, "full_sync", key)
    assert second.success
    with psycopg.connect(app_env) as conn:
        artist_id, _, _, spotify_id, _ = _artist(conn)
        assert spotify_id == ref.spotify_id
        assert counts(conn, artist_id)["spotify_songs"] == want.catalog_songs
        assert table_counts(conn)["artists"] == 1


def test_a_known_spotify_id_is_kept_unverified_and_the_catalog_says_when_spotify_is_back(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    fast_failures: None,
) -> None:
    ref = artist_sandbox.server.artist("hollow-pines")
    artist_sandbox.server.add_fault("spotify", "quota_exceeded", count=-1)
    key = register(app_env, instance, spotify_id=ref.spotify_id, name=ref.name)

    result = run_job(definitions, instance, "full_sync", key, raise_on_error=False)

    failures = _failures(result)
    assert set(failures) == {"artist_catalog"}
    message = _error(failures["artist_catalog"])
    assert "circuit breaker open until 20" in message and "a later refresh fills the catalog" in message
    with psycopg.connect(app_env) as conn:
        _, name, tm_id, spotify_id, _ = _artist(conn)
        assert (name, tm_id, spotify_id) == (ref.name, ref.tm_attraction_id, ref.spotify_id)


def test_nothing_to_settle_from_is_a_transient_failure_and_no_row(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    fast_failures: None,
) -> None:
    """Only a Spotify id, and Spotify out of budget: no name to search the others by. The profile
    fails (retryable: not the permanent ArtistNotFound), and no row is named after the id."""
    artist_sandbox.server.add_fault("spotify", "quota_exceeded", count=-1)
    key = register(app_env, instance, spotify_id=artist_sandbox.server.artist("echo-valley").spotify_id)
    result = run_job(definitions, instance, "full_sync", key, raise_on_error=False)
    failure = _failures(result)["artist_profile"]
    assert _cause(failure) == "QuotaExhausted"
    assert "QUOTA_EXCEEDED" in _error(failure) or "quota" in _error(failure).lower()
    with psycopg.connect(app_env) as conn:
        assert table_counts(conn)["artists"] == 0


def test_a_ticketmaster_5xx_storm_fails_only_the_shows(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    fast_failures: None,
) -> None:
    ref = artist_sandbox.server.artist("velvet-static")
    artist_sandbox.server.add_fault("ticketmaster", "503", count=-1)
    key = register(app_env, instance, name=ref.name)
    result = run_job(definitions, instance, "full_sync", key, raise_on_error=False)
    failures = _failures(result)
    assert set(failures) == {"artist_shows"}
    message = _error(failures["artist_shows"])
    assert f"{ref.name} has no Ticketmaster link yet" in message
    assert "a later refresh links the artist on Ticketmaster and imports its shows" in message
    with psycopg.connect(app_env) as conn:
        artist_id, name, tm_id, spotify_id, mbid = _artist(conn)
        assert (name, tm_id, spotify_id, mbid) == (ref.name, None, ref.spotify_id, ref.mbid)
        assert counts(conn, artist_id)["spotify_songs"] > 0 and counts(conn, artist_id)["setlists"] > 0
        (status,) = conn.execute(
            "SELECT status FROM pipelines.artist_matches WHERE service = 'ticketmaster'"
        ).fetchone()
        assert status == "unavailable"


@pytest.mark.parametrize(
    ("by", "value", "says"),
    [
        (
            "tm_attraction_id",
            "K8vZ91NOSUCH",
            "ticketmaster_id 'K8vZ91NOSUCH': Ticketmaster has no attraction",
        ),
        (
            "spotify_id",
            "0000000000000000000000",
            "spotify_id '0000000000000000000000': Spotify has no artist",
        ),
        (
            "mbid",
            "00000000-0000-4000-8000-000000000000",
            "setlistfm_id '00000000-0000-4000-8000-000000000000': setlist.fm knows no artist",
        ),
    ],
)
def test_an_id_its_provider_denies_fails_permanently_naming_the_field(
    by: str,
    value: str,
    says: str,
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    key = register(app_env, instance, **{by: value})
    result = run_job(definitions, instance, "full_sync", key, raise_on_error=False)
    failures = _failures(result)
    assert set(failures) == {"artist_profile"}
    assert says in _error(failures["artist_profile"])
    assert _cause(failures["artist_profile"]) == "UnknownExternalId"  # an ArtistNotFound: not retried
    assert _landed(result) == set()
    with psycopg.connect(app_env) as conn:
        assert table_counts(conn)["artists"] == 0
