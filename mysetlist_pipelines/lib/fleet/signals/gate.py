"""The plan steps aside while the app's imports run (issue 15 item 4: imports are not starved).

Every run shares one pacing row per provider (lib/http/pacing: first come, first served), so a fleet
plan sending back to back would take every other slot from an import the app asked for and double
its wait. Between pages and waves of checks, the plan calls `ImportGate.wait()`: while any sync_jobs
row the app inserted (not one a schedule requested) is pending or in progress, it sleeps, polling
every `poll` seconds, at most `max_pause` seconds per wait (a stuck row must not stop the fleet for
good). The check is one indexed query, made at most once per `poll`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg

from ..committed_work import SCHEDULE_REQUEST

_BUSY = (
    "SELECT EXISTS (SELECT 1 FROM sync_jobs WHERE status IN ('pending', 'in_progress') "
    "AND COALESCE(metadata->>'requested_by', '') <> %s)"
)


class ImportGate:
    def __init__(
        self,
        conninfo: str,
        *,
        poll: float = 0.25,
        max_pause: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._conn = psycopg.connect(conninfo, autocommit=True)
        self.poll, self.max_pause, self._clock, self._sleep = poll, max_pause, clock, sleep
        self.paused_seconds = 0.0
        self._checked_at = -1e9
        self._busy = False

    def busy(self) -> bool:
        now = self._clock()
        if now - self._checked_at >= self.poll:
            row = self._conn.execute(_BUSY, (SCHEDULE_REQUEST,)).fetchone()
            self._busy, self._checked_at = bool(row and row[0]), now
        return self._busy

    def wait(self) -> None:
        started = self._clock()
        while self.busy() and self._clock() - started < self.max_pause:
            self._sleep(self.poll)
        self.paused_seconds += self._clock() - started

    def close(self) -> None:
        self._conn.close()


def no_gate() -> None:
    """The gate of a plan that never steps aside (tests of the steps themselves)."""
