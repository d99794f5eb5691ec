"""`mysetlist import` and `mysetlist jobs`: ask for a sync exactly as the app does, and watch it;
`mysetlist jobs cancel ID` cancels one as the app does (the cancel sensor then stops its run).

How the artist argument is read is in import_argument.py; the progress drawn while waiting in
job_watch.py. This module holds the commands and the one `sync_jobs` row each inserts.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from .db.runtime import resolve
from .import_argument import ArtistRef, classify
from .job_watch import watch
from .settings import get_settings


def _connect() -> psycopg.Connection:
    conn = psycopg.connect(resolve(get_settings()).app_url, autocommit=True)
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


def insert_request(conn: psycopg.Connection, ref: ArtistRef, job_type: str, priority: int) -> str:
    """The row the app inserts: the artist's existing id when the app already has it, else a new one."""
    column = {"spotify": "spotify_id", "ticketmaster": "tm_attraction_id", "mbid": "mbid"}.get(ref.kind)
    if column:
        known = conn.execute(
            f"SELECT id::text, name FROM artists WHERE {column} = %s", (ref.value,)
        ).fetchone()
    else:
        known = conn.execute(
            "SELECT id::text, name FROM artists WHERE lower(name) = lower(%s) ORDER BY created_at LIMIT 1",
            (ref.value,),
        ).fetchone()
    name = known[1] if known else (ref.value if ref.kind == "name" else None)
    metadata: dict[str, Any] = {"requested_by": "mysetlist import"}
    if name:
        metadata["artist_name"] = name
    row = conn.execute(
        "INSERT INTO sync_jobs (entity_type, entity_id, spotify_id, ticketmaster_id, setlistfm_id, job_type, "
        "priority, metadata) VALUES ('artist', %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            known[0] if known else str(uuid.uuid4()),
            ref.value if ref.kind == "spotify" else None,
            ref.value if ref.kind == "ticketmaster" else None,
            ref.value if ref.kind == "mbid" else None,
            job_type,
            priority,
            Jsonb(metadata),
        ),
    ).fetchone()
    assert row is not None
    return str(row[0])


def import_artist(artist: str, job_type: str = "full_sync", priority: int = 1, wait: bool = False) -> int:
    try:
        ref = classify(artist)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    with _connect() as conn:
        job_id = insert_request(conn, ref, job_type, priority)
        print(f"sync job {job_id}: {job_type} of {ref.kind} {ref.value!r}, priority {priority}")
        if not wait:
            print("follow it with `mysetlist jobs` (the pipelines pick it up under `mysetlist dev`)")
            return 0
        return watch(conn, job_id)


def list_jobs(limit: int = 20, status: str | None = None) -> int:
    with _connect() as conn:
        rows = conn.execute(
            "SELECT j.id, j.created_at, j.job_type, j.priority, "
            "COALESCE(j.metadata->>'artist_name', a.name, j.spotify_id, j.ticketmaster_id, j.entity_id), "
            "j.status, j.completed_steps, j.total_steps, j.current_step, j.retry_count, j.error "
            "FROM sync_jobs j LEFT JOIN artists a ON a.id::text = j.entity_id "
            "WHERE %s::text IS NULL OR j.status = %s ORDER BY j.created_at DESC LIMIT %s",
            (status, status, limit),
        ).fetchall()
    if not rows:
        print("no sync jobs" + (f" with status {status}" if status else ""))
        return 0
    header = f"{'ID':<8}  {'CREATED (UTC)':<19}  {'TYPE':<12} P  {'ARTIST':<24} {'STATUS':<11} {'STEPS':>5}  "
    print(header + f"{'CURRENT STEP':<19} RETRY  ERROR")
    for r in rows:
        created = r[1].strftime("%Y-%m-%d %H:%M:%S")
        steps = f"{r[6] or 0}/{r[7] or 0}"
        error = (r[10] or "").replace("\n", " ")
        print(
            f"{r[0][:8]:<8}  {created:<19}  {r[2]:<12} {r[3]}  {str(r[4])[:24]:<24} {r[5]:<11} {steps:>5}  "
            f"{(r[8] or '-')[:19]:<19} {r[9] or 0:>5}  {error[:80]}"
        )
    return 0


def cancel_job(job_id: str) -> int:
    """`mysetlist jobs cancel ID`: the app's cancel (a pending or in-progress row), saying an operator
    did it. Exit 0 when cancelled, 1 when there is no such row, 2 when it had ended already."""
    from .tracking import request_cancel

    with _connect() as conn:
        full = conn.execute(
            "SELECT id FROM sync_jobs WHERE id = %s OR id LIKE %s || '%%' LIMIT 2", (job_id, job_id)
        ).fetchall()
        if len(full) != 1:
            print(
                f"no sync job {job_id!r}" if not full else f"{job_id!r} matches several jobs", file=sys.stderr
            )
            return 1
        result = request_cancel(conn, full[0][0])
    if result.cancelled:
        print(f"sync job {result.job_id} cancelled (was {result.before}); its run stops within seconds")
        return 0
    print(f"sync job {result.job_id} is {result.before}: nothing to cancel", file=sys.stderr)
    return 2


def show_status(as_json: bool = False) -> int:
    """`mysetlist status [--json]` (lib/status.py)."""
    from .status import collect, render

    with _connect() as conn:
        status = collect(conn, get_settings())
    print(status.model_dump_json(indent=2) if as_json else render(status))
    return 0
