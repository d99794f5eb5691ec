"""The artists a `show` or `venue` row asks for, read from the app's tables:
- `show`: the show's headliner. `entity_id` is a `shows.id` (or, failing that, the row's
  `ticketmaster_id` a `shows.tm_event_id`); the headliner is `shows.headliner_artist_id`, else the
  `show_artists` row with the lowest `order_index`.
- `venue`: the headliners of the venue's upcoming shows (earliest first, at most
  `MAX_VENUE_ARTISTS`), one run each; `entity_id` is a `venues.id` (or the row's `ticketmaster_id` a
  `venues.tm_venue_id`). A venue without upcoming shows has nothing to sync and fails saying so.

Apart from the artist rows (artist_rows.py) because these find artists through shows and venues.
"""

from __future__ import annotations

import psycopg

from .pending_rows import BadRequest, PendingRow, blank, parse_uuid

MAX_VENUE_ARTISTS = 10


def show_artists(conn: psycopg.Connection, row: PendingRow) -> list[str]:
    show = conn.execute(
        "SELECT s.id::text, COALESCE(s.headliner_artist_id, (SELECT sa.artist_id FROM show_artists sa "
        "WHERE sa.show_id = s.id ORDER BY sa.order_index NULLS LAST LIMIT 1))::text "
        "FROM shows s WHERE s.id = %s::uuid OR (%s::text IS NOT NULL AND s.tm_event_id = %s) LIMIT 1",
        (parse_uuid(blank(row.entity_id)), blank(row.ticketmaster_id), blank(row.ticketmaster_id)),
    ).fetchone()
    if show is None:
        raise BadRequest(
            f"show {row.entity_id!r} not found: entity_id must be a shows.id (or the row's "
            "ticketmaster_id a shows.tm_event_id)"
        )
    if show[1] is None:
        raise BadRequest(f"show {show[0]} has no headliner artist, so there is no artist to sync")
    return [show[1]]


def venue_artists(conn: psycopg.Connection, row: PendingRow) -> list[str]:
    venue = conn.execute(
        "SELECT id::text FROM venues WHERE id = %s::uuid OR (%s::text IS NOT NULL AND tm_venue_id = %s) "
        "LIMIT 1",
        (parse_uuid(blank(row.entity_id)), blank(row.ticketmaster_id), blank(row.ticketmaster_id)),
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
