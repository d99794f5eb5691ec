"""Small helpers shared by the tracking tests: insert rows as the app does, read them back."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb


def insert_job(
    conn: psycopg.Connection,
    *,
    entity_type: str = "artist",
    entity_id: str | None = None,
    job_type: str = "full_sync",
    priority: int = 1,
    spotify_id: str | None = None,
    ticketmaster_id: str | None = None,
    setlistfm_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    auto_retry: bool = True,
    max_retries: int = 3,
    created_ago_seconds: float = 0,
) -> str:
    """A pending sync_jobs row, exactly the columns the app sets; returns its id. Like the app, each
    row names its own artists.id unless told otherwise."""
    entity_id = entity_id or str(uuid.uuid4())
    row = conn.execute(
        "INSERT INTO sync_jobs (entity_type, entity_id, spotify_id, ticketmaster_id, setlistfm_id, "
        "job_type, priority, metadata, auto_retry, max_retries, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() - make_interval(secs => %s)) RETURNING id",
        (
            entity_type,
            entity_id,
            spotify_id,
            ticketmaster_id,
            setlistfm_id,
            job_type,
            priority,
            Jsonb(metadata) if metadata is not None else None,
            auto_retry,
            max_retries,
            created_ago_seconds,
        ),
    ).fetchone()
    assert row is not None
    return str(row[0])


def job(conn: psycopg.Connection, job_id: str) -> dict[str, Any]:
    cur = conn.execute("SELECT * FROM sync_jobs WHERE id = %s", (job_id,))
    row = cur.fetchone()
    assert row is not None, f"no sync_jobs row {job_id}"
    return dict(zip([d.name for d in cur.description or ()], row, strict=True))


def progress(conn: psycopg.Connection, job_id: str) -> dict[str, dict[str, Any]]:
    cur = conn.execute("SELECT * FROM sync_progress WHERE job_id = %s", (job_id,))
    names = [d.name for d in cur.description or ()]
    return {r[names.index("step")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def import_banner(conn: psycopg.Connection, artist_id: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM import_status WHERE artist_id = %s", (artist_id,))
    row = cur.fetchone()
    return dict(zip([d.name for d in cur.description or ()], row, strict=True)) if row else None
