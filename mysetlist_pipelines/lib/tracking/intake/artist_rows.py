"""The artist an `artist` row asks for: its external ids (`spotify_id`, `ticketmaster_id` = Ticketmaster
attraction id, `setlistfm_id` = MusicBrainz id), `entity_id` when it is an existing `artists.id`, and
`metadata.artist_name`. Any one of them is enough; each id must have its provider's real format and
the name at most 300 characters (lib/external_ids.py), else the row fails naming the field.

Apart from the show and venue rows (entity_artists.py) because this one reads only the row, never the
app's tables.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import psycopg

from ...artist_keys import ArtistRequest, validate
from ...external_ids import checked, checked_name
from .pending_rows import BadRequest, PendingRow, blank, parse_uuid

# The sync_jobs columns behind an ArtistRequest's fields: errors name what the app wrote.
_FIELD_NAMES = {
    "tm_attraction_id": "ticketmaster_id",
    "spotify_id": "spotify_id",
    "mbid": "setlistfm_id",
    "name": "metadata.artist_name",
}


def artist_name(metadata: dict[str, Any] | None) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key in ("artist_name", "artistName", "name"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def artist_request(conn: psycopg.Connection, row: PendingRow) -> ArtistRequest:
    # The app may send the id before creating the row: register() keeps it for the row to come.
    entity = parse_uuid(blank(row.entity_id))
    request = ArtistRequest(
        artist_id=entity,
        tm_attraction_id=blank(row.ticketmaster_id),
        spotify_id=blank(row.spotify_id),
        mbid=blank(row.setlistfm_id),
        name=artist_name(row.metadata),
    )
    if request.is_empty():
        raise BadRequest(
            "no way to identify the artist: the row has no spotify_id, ticketmaster_id or "
            f"setlistfm_id, entity_id {row.entity_id!r} is not an existing artists.id, and "
            "metadata.artist_name is empty; set at least one of them"
        )
    try:
        validate(request)
        return checked_request(request)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def checked_request(request: ArtistRequest) -> ArtistRequest:
    """The request with its external ids in their real formats (canonical form) and a name of a sane
    length, before any of them reaches a URL path, a partition key or an index (issue 13);
    BadExternalId naming the sync_jobs field otherwise."""
    ids = {
        c: checked(c, getattr(request, c), _FIELD_NAMES[c])
        for c in ("tm_attraction_id", "spotify_id", "mbid")
    }
    checked_name(request.name, _FIELD_NAMES["name"])
    return replace(request, **ids)
