"""setlist.fm, as the registry knows it: its settings (the app's env names, app-contract section 4),
limits, credentials, client and artist-id format (a MusicBrainz id)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from ..provider_spec import ApiUrl, Credential, IdFormat, ProviderSpec


class SetlistFmSettings(BaseModel):
    setlistfm_api_key: Credential = None
    setlistfm_api_url: ApiUrl = "https://api.setlist.fm/rest/1.0"
    # setlist.fm allows 2/s but its gateway 429s near 1/s.
    setlistfm_rate_limit_per_second: float = Field(1.0, gt=0, le=100)
    setlistfm_daily_quota: int = Field(
        1_440,
        gt=0,
        validation_alias=AliasChoices("MYSETLIST_SETLISTFM_DAILY_QUOTA", "setlistfm_daily_quota"),
    )


def _client(settings: Any, session: Any) -> Any:
    from .client import SetlistFmClient  # the client imports lib/http, which reads the settings

    return SetlistFmClient(
        session, api_url=settings.setlistfm_api_url, api_key=settings.secret("setlistfm_api_key")
    )


# setlist.fm keys its artists by MusicBrainz id (the row's `mbid`): a UUID, stored lower-case.
MBID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

SPEC = ProviderSpec(
    name="setlistfm",
    label="setlist.fm",
    settings=SetlistFmSettings,
    credentials=("setlistfm_api_key",),
    urls=("setlistfm_api_url",),
    rate="setlistfm_rate_limit_per_second",
    quota="setlistfm_daily_quota",
    build_client=_client,
    id_format=IdFormat(
        "mbid", MBID, "a MusicBrainz id is a UUID, e.g. a74b1b7f-71a5-4011-9441-d0b5e4122711", lower=True
    ),
)
