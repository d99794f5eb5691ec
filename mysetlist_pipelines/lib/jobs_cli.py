"""`mysetlist import` and `mysetlist jobs`: ask for a sync exactly as the app does, and watch it;
`mysetlist jobs cancel ID` cancels one as the app does (the cancel sensor then stops its run).

How `mysetlist import "<artist>"` reads its argument:
- `spotify:<id>`, `tm:<id>`, `mbid:<uuid>`, `name:<text>` say what it is outright;
- a Spotify artist URI or URL (`spotify:artist:<id>`, `https://open.spotify.com/artist/<id>`), or
  22 letters and digits with no space (the shape of every Spotify id), is a Spotify id;
- `K8vZ9` followed by letters and digits is a Ticketmaster attraction id (every attraction id has
  that prefix);
- a UUID is a MusicBrainz id (what setlist.fm keys artists by);
- anything else is an artist name.
Prefix with `name:` a name that would otherwise look like an id.
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any, TextIO

import psycopg
from psycopg.types.json import Jsonb

from .db.runtime import resolve
from .providers.spotify.spec import SPOTIFY_ID
from .settings import get_settings

_SPOTIFY_ID = SPOTIFY_ID
_SPOTIFY_LINK = re.compile(
    r"^(?:spotify:artist:|https?://open\.spotify\.com/(?:intl-[a-z-]+/)?artist/)([0-9A-Za-z]{22})"
)
_TM_ATTRACTION = re.compile(r"^K8vZ9[0-9A-Za-z]{2,}$")
_PREFIXES = {
    "spotify": "spotify",
    "tm": "ticketmaster",
    "ticketmaster": "ticketmaster",
    "mbid": "mbid",
    "name": "name",
}
_FINAL = {"completed": 0, "failed": 1, "partial": 2, "cancelled": 4}
_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ArtistRef:
    kind: str  # spotify | ticketmaster | mbid | name
    value: str


def classify(text: str) -> ArtistRef:
    text = text.strip()
    if not text:
        raise ValueError("give an artist name, a Spotify id or a Ticketmaster attraction id")
    if (m := _SPOTIFY_LINK.match(text)) is not None:
        return ArtistRef("spotify", m.group(1))
    prefix, sep, rest = text.partition(":")
    if sep and prefix.lower() in _PREFIXES and rest.strip():
        return ArtistRef(_PREFIXES[prefix.lower()], rest.strip())
    if _SPOTIFY_ID.match(text):
        return ArtistRef("spotify", text)
    if _TM_ATTRACTION.match(text):
        return ArtistRef("ticketmaster", text)
    try:
        return ArtistRef("mbid", str(uuid.UUID(text)))
    except ValueError:
        return ArtistRef("name", text)


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


def _snapshot(conn: psycopg.Connection, job_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    cur = conn.execute(
        "SELECT status, total_steps, completed_steps, current_step, error, retry_count, started_at, "
        "completed_at FROM sync_jobs WHERE id = %s",
        (job_id,),
    )
    row = cur.fetchone()
    if row is None:
        raise LookupError(f"sync job {job_id} is gone (deleted?)")
    job = dict(zip([d.name for d in cur.description or ()], row, strict=True))
    cur = conn.execute(
        "SELECT step, status, progress, message, total_items, processed_items FROM sync_progress "
        "WHERE job_id = %s ORDER BY created_at, step",
        (job_id,),
    )
    steps = [dict(zip([d.name for d in cur.description or ()], r, strict=True)) for r in cur.fetchall()]
    return job, steps


def progress_line(job: dict[str, Any], steps: list[dict[str, Any]], width: int = 24) -> str:
    total = job["total_steps"] or 0
    done = job["completed_steps"] or 0
    running = next((s for s in steps if s["status"] == "in_progress"), None)
    fraction = (done + (running["progress"] / 100 if running else 0)) / total if total else 0.0
    filled = round(fraction * width)
    bar = "#" * filled + "-" * (width - filled)
    parts = [f"[{bar}] {done}/{total} steps", job["status"]]
    if job["current_step"]:
        parts.append(job["current_step"])
    if running and running["total_items"]:
        parts.append(f"{running['processed_items']}/{running['total_items']} items")
    if job["retry_count"]:
        parts.append(f"retry {job['retry_count']}")
    return "  ".join(parts)


def watch(
    conn: psycopg.Connection, job_id: str, out: TextIO = sys.stdout, timeout: float | None = None
) -> int:
    """Draw the job's progress until it ends; the exit code says how (0 completed, 2 partial, 1 failed,
    4 cancelled)."""
    tty = out.isatty()
    deadline = None if timeout is None else time.monotonic() + timeout
    last = ""
    while True:
        job, steps = _snapshot(conn, job_id)
        line = progress_line(job, steps)
        if line != last:
            out.write(f"\r{line:<100}" if tty else line + "\n")
            out.flush()
            last = line
        if job["status"] in _FINAL:
            break
        if deadline is not None and time.monotonic() > deadline:
            out.write(
                ("\n" if tty else "") + f"still {job['status']} after {timeout:.0f} s; stopped watching\n"
            )
            return 3
        time.sleep(_POLL_SECONDS)
    if tty:
        out.write("\n")
    for s in steps:
        out.write(f"  {s['step']:<20} {s['status']:<12} {s['message'] or ''}\n")
    took = ""
    if job["started_at"] and job["completed_at"]:
        took = f" in {(job['completed_at'] - job['started_at']).total_seconds():.1f} s"
    out.write(f"{job['status']}{took}" + (f": {job['error']}" if job["error"] else "") + "\n")
    return _FINAL[job["status"]]


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
