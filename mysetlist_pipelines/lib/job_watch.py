"""Watching a sync job from the terminal: one progress line (a bar, steps done, the running step's
items, retries) redrawn until the job ends, then each step's outcome; the exit code says how it ended.

Apart from the commands (jobs_cli.py) because `mysetlist import --wait` draws it and the tests drive it
with their own output stream.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import psycopg

_FINAL = {"completed": 0, "failed": 1, "partial": 2, "cancelled": 4}
_POLL_SECONDS = 0.5


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
