"""Adding a provider is one folder plus a registry entry: a fourth provider ("musicbrainz", declared
here as its folder's spec.py would declare it) registered in lib/providers/registry.py is picked up by
everything generic: the clients bundle (a session paced, quota-counted and behind the breaker in the
shared Postgres state), the HTTP errors' labels, check-env's report and `mysetlist status`. Its
client talks to a tiny JSON server on loopback (no sandbox fake: the sandbox fakes the three real ones)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import BaseModel, Field

from mysetlist_pipelines.lib import status
from mysetlist_pipelines.lib.checkenv import check_env
from mysetlist_pipelines.lib.http import CircuitOpen, ProviderSession
from mysetlist_pipelines.lib.providers import registry
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.providers.provider_spec import ApiUrl, Credential, ProviderSpec
from mysetlist_pipelines.lib.settings import Settings


# -- what lib/providers/musicbrainz/spec.py (+ client.py) would hold ----------------------------------
class MusicBrainzSettings(BaseModel):
    musicbrainz_user_agent: Credential = None  # MusicBrainz asks every client to say who it is
    musicbrainz_api_url: ApiUrl = "https://musicbrainz.org/ws/2"
    musicbrainz_rate_limit_per_second: float = Field(1.0, gt=0, le=100)
    musicbrainz_daily_quota: int = Field(500, gt=0)


class MusicBrainzClient:
    def __init__(self, session: ProviderSession, api_url: str, user_agent: str | None) -> None:
        self._session, self._url, self._agent = session, api_url, user_agent or ""

    def artist(self, mbid: str) -> Any:
        return self._session.get(
            "musicbrainz:artist", f"{self._url}/artist/{mbid}", headers={"User-Agent": self._agent}
        )


MUSICBRAINZ = ProviderSpec(
    name="musicbrainz",
    label="MusicBrainz",
    settings=MusicBrainzSettings,
    credentials=("musicbrainz_user_agent",),
    urls=("musicbrainz_api_url",),
    rate="musicbrainz_rate_limit_per_second",
    quota="musicbrainz_daily_quota",
    build_client=lambda s, session: MusicBrainzClient(
        session, s.musicbrainz_api_url, s.secret("musicbrainz_user_agent")
    ),
)


# What lib/settings.Settings is once the spec is in the registry (its settings model mixed in).
class WithMusicBrainz(Settings, MusicBrainzSettings):
    pass


# -- the registry entry --------------------------------------------------------------------------------
@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registry, "SPECS", (*registry.SPECS, MUSICBRAINZ))
    yield


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        mbid = self.path.rsplit("/", 1)[-1]
        code, body = (503, {"error": "down for maintenance"}) if mbid == "down" else (200, {"id": mbid})
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def musicbrainz_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ws/2"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_registered_provider_gets_a_paced_session_quota_breaker_and_status(
    registered: None, musicbrainz_url: str, app_db: str, db: psycopg.Connection
) -> None:
    settings = WithMusicBrainz(  # type: ignore[call-arg]
        _env_file=None,
        musicbrainz_api_url=musicbrainz_url,
        musicbrainz_user_agent="mysetlist-tests/1.0 (ops@example.com)",
        musicbrainz_rate_limit_per_second=50,
        musicbrainz_daily_quota=40,
        http_max_retries=0,
        breaker_failure_threshold=1,
    )
    with Providers.from_settings(settings, app_db) as providers:
        assert set(providers.clients) == {"spotify", "ticketmaster", "setlistfm", "musicbrainz"}
        client = providers.client("musicbrainz")
        assert client.artist("a74b1b7f") == {"id": "a74b1b7f"}
        assert client.artist("b0b0") == {"id": "b0b0"}
        assert providers.calls() == {"musicbrainz:artist": 2}
        budget = providers.budget("musicbrainz")
        assert (budget.daily_quota, budget.used_today, budget.remaining) == (40, 2, 38)

        # A failure is labelled with the spec's display name and opens its breaker (threshold 1).
        with pytest.raises(CircuitOpen) as failed:
            client.artist("down")
        assert str(failed.value).startswith("MusicBrainz (musicbrainz:artist):")
        assert failed.value.provider == "musicbrainz"
        assert registry.named_in(str(failed.value)) == "musicbrainz"

    (row,) = db.execute(
        "SELECT quota_used, open_until > now() FROM pipelines.provider_pacing WHERE provider = 'musicbrainz'"
    ).fetchall()
    assert row == (3, True)

    report = status.collect(db, settings)
    mine = next(p for p in report.providers if p.provider == "musicbrainz")
    assert [p.provider for p in report.providers] == ["spotify", "ticketmaster", "setlistfm", "musicbrainz"]
    assert (mine.calls_today, mine.calls_left, mine.daily_quota, mine.rate_per_second) == (3, 37, 40, 50)
    assert mine.breaker == "open" and status.provider_warning(mine)
    assert "MusicBrainz" in status.render(report)


def test_check_env_reports_a_registered_provider(
    registered: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICBRAINZ_USER_AGENT", "mysetlist/1.0 (ops@example.com), a long enough value")
    monkeypatch.setenv("MUSICBRAINZ_RATE_LIMIT_PER_SECOND", "0.5")
    report = check_env(env_file=None, settings_type=WithMusicBrainz)
    lines = {line.variable: line for line in report.lines}
    assert lines["MUSICBRAINZ_USER_AGENT"].meaning.startswith("set (")  # a credential: never shown
    assert "ops@example.com" not in report.render()
    assert lines["MUSICBRAINZ_API_URL"].meaning == "https://musicbrainz.org/ws/2 (default)"
    assert lines["MUSICBRAINZ_RATE_LIMIT_PER_SECOND"].meaning == "0.5 requests/s, shared by every run"
    assert lines["MUSICBRAINZ_DAILY_QUOTA"].meaning == "500 calls a day, shared by every run"
    assert "MusicBrainz: live API at https://musicbrainz.org/ws/2, with credentials" in report.summary

    monkeypatch.delenv("MUSICBRAINZ_USER_AGENT")
    production = check_env(production=True, env_file=None, settings_type=WithMusicBrainz)
    assert "MusicBrainz: NO CREDENTIALS (required with --production)" in production.summary
    assert {line.variable: line for line in production.lines}["MUSICBRAINZ_USER_AGENT"].verdict == "invalid"


def test_the_sandbox_must_fake_every_registered_provider(registered: None) -> None:
    """What test_layout.py holds: a provider registered without a fake in mysetlist_sandbox is caught."""
    from mysetlist_sandbox.fakes import FAKES

    assert set(registry.names()) - set(FAKES) == {"musicbrainz"}


def test_unregistered_names_still_read_as_themselves() -> None:
    assert registry.label("spotify") == "Spotify"
    assert registry.label("musicbrainz") == "musicbrainz"  # not registered outside the fixture
    assert registry.named_in("Spotify (spotify:album): HTTP 500: down") == "spotify"
    assert registry.named_in("no service knows Spotify or setlist.fm artist X") is None
