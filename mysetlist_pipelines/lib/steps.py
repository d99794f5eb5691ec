"""The app's job types and the steps each one runs: the one table that the jobs, the progress
tracking (sync_progress.step, import_status.stage) and the docs all read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    asset: str  # the Dagster asset that does the work
    step: str  # sync_progress.step and sync_jobs.current_step
    stage: str  # import_status.stage while it runs


STEPS: tuple[Step, ...] = (
    Step("artist_profile", "fetching_artist", "syncing-identifiers"),
    Step("artist_catalog", "syncing_songs", "importing-songs"),
    Step("artist_shows", "importing_shows", "importing-shows"),
    Step("artist_setlists", "importing_setlists", "importing-setlists"),
    Step("predicted_setlists", "creating_setlists", "creating-setlists"),
)
STEP_BY_ASSET = {s.asset: s for s in STEPS}

# Every job starts with the profile: it resolves who the artist is, and costs no provider call when
# the identity is already known and fresh, so `update` stays within its call budget.
JOB_ASSETS: dict[str, tuple[str, ...]] = {
    "full_sync": tuple(s.asset for s in STEPS),
    "catalog_only": ("artist_profile", "artist_catalog"),
    "shows_only": ("artist_profile", "artist_shows", "artist_setlists", "predicted_setlists"),
    "update": tuple(s.asset for s in STEPS),
}
JOB_TYPES: tuple[str, ...] = tuple(JOB_ASSETS)
# The job types whose runs stamp `artists.last_full_sync_at` (everything about the artist refreshed
# from scratch); `update` runs the same steps incrementally. The jobs carry it as a run tag
# (`FULL_SYNC_TAG`) that the steps read, so no step compares job names.
FULL_SYNC_JOB_TYPES: frozenset[str] = frozenset({"full_sync"})
JOB_TYPE_TAG = "mysetlist/job_type"
FULL_SYNC_TAG = "mysetlist/full_sync"
ENTITY_TYPES: tuple[str, ...] = ("artist", "show", "venue")


def steps_for(job_type: str) -> list[Step]:
    return [STEP_BY_ASSET[a] for a in JOB_ASSETS[job_type]]
