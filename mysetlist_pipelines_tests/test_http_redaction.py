"""No secret in any log line (ours, urllib3's) or exception text, whatever goes wrong."""

from __future__ import annotations

import base64
import socket
import traceback
from collections.abc import Callable

import pytest

from mysetlist_pipelines.lib.http import MASK, ProviderError
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_sandbox.fakes import SANDBOX_CREDENTIALS
from mysetlist_sandbox.server import SandboxServer


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_secret_in_logs_or_errors_through_every_failure(
    sandbox_env: SandboxServer,
    make_providers: Callable[..., Providers],
    caplog: pytest.LogCaptureFixture,
) -> None:
    providers = make_providers(http_max_retries=1, breaker_failure_threshold=50)
    ref = sandbox_env.artist("velvet-static")
    errors: list[BaseException] = []

    def attempt(call: Callable[[], object]) -> None:
        try:
            call()
        except ProviderError as exc:
            errors.append(exc)

    # urllib3's own level too: another library (the Kubernetes client, say) may have raised it.
    with caplog.at_level("DEBUG"), caplog.at_level("DEBUG", logger="urllib3"):
        # Successes, a token refresh after a 401, rate limits and server errors on all three.
        providers.spotify.artist(ref.spotify_id)
        sandbox_env.add_fault("spotify", "token_expired", count=1)
        sandbox_env.add_fault("spotify", "429", count=1, seconds=0)
        providers.spotify.artist_albums(ref.spotify_id)
        sandbox_env.add_fault("setlistfm", "503", count=-1)
        attempt(lambda: providers.setlistfm.artist_setlists(ref.mbid))
        sandbox_env.add_fault("ticketmaster", "500", count=1)
        providers.ticketmaster.events_by_attraction(ref.tm_attraction_id)
        # A transport error: the exception text of requests holds the URL, apikey included.
        unreachable = make_providers(ticketmaster_api_url=f"http://127.0.0.1:{_closed_port()}/discovery/v2")
        attempt(lambda: unreachable.ticketmaster.attraction(ref.tm_attraction_id))
        # Ticketmaster's quota answer echoes the key in its body.
        sandbox_env.add_fault("ticketmaster", "quota_exceeded", count=1)
        attempt(lambda: providers.ticketmaster.attraction(ref.tm_attraction_id))
        # Spotify's quota.
        sandbox_env.add_fault("spotify", "quota_exceeded", count=1)
        attempt(lambda: providers.spotify.track("0000000000000000000000"))

    assert len(errors) == 4
    secrets = [value for creds in SANDBOX_CREDENTIALS.values() for value in creds.values()]
    spotify = SANDBOX_CREDENTIALS["spotify"]
    basic = f"{spotify['SPOTIFY_CLIENT_ID']}:{spotify['SPOTIFY_CLIENT_SECRET']}"
    secrets.append(base64.b64encode(basic.encode()).decode())
    tokens = list(sandbox_env.state.tokens)
    assert len(tokens) == 2  # the first and the refreshed one
    secrets += tokens

    texts = [caplog.text, *(r.getMessage() for r in caplog.records)]
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        assert exc.__cause__ is None
    for text in texts:
        for secret in secrets:
            assert secret not in text
    # The redaction was exercised, not merely never needed: urllib3 logged the request URLs.
    assert f"apikey={MASK}" in caplog.text
    assert any("connection failed" in str(e) for e in errors)
    assert any("QuotaViolation" in str(e) for e in errors)
