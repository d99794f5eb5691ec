"""Ticketmaster Discovery v2, as the registry knows it: its settings (the app's env names,
app-contract section 4), limits, credentials, client and attraction-id format."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from ..provider_spec import ApiUrl, Credential, IdFormat, ProviderSpec


class TicketmasterSettings(BaseModel):
    ticketmaster_api_key: Credential = None
    ticketmaster_api_url: ApiUrl = "https://app.ticketmaster.com/discovery/v2"
    # Ticketmaster documents 5/s (one FAQ says 2/s).
    ticketmaster_rate_limit_per_second: float = Field(4.0, gt=0, le=100)
    ticketmaster_daily_quota: int = Field(
        5_000,
        gt=0,
        validation_alias=AliasChoices("MYSETLIST_TICKETMASTER_DAILY_QUOTA", "ticketmaster_daily_quota"),
    )


def _client(settings: Any, session: Any) -> Any:
    from .client import TicketmasterClient  # the client imports lib/http, which reads the settings

    return TicketmasterClient(
        session, api_url=settings.ticketmaster_api_url, api_key=settings.secret("ticketmaster_api_key")
    )


def _quota_exhausted(
    headers: Mapping[str, str], code: str | None, now: datetime
) -> tuple[datetime, str] | None:
    """Errorcode policies.ratelimit.QuotaViolation (its body echoes the key: only the code is kept),
    with Rate-Limit-Reset in epoch ms when present, else the next UTC midnight."""
    if not code or "QuotaViolation" not in code:
        return None
    from ...http.pacing import next_utc_midnight  # lib/http reads the settings, which read this module

    reset = headers.get("Rate-Limit-Reset")
    until = next_utc_midnight(now)
    if reset and reset.strip().isdigit():
        until = datetime.fromtimestamp(int(reset.strip()) / 1000, UTC)
    return until, "Ticketmaster reports its daily quota exceeded (policies.ratelimit.QuotaViolation)"


# Letters, digits, `-` and `_`; today's look like `K8vZ9171ob7` (11), older ones are 10-13
# characters and may hold `-`/`_` (`K8vZ917GP-0`, `Z7r9jZ1AeOOb_`).
TM_ATTRACTION_ID = re.compile(r"^[0-9A-Za-z_-]{6,32}$")

SPEC = ProviderSpec(
    name="ticketmaster",
    label="Ticketmaster",
    settings=TicketmasterSettings,
    credentials=("ticketmaster_api_key",),
    urls=("ticketmaster_api_url",),
    rate="ticketmaster_rate_limit_per_second",
    quota="ticketmaster_daily_quota",
    build_client=_client,
    quota_exhausted=_quota_exhausted,
    id_format=IdFormat(
        "tm_attraction_id",
        TM_ATTRACTION_ID,
        "a Ticketmaster attraction id is 6-32 letters, digits, '-' or '_', e.g. K8vZ9171ob7",
    ),
)
