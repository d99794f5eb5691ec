"""The plan's own small state: feed cursors (pipelines.signal_cursors) and per-artist check times
(pipelines.signal_artists), both on the plan's clock (`now`), so a simulated day is a real one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import psycopg


def cursor(conn: psycopg.Connection, name: str) -> tuple[datetime | None, int]:
    row = conn.execute(
        "SELECT value, position FROM pipelines.signal_cursors WHERE name = %s", (name,)
    ).fetchone()
    return (row[0], int(row[1])) if row else (None, 0)


def set_cursor(conn: psycopg.Connection, name: str, value: datetime | None, position: int = 0) -> None:
    conn.execute(
        "INSERT INTO pipelines.signal_cursors (name, value, position) VALUES (%s, %s, %s) "
        "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, position = EXCLUDED.position, updated_at = now()",
        (name, value, position),
    )


def stamp_artists(conn: psycopg.Connection, column: str, artist_ids: Sequence[str], now: datetime) -> None:
    if column not in ("releases_checked_at", "profile_checked_at"):
        raise ValueError(column)
    if not artist_ids:
        return
    conn.execute(
        f"INSERT INTO pipelines.signal_artists (artist_id, {column}) SELECT unnest(%s::uuid[]), %s "
        f"ON CONFLICT (artist_id) DO UPDATE SET {column} = EXCLUDED.{column}",
        (list(artist_ids), now),
    )


# The app sees every sync of an artist as a sync_jobs row (app-contract.md, 2.9): the plan records
# one completed row per artist whose data it wrote, with one sync_progress row per step.
STEP_NAMES = {"shows": "importing_shows", "setlists": "importing_setlists", "catalog": "syncing_songs"}


def record_syncs(conn: psycopg.Connection, steps_by_artist: dict[str, list[str]], run: str) -> int:
    """`steps_by_artist`: artists.id -> the plan's steps that wrote its rows (shows, setlists,
    catalog). Rows are `update` jobs, priority 3, `metadata.requested_by = schedule` (so the budget
    planner does not count them as the app's requests), already completed."""
    if not steps_by_artist:
        return 0
    artists = list(steps_by_artist)
    jobs = [str(uuid.uuid4()) for _ in artists]
    steps = [[STEP_NAMES[s] for s in dict.fromkeys(steps_by_artist[a])] for a in artists]
    with conn.transaction():
        conn.execute(
            "INSERT INTO sync_jobs (id, entity_type, entity_id, job_type, priority, status, total_steps, "
            "completed_steps, current_step, started_at, completed_at, metadata, auto_retry) "
            "SELECT v.job, 'artist', v.artist, 'update', 3, 'completed', v.n, v.n, v.last, now(), now(), "
            "jsonb_build_object('requested_by', 'schedule', 'schedule', %s::text, 'artist_name', a.name), false "
            "FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[]) AS v(job, artist, n, last) "
            "JOIN artists a ON a.id = v.artist::uuid",
            (run, jobs, artists, [len(x) for x in steps], [x[-1] for x in steps]),
        )
        pairs = [(job, step) for job, x in zip(jobs, steps, strict=True) for step in x]
        conn.execute(
            "INSERT INTO sync_progress (job_id, step, status, progress, message) "
            "SELECT v.job, v.step, 'completed', 100, 'from the signal plan' FROM unnest(%s::text[], %s::text[]) AS v(job, step)",
            ([j for j, _ in pairs], [st for _, st in pairs]),
        )
    return len(jobs)
