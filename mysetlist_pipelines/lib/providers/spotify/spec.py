"""Spotify, as the registry knows it: its settings (the app's env names, app-contract section 4),
limits, credentials, client and artist-id format."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from ..provider_spec import ApiUrl, Credential, IdFormat, ProviderSpec


class SpotifySettings(BaseModel):
    spotify_client_id: Credential = None
    spotify_client_secret: Credential = None
    spotify_api_url: ApiUrl = "https://api.spotify.com/v1"
    spotify_auth_url: ApiUrl = "https://accounts.spotify.com/api/token"
    # Spotify does not publish its rolling-30-s limit.
    spotify_rate_limit_per_second: float = Field(4.0, gt=0, le=100)
    # Spotify counts over a rolling 30-s window, so calls may go back to back after a quiet spell as
    # long as burst + 30 x rate stays under that window's budget (20 + 120 = 140 < the sandbox's 150):
    # a catalog import then waits ~5 s less (BENCHMARKS.md, pacing). 1 = strictly 1/rate apart.
    spotify_rate_burst: int = Field(
        1, ge=1, le=60, validation_alias=AliasChoices("MYSETLIST_SPOTIFY_RATE_BURST", "spotify_rate_burst")
    )
    spotify_daily_quota: int = Field(
        20_000, gt=0, validation_alias=AliasChoices("MYSETLIST_SPOTIFY_DAILY_QUOTA", "spotify_daily_quota")
    )
    spotify_market: str = Field(
        "US",
        pattern=r"^[A-Z]{2}$",
        validation_alias=AliasChoices("MYSETLIST_SPOTIFY_MARKET", "spotify_market"),
    )


def _client(settings: Any, session: Any) -> Any:
    from .client import SpotifyClient  # the client imports lib/http, which reads the settings

    return SpotifyClient(
        session,
        api_url=settings.spotify_api_url,
        auth_url=settings.spotify_auth_url,
        client_id=settings.secret("spotify_client_id"),
        client_secret=settings.secret("spotify_client_secret"),
        market=settings.spotify_market,
    )


def _quota_exhausted(
    headers: Mapping[str, str], code: str | None, now: datetime
) -> tuple[datetime, str] | None:
    """Reason QUOTA_EXCEEDED, with a Retry-After of hours (else until the next UTC midnight)."""
    if code != "QUOTA_EXCEEDED":
        return None
    from ...http.pacing import next_utc_midnight  # lib/http reads the settings, which read this module
    from ...http.policy import retry_after_seconds

    wait = retry_after_seconds(headers, now)
    until = now + timedelta(seconds=wait) if wait is not None else next_utc_midnight(now)
    return until, "Spotify reports its daily quota exceeded (QUOTA_EXCEEDED)"


# 22 base62 characters (`4Z8W4fKeB5YxbusRsdQVPb`); Spotify answers anything else with 400 "invalid id".
SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")

SPEC = ProviderSpec(
    name="spotify",
    label="Spotify",
    settings=SpotifySettings,
    credentials=("spotify_client_id", "spotify_client_secret"),
    urls=("spotify_api_url", "spotify_auth_url"),
    rate="spotify_rate_limit_per_second",
    quota="spotify_daily_quota",
    burst="spotify_rate_burst",
    build_client=_client,
    # One client-credentials token per run process (its lifetime outlasts a run).
    calls_per_run=1,
    quota_exhausted=_quota_exhausted,
    forbidden_hint="Development Mode apps get 403 from removed endpoints",
    id_format=IdFormat(
        "spotify_id", SPOTIFY_ID, "a Spotify artist id is 22 letters and digits, e.g. 4Z8W4fKeB5YxbusRsdQVPb"
    ),
)
