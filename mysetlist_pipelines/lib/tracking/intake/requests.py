"""What a `sync_jobs` row asks for: which artists (partition keys to be), or why it cannot be served.

By entity type: `artist` rows in artist_rows.py, `show` and `venue` rows in entity_artists.py (the
rules of each are there); the row itself in pending_rows.py. This module checks the row's types and
sends it to the right reader.
"""

from __future__ import annotations

import psycopg

from ...artist_keys import ArtistRequest
from ...steps import ENTITY_TYPES, JOB_TYPES
from .artist_rows import artist_request
from .entity_artists import show_artists, venue_artists
from .pending_rows import BadRequest, PendingRow


def artist_requests(conn: psycopg.Connection, row: PendingRow) -> list[ArtistRequest]:
    """The artists the row asks to sync; raises BadRequest with an actionable message."""
    if row.entity_type not in ENTITY_TYPES:
        raise BadRequest(
            f"unknown entity_type {row.entity_type!r}: expected one of {', '.join(ENTITY_TYPES)}"
        )
    if row.job_type not in JOB_TYPES:
        raise BadRequest(f"unknown job_type {row.job_type!r}: expected one of {', '.join(JOB_TYPES)}")
    if row.entity_type == "show":
        return [ArtistRequest(artist_id=a) for a in show_artists(conn, row)]
    if row.entity_type == "venue":
        return [ArtistRequest(artist_id=a) for a in venue_artists(conn, row)]
    return [artist_request(conn, row)]
