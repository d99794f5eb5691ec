"""What a `sync_jobs` row asks for: which artists (partition keys to be), or why it cannot be served.

- `artist`: the row's external ids (`spotify_id`, `ticketmaster_id` = Ticketmaster attraction id,
  `setlistfm_id` = MusicBrainz id), `entity_id` when it is an existing `artists.id`, and
  `metadata.artist_name`. Any one of them is enough. Each id must have its provider's real format
  and the name at most 300 characters (lib/external_ids.py): otherwise the row fails at intake,
  naming the field, before any provider call or partition.
- `show`: the show's headliner. `entity_id` is a `shows.id` (or, failing that, the row's
  `ticketmaster_id` a `shows.tm_event_id`); the headliner is `shows.headliner_artist_id`, else the
  `show_artists` row with the lowest `order_index`.
- `venue`: the headliners of the venue's upcoming shows (earliest first, at most
  `MAX_VENUE_ARTISTS`), one run each; `entity_id` is a `venues.id` (or the row's `ticketmaster_id` a
  `venues.tm_venue_id`). A venue without upcoming shows has nothing to sync and fails saying so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

import psycopg

from ...artist_keys import ArtistRequest, validate
from ...external_ids import checked, checked_name
from ...steps import ENTITY_TYPES, JOB_TYPES

MAX_VENUE_ARTISTS = 10
# The sync_jobs columns behind an ArtistRequest's fields: errors name what the app wrote.
_FIELD_NAMES = {
    "tm_attraction_id": "ticketmaster_id",
    "spotify_id": "spotify_id",
    "mbid": "setlistfm_id",
    "name": "metadata.artist_name",
}


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


def _blank(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def artist_name(metadata: dict[str, Any] | None) -> str | None:
    if not isinstance(metadata, dict):
        return None
    for key in ("artist_name", "artistName", "name"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def artist_requests(conn: psycopg.Connection, row: PendingRow) -> list[ArtistRequest]:
    """The artists the row asks to sync; raises BadRequest with an actionable message."""
    if row.entity_type not in ENTITY_TYPES:
        raise BadRequest(
            f"unknown entity_type {row.entity_type!r}: expected one of {', '.join(ENTITY_TYPES)}"
        )
    if row.job_type not in JOB_TYPES:
        raise BadRequest(f"unknown job_type {row.job_type!r}: expected one of {', '.join(JOB_TYPES)}")
    if row.entity_type == "show":
        return [ArtistRequest(artist_id=a) for a in _show_artists(conn, row)]
    if row.entity_type == "venue":
        return [ArtistRequest(artist_id=a) for a in _venue_artists(conn, row)]
    return [_artist_request(conn, row)]


def _artist_request(conn: psycopg.Connection, row: PendingRow) -> ArtistRequest:
    # The app may send the id before creating the row: register() keeps it for the row to come.
    entity = _uuid(_blank(row.entity_id))
    request = ArtistRequest(
        artist_id=entity,
        tm_attraction_id=_blank(row.ticketmaster_id),
        spotify_id=_blank(row.spotify_id),
        mbid=_blank(row.setlistfm_id),
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


def _show_artists(conn: psycopg.Connection, row: PendingRow) -> list[str]:
    show = conn.execute(
        "SELECT s.id::text, COALESCE(s.headliner_artist_id, (SELECT sa.artist_id FROM show_artists sa "
        "WHERE sa.show_id = s.id ORDER BY sa.order_index NULLS LAST LIMIT 1))::text "
        "FROM shows s WHERE s.id = %s::uuid OR (%s::text IS NOT NULL AND s.tm_event_id = %s) LIMIT 1",
        (_uuid(_blank(row.entity_id)), _blank(row.ticketmaster_id), _blank(row.ticketmaster_id)),
    ).fetchone()
    if show is None:
        raise BadRequest(
            f"show {row.entity_id!r} not found: entity_id must be a shows.id (or the row's "
            "ticketmaster_id a shows.tm_event_id)"
        )
    if show[1] is None:
        raise BadRequest(f"show {show[0]} has no headliner artist, so there is no artist to sync")
    return [show[1]]


def _venue_artists(conn: psycopg.Connection, row: PendingRow) -> list[str]:
    venue = conn.execute(
        "SELECT id::text FROM venues WHERE id = %s::uuid OR (%s::text IS NOT NULL AND tm_venue_id = %s) "
        "LIMIT 1",
        (_uuid(_blank(row.entity_id)), _blank(row.ticketmaster_id), _blank(row.ticketmaster_id)),
    ).fetchone()
    if venue is None:
        raise BadRequest(
            f"venue {row.entity_id!r} not found: entity_id must be a venues.id (or the row's "
            "ticketmaster_id a venues.tm_venue_id)"
        )
    artists = conn.execute(
        "SELECT headliner_artist_id::text FROM shows WHERE venue_id = %s::uuid "
        "AND headliner_artist_id IS NOT NULL AND date >= current_date AND status <> 'cancelled' "
        "GROUP BY headliner_artist_id ORDER BY min(date) LIMIT %s",
        (venue[0], MAX_VENUE_ARTISTS),
    ).fetchall()
    if not artists:
        raise BadRequest(
            f"venue {venue[0]} has no upcoming shows with a known headliner, so there is no artist to "
            "sync; venues are refreshed through their artists' shows"
        )
    return [a[0] for a in artists]
