"""Faithful fakes of Spotify, Ticketmaster and setlist.fm, served at their real paths on loopback.

Only the base URLs change: one server answers `/api/token` (Spotify accounts), `/v1/...` (Spotify Web
API), `/discovery/v2/...` (Ticketmaster) and `/rest/1.0/...` (setlist.fm).
"""

from __future__ import annotations

# What the sandbox accepts as credentials; never used against a real provider.
SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "spotify": {
        "SPOTIFY_CLIENT_ID": "sandbox-spotify-client-id-0000000000",
        "SPOTIFY_CLIENT_SECRET": "sandbox-spotify-client-secret-000000",
    },
    "ticketmaster": {"TICKETMASTER_API_KEY": "sandbox-ticketmaster-api-key-0000000"},
    "setlistfm": {"SETLISTFM_API_KEY": "sandbox-setlistfm-api-key-000000000000"},
}


def sandbox_env(base_url: str) -> dict[str, dict[str, str]]:
    """Per provider, the environment that points a client at the sandbox at `base_url`."""
    from .fakes import FAKES  # imported here: the fakes read SANDBOX_CREDENTIALS from this module

    base = base_url.rstrip("/")
    return {name: fake.env(base) for name, fake in FAKES.items()}
