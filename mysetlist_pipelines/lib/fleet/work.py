"""What a fleet refresh runs for each artist, and how many provider calls that is expected to cost.

A `Work` names the Dagster job a batch run executes, the assets it materializes (a subset of the job
when a schedule needs only some steps), the `sync_jobs.job_type` of the rows the app sees, and the
run config. `Work.calls(candidate, now)` is the expected cost per artist, from the cost formulas of
the clients (lib/providers/spotify, lib/providers/ticketmaster, lib/providers/setlistfm) applied to what is stored about the
artist: its Spotify releases already seen, its recent shows, whether its profile is fresh. Estimates,
not promises: an artist with new releases costs one call more per release; the planner keeps the
Spotify token of each run apart (`TOKEN_CALLS`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..providers import registry
from ..providers.spotify.client import MAX_PAGE as SPOTIFY_ALBUM_PAGE
from ..providers.ticketmaster.client import PAGE_SIZE as TICKETMASTER_PAGE
from ..steps import JOB_ASSETS, STEP_BY_ASSET, Step
from ..sync.artist_profile import DEFAULT_MAX_AGE as PROFILE_MAX_AGE
from .candidates import Candidate

Calls = dict[str, int]

# A profile lookup (identity across the three services): the attraction, the Spotify artist (or a
# name search), the setlist.fm artist (or a search). lib/sync/artist_profile.py: 2-4 calls on a first import.
PROFILE_CALLS: Calls = {"ticketmaster": 1, "spotify": 1, "setlistfm": 1}
# Releases assumed for a catalog never synced (the album pages + one album call each).
FIRST_CATALOG_RELEASES = 20
# setlist.fm pages assumed for an artist whose setlists were never synced (at most 5 are read).
FIRST_SETLIST_PAGES = 3
# The providers the fleet's per-provider tables list (budgets, batches' expected calls).
PROVIDERS: tuple[str, ...] = registry.names()
# What every run process pays once whatever it does, per provider (its spec's `calls_per_run`:
# Spotify's token, 1 per token lifetime).
TOKEN_CALLS: Calls = {s.name: s.calls_per_run for s in registry.specs() if s.calls_per_run}
# A first import of an artist nobody synced yet (full_sync): what the reserve for the app's imports,
# and the imports schedules request, are counted at.
IMPORT_CALLS: Calls = {
    "spotify": 1 + math.ceil(FIRST_CATALOG_RELEASES / SPOTIFY_ALBUM_PAGE) + FIRST_CATALOG_RELEASES,
    "ticketmaster": 2,
    "setlistfm": 1 + FIRST_SETLIST_PAGES,
}


@dataclass(frozen=True)
class Work:
    name: str
    job: str  # the Dagster job of the batch runs (defs/jobs.py)
    job_type: str  # sync_jobs.job_type of each artist's row
    assets: tuple[str, ...]  # what the run materializes
    force_profile: bool = False  # look the artist up again even when its profile is fresh

    @property
    def whole_job(self) -> bool:
        return set(self.assets) == set(JOB_ASSETS[self.job])

    def steps(self) -> list[Step]:
        return [STEP_BY_ASSET[a] for a in JOB_ASSETS[self.job] if a in self.assets]

    def run_config(self) -> dict[str, Any]:
        if self.force_profile:
            return {"ops": {"artist_profile": {"config": {"force": True}}}}
        return {}

    def calls(self, c: Candidate, now: datetime) -> Calls:
        """Expected provider calls of this work for one artist (the run's token excluded)."""
        total: Calls = {}

        def add(calls: Mapping[str, int]) -> None:
            for provider, n in calls.items():
                if n:
                    total[provider] = total.get(provider, 0) + n

        fresh = c.profile_synced_at is not None and now - c.profile_synced_at < PROFILE_MAX_AGE
        if "artist_profile" in self.assets and (self.force_profile or not fresh):
            add(PROFILE_CALLS)
        if "artist_catalog" in self.assets and c.spotify_id:
            add({"spotify": catalog_calls(c.releases if c.catalog_synced_at else None)})
        if "artist_shows" in self.assets and c.tm_attraction_id:
            add({"ticketmaster": max(1, math.ceil(c.recent_events / TICKETMASTER_PAGE))})
        if "artist_setlists" in self.assets and c.mbid:
            add({"setlistfm": 1 if c.setlists_synced_at else FIRST_SETLIST_PAGES})
        return total


def catalog_calls(releases: int | None) -> int:
    """An incremental catalog sync: the album-list pages, plus one album call for a new release
    (lib/providers/spotify catalog_cost); never synced (`None`): the whole catalog of an assumed size."""
    if releases is None:
        n = FIRST_CATALOG_RELEASES
        return max(1, math.ceil(n / SPOTIFY_ALBUM_PAGE)) + n
    return max(1, math.ceil((releases + 1) / SPOTIFY_ALBUM_PAGE)) + 1


_ALL = tuple(JOB_ASSETS["update"])
WORK: dict[str, Work] = {
    # Shows of active artists, and the predicted setlists of the new ones (no provider call).
    "shows": Work(
        "shows", "shows_only", "shows_only", ("artist_profile", "artist_shows", "predicted_setlists")
    ),
    # Identity, names, images and ids looked up again.
    "profile": Work("profile", "update", "update", ("artist_profile",), force_profile=True),
    "catalog": Work("catalog", "catalog_only", "catalog_only", tuple(JOB_ASSETS["catalog_only"])),
    "update": Work("update", "update", "update", _ALL),
    # Setlists of past shows, and predictions that learn from them.
    "setlists": Work(
        "setlists", "shows_only", "shows_only", ("artist_profile", "artist_setlists", "predicted_setlists")
    ),
}
