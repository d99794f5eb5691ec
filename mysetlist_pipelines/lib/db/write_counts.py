"""What every bulk write returns: `WriteCounts` (inserted / updated / unchanged), summed per step and
shown in the step's metadata.

Apart from the writes (bulk.py, upsert.py) because the per-artist steps and defs/ (the step's
metadata) pass the counts around without writing anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def changed(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
