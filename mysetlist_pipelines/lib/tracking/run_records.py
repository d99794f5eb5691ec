"""The plain data defs/ passes to the tracking writes (this package): a run and how it ended.

Dagster objects never cross into lib/: defs/ turns a DagsterRun into a `RunInfo` and the run's
events into a `RunOutcome`, and everything here works on those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ..steps import JOB_ASSETS, STEP_BY_ASSET, STEPS, Step
from .run_tags import BATCH_TAG, RETRY_NUMBER_TAG, RUN_KEY_TAG, SYNC_JOB_TAG

RunEnd = Literal["success", "failure", "canceled"]


@dataclass(frozen=True)
class RunInfo:
    """What tracking needs to know about one Dagster run."""

    run_id: str
    job_name: str
    tags: Mapping[str, str] = field(default_factory=dict)
    partition_keys: tuple[str, ...] = ()
    # The run's asset selection (asset names); None when the run covers its whole job.
    asset_names: tuple[str, ...] | None = None
    root_run_id: str | None = None
    parent_run_id: str | None = None

    @property
    def lineage_root(self) -> str:
        return self.root_run_id or self.run_id

    @property
    def attempt(self) -> int:
        try:
            return int(self.tags.get(RETRY_NUMBER_TAG, "0"))
        except ValueError:
            return 0

    @property
    def sync_job_id(self) -> str | None:
        return self.tags.get(SYNC_JOB_TAG) or None

    @property
    def batch_id(self) -> str | None:
        return self.tags.get(BATCH_TAG) or None

    @property
    def run_key(self) -> str | None:
        return self.tags.get(RUN_KEY_TAG) or None

    def steps(self) -> list[Step]:
        """The sync steps this run's assets perform, in pipeline order."""
        if self.asset_names is not None:
            names = set(self.asset_names)
            return [s for s in STEPS if s.asset in names]
        return [STEP_BY_ASSET[a] for a in JOB_ASSETS.get(self.job_name, ())]

    def job_type(self) -> str:
        """The app's job_type for a run started outside the app: its job's name when that is one
        of the app's job types, else the narrowest job type covering its steps."""
        if self.job_name in JOB_ASSETS:
            return self.job_name
        assets = {s.asset for s in self.steps()}
        for job_type in ("catalog_only", "shows_only"):
            if assets <= set(JOB_ASSETS[job_type]):
                return job_type
        return "full_sync"


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, from its events."""

    status: RunEnd
    ended_at: datetime
    will_retry: bool = False
    retry_run_id: str | None = None
    # Asset names materialized by this run, per partition key (key None: every partition of the run).
    materialized: Mapping[str | None, frozenset[str]] = field(default_factory=dict)
    # Asset name -> what its failed step reported (redacted later).
    step_errors: Mapping[str, str] = field(default_factory=dict)
    run_error: str | None = None

    def materialized_in(self, partition_key: str) -> frozenset[str]:
        return self.materialized.get(partition_key, frozenset()) | self.materialized.get(None, frozenset())
