"""`cron_logs` rows, one per execution of a scheduled job, through the app's `log_cron_run()`.

    with CronRun(conn_factory, "update-active-artists", tick) as run:
        ...
        run.result.update(launched=..., deferred=...)
        run.status = "timeout"        # optional: the work stopped at its deadline

On a normal exit the row is `success` (or what `status` was set to); when the body raises it is
`failed` with the error (redacted), and the exception propagates. `execution_time_ms` is the body's
wall time. A tick evaluated a second time for the same scheduled time writes no second row
(`run.skip()`, or `already_logged`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

import psycopg
from psycopg.types.json import Jsonb

from ..redaction import redact_error as redact

CronStatus = Literal["success", "failed", "timeout"]


def log_cron_run(
    conn: psycopg.Connection,
    job_name: str,
    status: CronStatus,
    execution_time_ms: int,
    error_message: str | None = None,
    result: dict[str, Any] | None = None,
) -> str:
    row = conn.execute(
        "SELECT log_cron_run(%s, %s, %s, %s, %s)",
        (job_name, status, execution_time_ms, error_message, Jsonb(result) if result is not None else None),
    ).fetchone()
    assert row is not None
    return str(row[0])


def already_logged(conn: psycopg.Connection, job_name: str, tick: datetime) -> bool:
    """Whether this tick ran to the end already (a failed execution may be tried again)."""
    row = conn.execute(
        "SELECT 1 FROM cron_logs WHERE job_name = %s AND result->>'tick' = %s AND status <> 'failed' LIMIT 1",
        (job_name, tick.isoformat()),
    ).fetchone()
    return row is not None


class CronRun:
    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[psycopg.Connection]],
        job_name: str,
        tick: datetime | None = None,
    ) -> None:
        self._connect = connect
        self.job_name = job_name
        self.status: CronStatus = "success"
        self.result: dict[str, Any] = {"tick": tick.isoformat()} if tick else {}
        self.log_id: str | None = None
        self._skip = False
        self._started = 0.0

    def skip(self) -> None:
        self._skip = True

    def __enter__(self) -> CronRun:
        self._started = time.monotonic()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._skip and exc is None:
            return
        elapsed = round((time.monotonic() - self._started) * 1000)
        error = None
        if exc is not None:
            self.status = "failed"
            error = redact(f"{type(exc).__name__}: {exc}") if str(exc) else type(exc).__name__
        with self._connect() as conn:
            self.log_id = log_cron_run(conn, self.job_name, self.status, elapsed, error, self.result)
