"""One artist's sync, step by step: provider calls, then one transaction of bulk writes per step.

Each `sync_*` function is plain Python (the Dagster assets in defs/artists/ only wire them) and returns
a `StepReport`: what was written, what was skipped and why, and what the providers were asked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..db.write_counts import WriteCounts


class ArtistNotFound(LookupError):
    """No service knows the artist: the request cannot be served (the job fails with this message)."""


class AlreadyImported(ArtistNotFound):
    """The artist behind this partition is already imported under another partition key."""


@dataclass
class StepReport:
    artist_id: str | None
    message: str = ""
    applicable: bool = True  # False: the step does not apply (no id on that service) and says why
    writes: dict[str, WriteCounts] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    calls: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def count(self, table: str) -> WriteCounts:
        return self.writes.setdefault(table, WriteCounts())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.writes.values())

    def summary(self) -> dict[str, Any]:
        """Plain JSON-able numbers for metadata and progress messages."""
        return {
            "message": self.message,
            "applicable": self.applicable,
            "writes": {t: c.as_dict() for t, c in sorted(self.writes.items())},
            "skipped": dict(sorted(self.skipped.items())),
            "calls": dict(sorted(self.calls.items())),
            **self.details,
        }
