"""Every fault kind the sandbox injects, through the real clients: recovered, or failed fast with an
error that names the provider, the reason and (where there is one) until when."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from mysetlist_pipelines.lib.http import (
    BadProviderResponse,
    CircuitOpen,
    ProviderAuthError,
    ProviderRequestError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_sandbox.server import SandboxServer

MakeProviders = Callable[..., Providers]


def _ids(sandbox: SandboxServer, key: str = "velvet-static"):  # type: ignore[no-untyped-def]
    return sandbox.artist(key)


def _same_counts(providers: Providers, sandbox: SandboxServer) -> dict[str, int]:
    """Our counters and the sandbox's agree on every endpoint; returns them."""
    ours = providers.calls()
    theirs = sandbox.counters()["calls"]
    assert ours == theirs
    return ours


def test_429_with_retry_after_is_waited_out(sandbox_env: SandboxServer, providers: Providers) -> None:
    ref = _ids(sandbox_env)
    sandbox_env.add_fault("spotify", "429", count=1, seconds=1, endpoint="spotify:artist")
    started = time.monotonic()
    artist = providers.spotify.artist(ref.spotify_id)
    assert artist is not None and artist.id == ref.spotify_id
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 honoured
    assert _same_counts(providers, sandbox_env) == {"spotify:token": 1, "spotify:artist": 2}


@pytest.mark.parametrize(
    ("provider", "kind"),
    [("setlistfm", "429_no_retry_after"), ("ticketmaster", "429_no_retry_after"), ("ticketmaster", "500")],
)
def test_transient_faults_are_retried_with_backoff(
    sandbox_env: SandboxServer, providers: Providers, provider: str, kind: str
) -> None:
    ref = _ids(sandbox_env)
    sandbox_env.add_fault(provider, kind, count=2)
    if provider == "setlistfm":
        assert providers.setlistfm.artist(ref.mbid) is not None
        expected = {"setlistfm:artist": 3}
    else:
        assert providers.ticketmaster.attraction(ref.tm_attraction_id) is not None
        expected = {"ticketmaster:attraction": 3}
    assert _same_counts(providers, sandbox_env) == expected
    assert providers.breaker.state(provider).failures == 0  # the success closed the count again


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_server_errors_recover_and_html_error_pages_are_understood(
    sandbox_env: SandboxServer, providers: Providers, kind: str
) -> None:
    ref = _ids(sandbox_env)
    sandbox_env.add_fault("spotify", kind, count=2, endpoint="spotify:album")
    album_id = providers.spotify.artist_albums(ref.spotify_id)[0].id
    album = providers.spotify.album(album_id)
    assert album is not None and album.tracks.items
    assert providers.calls()["spotify:album"] == 3
    _same_counts(providers, sandbox_env)


