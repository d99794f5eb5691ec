"""Faithful fakes of Spotify, Ticketmaster and setlist.fm, served at their real paths on loopback.

Only the base URLs change: one server answers `/api/token` (Spotify accounts), `/v1/...` (Spotify Web
API), `/discovery/v2/...` (Ticketmaster) and `/rest/1.0/...` (setlist.fm).
"""

from __future__ import annotations


def sandbox_env(base_url: str) -> dict[str, dict[str, str]]:
    """Per provider, the environment that points a client at the sandbox at `base_url`."""
    from .fakes import FAKES  # here: importing the package loads no fake

    base = base_url.rstrip("/")
    return {name: fake.env(base) for name, fake in FAKES.items()}
