"""What discovery finds, against the app's tables: known artists with new events, and attractions
worth importing, which are requested through the app's own path (a pending `sync_jobs` row, picked
up by the sync_jobs sensor like any request of the app, at low priority).

An attraction is worth importing when Ticketmaster counts at least `min_upcoming` upcoming events for
it and nothing already covers it: no `artists` row or registered partition with its attraction id, no
request for it pending or in progress, none that failed within `RETRY_FAILED_AFTER` (an artist no
service knows is not asked for every day).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import psycopg
from psycopg.types.json import Jsonb

from .allowances import Allowance
from .committed_work import SCHEDULE_REQUEST
from .tm_discovery import SeenAttraction
from .work import IMPORT_CALLS, Calls

RETRY_FAILED_AFTER = timedelta(days=7)
IMPORT_JOB_TYPE = "full_sync"
IMPORT_PRIORITY = 3


def known_artists(conn: psycopg.Connection, attraction_ids: Iterable[str]) -> dict[str, str]:
    """Attraction id -> artists.id for the attractions the app has."""
    rows = conn.execute(
        "SELECT tm_attraction_id, id::text FROM artists WHERE tm_attraction_id = ANY(%s)",
        (list(attraction_ids),),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def new_event_ids(conn: psycopg.Connection, event_ids: Iterable[str]) -> set[str]:
    """The event ids the app has no show for."""
    ids = list(set(event_ids))
    rows = conn.execute("SELECT tm_event_id FROM shows WHERE tm_event_id = ANY(%s)", (ids,)).fetchall()
    return set(ids) - {r[0] for r in rows}


def artists_with_new_events(conn: psycopg.Connection, seen: Mapping[str, SeenAttraction]) -> dict[str, int]:
    """artists.id -> how many of the events seen are not shows of the app yet."""
    known = known_artists(conn, seen)
    fresh = new_event_ids(conn, (e for a in known for e in seen[a].events))
    out = {}
    for attraction, artist_id in known.items():
        n = len(seen[attraction].events & fresh)
        if n:
            out[artist_id] = n
    return out


def worth_importing(
    conn: psycopg.Connection, seen: Iterable[SeenAttraction], min_upcoming: int
) -> list[SeenAttraction]:
    """Unknown attractions with at least `min_upcoming` upcoming events, most upcoming events first."""
    pool = [s for s in seen if s.upcoming_total >= min_upcoming]
    if not pool:
        return []
    ids = [s.attraction_id for s in pool]
    covered = {
        r[0]
        for r in conn.execute(
            "SELECT tm_attraction_id FROM artists WHERE tm_attraction_id = ANY(%(ids)s) "
            "UNION SELECT tm_attraction_id FROM pipelines.artist_keys WHERE tm_attraction_id = ANY(%(ids)s) "
            "UNION SELECT ticketmaster_id FROM sync_jobs WHERE ticketmaster_id = ANY(%(ids)s) "
            "AND (status IN ('pending', 'in_progress') OR (status = 'failed' "
            "AND COALESCE(completed_at, updated_at, created_at) > now() - %(retry)s))",
            {"ids": ids, "retry": RETRY_FAILED_AFTER},
        )
    }
    fresh = [s for s in pool if s.attraction_id not in covered]
    return sorted(
        fresh, key=lambda s: (-s.upcoming_total, -len(s.events), s.name.casefold(), s.attraction_id)
    )


def imports_that_fit(
    allowed: Mapping[str, Allowance], spent: Calls, wanted: int, now: datetime
) -> tuple[int, str]:
    """How many imports fit what is left of the allowances after `spent`, and why not more."""
    fits, why = wanted, ""
    for provider, per_import in IMPORT_CALLS.items():
        a = allowed.get(provider)
        if a is None:
            continue
        if a.is_open(now):
            return 0, f"{provider} circuit open until {a.circuit_open_until}"
        room = math.floor(max(0, a.available - spent.get(provider, 0)) / per_import)
        if room < fits:
            fits, why = room, f"{provider} budget: room for {room} import(s) of ~{per_import} calls"
    return fits, why


def request_imports(
    conn: psycopg.Connection, attractions: Sequence[SeenAttraction], schedule: str
) -> dict[str, str]:
    """Insert one pending `sync_jobs` row per attraction, as the app would; attraction id -> job id."""
    if not attractions:
        return {}
    job_ids = [str(uuid.uuid4()) for _ in attractions]
    metas = [
        Jsonb(
            {
                "artist_name": a.name,
                "requested_by": SCHEDULE_REQUEST,
                "schedule": schedule,
                "upcoming_events": a.upcoming_total,
                "expected_calls": IMPORT_CALLS,
            }
        )
        for a in attractions
    ]
    conn.execute(
        "INSERT INTO sync_jobs (id, entity_type, entity_id, ticketmaster_id, job_type, priority, metadata) "
        "SELECT v.id, 'artist', v.entity, v.tm, %s, %s, v.meta "
        "FROM unnest(%s::text[], %s::text[], %s::text[], %s::jsonb[]) AS v(id, entity, tm, meta)",
        (
            IMPORT_JOB_TYPE,
            IMPORT_PRIORITY,
            job_ids,
            [str(uuid.uuid4()) for _ in attractions],
            [a.attraction_id for a in attractions],
            metas,
        ),
    )
    return {a.attraction_id: j for a, j in zip(attractions, job_ids, strict=True)}
