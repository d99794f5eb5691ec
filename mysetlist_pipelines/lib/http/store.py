"""The Postgres side of pacing, quotas and breakers: one autocommit connection, one statement a call.

Each call is a single function call in its own transaction (autocommit), so the provider's row is
locked only while that statement runs; nobody ever sleeps holding it.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import psycopg

from ..redaction import redact


class StateStoreError(RuntimeError):
    pass


class StateStore:
    """Runs the `pipelines.provider_*` functions (sql/0003_provider_pacing.sql) for one process."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None

    def _connect(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10)
            except psycopg.Error as exc:
                # libpq messages can carry the URL; say only what failed.
                raise StateStoreError(
                    f"cannot reach the pacing database: {redact(type(exc).__name__)}"
                ) from None
            # A row lock is held for one short statement; waiting longer means something is wrong.
            self._conn.execute("SET statement_timeout = '30s'")
        return self._conn

    def fetch(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            for attempt in (1, 2):
                conn = self._connect()
                try:
                    cur = conn.execute(query, params)
                    return cur.fetchall() if cur.description else []
                except (
                    psycopg.errors.UndefinedFunction,
                    psycopg.errors.UndefinedTable,
                    psycopg.errors.InvalidSchemaName,
                ):
                    raise StateStoreError(
                        "the provider pacing tables are missing from this database "
                        "(sql/0003_provider_pacing.sql): run `mysetlist db migrate`"
                    ) from None
                except psycopg.OperationalError:
                    # A dropped connection (server restart, idle timeout): reconnect once.
                    self._close_quietly()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def _close_quietly(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close_quietly()
