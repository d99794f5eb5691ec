"""A pending `sync_jobs` row as intake reads it (`PendingRow`, `PENDING_COLUMNS`), the error that fails
it (`BadRequest`), and the forgiving readers of its text fields (blank is none; a non-uuid is none).

Apart from what the row asks for (requests.py and the readers per entity type) because the claim and
its writes handle rows without reading what they ask.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any


class BadRequest(ValueError):
    """The row cannot be served; the message is written to sync_jobs.error as is."""


@dataclass(frozen=True)
class PendingRow:
    id: str
    entity_type: str | None
    entity_id: str | None
    spotify_id: str | None
    ticketmaster_id: str | None
    setlistfm_id: str | None
    priority: int | None
    job_type: str | None
    metadata: dict[str, Any] | None
    auto_retry: bool | None
    max_retries: int | None


PENDING_COLUMNS = (
    "id, entity_type, entity_id, spotify_id, ticketmaster_id, setlistfm_id, priority, job_type, "
    "metadata, auto_retry, max_retries"
)


def blank(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None