def test_persistent_5xx_fails_after_the_retries_with_the_last_status(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    providers = make_providers(http_max_retries=2, breaker_failure_threshold=10)
    sandbox_env.add_fault("setlistfm", "503", count=-1)
    with pytest.raises(ProviderUnavailable) as caught:
        providers.setlistfm.artist(_ids(sandbox_env).mbid)
    text = str(caught.value)
    assert text.startswith("setlist.fm (setlistfm:artist): HTTP 503:") and "after 3 attempts" in text
    assert _same_counts(providers, sandbox_env) == {"setlistfm:artist": 3}


def test_breaker_opens_fails_fast_everywhere_and_closes_after_recovery(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    settings = {"http_max_retries": 6, "breaker_failure_threshold": 3, "breaker_cooldown_seconds": 0.5}
    providers = make_providers(**settings)
    mbid = _ids(sandbox_env).mbid
    sandbox_env.add_fault("setlistfm", "502", count=-1)
    with pytest.raises(CircuitOpen) as caught:
        providers.setlistfm.artist(mbid)
    assert caught.value.until is not None and "3 consecutive failures" in str(caught.value)
    assert "HTTP 502" in str(caught.value)
    assert providers.calls() == {"setlistfm:artist": 3}  # opened at the threshold, not after 7 tries

    # Another process (its own Providers, same database) fails fast too, without a request.
    other = make_providers(**settings)
    started = time.monotonic()
    with pytest.raises(CircuitOpen):
        other.setlistfm.search_artists("Anything")
    assert time.monotonic() - started < 0.5
    assert sandbox_env.counters()["by_provider"]["setlistfm"] == 3

    # The provider recovers; once the cooldown has passed, the next call goes through and closes it.
    sandbox_env.reset()
    deadline = time.monotonic() + 10
    while True:
        try:
            artist = other.setlistfm.artist(mbid)
            break
        except CircuitOpen:
            assert time.monotonic() < deadline, "breaker never half-opened"
            time.sleep(0.05)
    assert artist is not None
    assert providers.breaker.state("setlistfm").failures == 0
    assert providers.breaker.state("setlistfm").open_until is None


def test_latency_beyond_the_read_timeout_is_retried(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    providers = make_providers(http_read_timeout_seconds=0.3)
    sandbox_env.add_fault("ticketmaster", "latency", count=1, seconds=1.0)
    attraction = providers.ticketmaster.attraction(_ids(sandbox_env).tm_attraction_id)
    assert attraction is not None
    assert _same_counts(providers, sandbox_env) == {"ticketmaster:attraction": 2}


def test_latency_within_the_read_timeout_is_just_slow(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    sandbox_env.add_fault("setlistfm", "latency", count=1, seconds=0.3)
    assert providers.setlistfm.artist(_ids(sandbox_env).mbid) is not None
    assert providers.calls() == {"setlistfm:artist": 1}


def test_a_truncated_body_is_retried_then_reported(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    providers = make_providers(http_max_retries=1)
    ref = _ids(sandbox_env)
    sandbox_env.add_fault("ticketmaster", "bad_json", count=1)
    assert providers.ticketmaster.attraction(ref.tm_attraction_id) is not None
    sandbox_env.add_fault("ticketmaster", "bad_json", count=-1)
    with pytest.raises(BadProviderResponse) as caught:
        providers.ticketmaster.attraction(ref.tm_attraction_id)
    assert "not valid JSON" in str(caught.value) and "after 2 attempts" in str(caught.value)
    assert _same_counts(providers, sandbox_env) == {"ticketmaster:attraction": 4}


def test_spotify_quota_exceeded_fails_at_once_until_the_retry_after(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    providers = make_providers()
    ref = _ids(sandbox_env)
    sandbox_env.add_fault("spotify", "quota_exceeded", count=1)
    started = time.monotonic()
    with pytest.raises(QuotaExhausted) as caught:
        providers.spotify.artist(ref.spotify_id)
    assert time.monotonic() - started < 2
    err = caught.value
    assert err.provider == "spotify" and err.status == 429 and err.until is not None
    expected_until = datetime.now(UTC) + timedelta(seconds=48925)
    assert abs((err.until - expected_until).total_seconds()) < 10
    assert "QUOTA_EXCEEDED" in str(err) and err.until.strftime("%Y-%m-%d %H:%M") in str(err)
    assert providers.calls() == {"spotify:token": 1, "spotify:artist": 1}
    # Every later call, from any process, fails fast until then; the budget reads as spent.
    other = make_providers()
    with pytest.raises(CircuitOpen) as again:
        other.spotify.artist(ref.spotify_id)
    assert "QUOTA_EXCEEDED" in str(again.value)
    assert other.calls() == {}
    assert other.remaining_today("spotify") == 0
    assert other.remaining_today("setlistfm") > 0


def test_a_retry_after_beyond_the_cap_is_not_slept_out(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    providers = make_providers(http_max_retry_wait_seconds=30)
    sandbox_env.add_fault("spotify", "429", count=1, seconds=600, endpoint="spotify:search")
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        providers.spotify.search_artists("Echo Valley")
    assert time.monotonic() - started < 2
    assert not isinstance(caught.value, QuotaExhausted)
    assert caught.value.until is not None
    assert abs((caught.value.until - datetime.now(UTC)).total_seconds() - 600) < 10
    assert "Retry-After 600 s" in str(caught.value) and "MYSETLIST_HTTP_MAX_RETRY_WAIT" in str(caught.value)


def test_ticketmaster_quota_violation_fails_fast_without_echoing_the_key(
    sandbox_env: SandboxServer, providers: Providers, caplog: pytest.LogCaptureFixture
) -> None:
    key = providers.ticketmaster._api_key
    assert key
    sandbox_env.add_fault("ticketmaster", "quota_exceeded", count=1)
    with caplog.at_level("DEBUG"), pytest.raises(QuotaExhausted) as caught:
        providers.ticketmaster.events_by_attraction(_ids(sandbox_env).tm_attraction_id)
    assert "QuotaViolation" in str(caught.value) and caught.value.until is not None
    assert key not in str(caught.value) and key not in caplog.text


def test_ticketmaster_daily_quota_enforced_by_the_provider(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    sandbox_env.configure(quotas={"ticketmaster": 2})
    ref = _ids(sandbox_env)
    providers.ticketmaster.attraction(ref.tm_attraction_id)
    providers.ticketmaster.attraction(ref.tm_attraction_id)
    with pytest.raises(QuotaExhausted) as caught:
        providers.ticketmaster.attraction(ref.tm_attraction_id)
    # No Rate-Limit-Reset on the 429: the quota resets at the next UTC midnight.
    assert caught.value.until is not None
    assert caught.value.until == datetime.combine(
        datetime.now(UTC).date() + timedelta(days=1), datetime.min.time(), UTC
    )


def test_spotify_token_is_cached_and_refreshed_once_after_a_401(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    ref = _ids(sandbox_env)
    providers.spotify.artist(ref.spotify_id)
    providers.spotify.artist(ref.spotify_id)
    assert providers.calls() == {"spotify:token": 1, "spotify:artist": 2}
    sandbox_env.add_fault("spotify", "token_expired", count=1)
    assert providers.spotify.artist(ref.spotify_id) is not None
    assert _same_counts(providers, sandbox_env) == {"spotify:token": 2, "spotify:artist": 4}
    assert sandbox_env.counters()["status_by_provider"]["spotify"].get("401") == 1


def test_spotify_token_is_refreshed_before_it_expires(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    sandbox_env.configure(token_ttl_seconds=1)
    ref = _ids(sandbox_env)
    providers.spotify.artist(ref.spotify_id)
    first = time.monotonic()
    while time.monotonic() - first < 0.95:  # let the lifetime (less its 10 % margin) pass
        time.sleep(0.05)
    providers.spotify.artist(ref.spotify_id)
    assert providers.calls() == {"spotify:token": 2, "spotify:artist": 2}
    assert "401" not in sandbox_env.counters()["status_by_provider"]["spotify"]


def test_wrong_credentials_are_reported_without_the_secret(
    sandbox_env: SandboxServer, make_providers: MakeProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong_secret = "not-the-sandbox-secret-0123456789abcd"
    wrong_key = "not-the-sandbox-key-0123456789abcdef"
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", wrong_secret)
    monkeypatch.setenv("TICKETMASTER_API_KEY", wrong_key)
    providers = make_providers()
    with pytest.raises(ProviderRequestError) as spotify_err:
        providers.spotify.artist(_ids(sandbox_env).spotify_id)
    assert spotify_err.value.status == 400 and "Invalid client secret" in str(spotify_err.value)
    with pytest.raises(ProviderAuthError) as tm_err:
        providers.ticketmaster.attraction(_ids(sandbox_env).tm_attraction_id)
    assert "Invalid ApiKey" in str(tm_err.value)
    for text in (str(spotify_err.value), str(tm_err.value)):
        assert wrong_secret not in text and wrong_key not in text
    assert providers.calls() == {"spotify:token": 1, "ticketmaster:attraction": 1}  # never retried


def test_a_removed_endpoint_answers_403_and_is_not_retried(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    # The clients have no method for removed endpoints; this shows what the policy would do with one.
    session = providers.sessions[0]
    token = providers.spotify._access_token()
    with pytest.raises(ProviderRequestError) as caught:
        session.get(
            "spotify:removed",
            f"{providers.spotify.api_url}/artists",
            params={"ids": "a,b"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert caught.value.status == 403 and "removed endpoints" in str(caught.value)
    assert sandbox_env.counters()["calls"] == {"spotify:token": 1, "spotify:removed": 1}


def test_setlistfm_quota_looks_like_any_429_and_ends_rate_limited(
    sandbox_env: SandboxServer, make_providers: MakeProviders
) -> None:
    # setlist.fm's gateway gives a bare 429 for its rate and its quota alike: retried with backoff,
    # then reported with a time to come back.
    providers = make_providers(http_max_retries=2)
    sandbox_env.add_fault("setlistfm", "quota_exceeded", count=-1)
    with pytest.raises(RateLimited) as caught:
        providers.setlistfm.search_artists("Zoë Marlowe")
    err = caught.value
    assert not isinstance(err, QuotaExhausted) and err.status == 429 and err.until is not None
    assert err.until > datetime.now(UTC) and "after 3 attempts" in str(err)
    assert _same_counts(providers, sandbox_env) == {"setlistfm:search_artists": 3}


def test_missing_credentials_say_what_to_set_before_any_call(
    sandbox_env: SandboxServer, make_providers: MakeProviders, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mysetlist_pipelines.lib.http import ProviderNotConfigured

    for name in ("SPOTIFY_CLIENT_SECRET", "TICKETMASTER_API_KEY", "SETLISTFM_API_KEY"):
        monkeypatch.delenv(name)
    providers = make_providers()
    ref = _ids(sandbox_env)
    for call, variable in (
        (lambda: providers.spotify.artist(ref.spotify_id), "SPOTIFY_CLIENT_SECRET"),
        (lambda: providers.ticketmaster.attraction(ref.tm_attraction_id), "TICKETMASTER_API_KEY"),
        (lambda: providers.setlistfm.artist(ref.mbid), "SETLISTFM_API_KEY"),
    ):
        with pytest.raises(ProviderNotConfigured, match=variable):
            call()
    assert providers.calls() == {} and sandbox_env.counters()["calls"] == {}
