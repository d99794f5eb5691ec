"""The cooldown: at most one alert per fingerprint in MYSETLIST_ALERT_COOLDOWN_SECONDS, shared by
every process through `pipelines.alert_cooldown`, or kept in this process's memory for an evaluation
alert when that table is out of reach (the database is what failed).

Apart from the alerts because the job, provider and evaluation alerts all wait it out.
"""

from __future__ import annotations

import threading
import time

import psycopg

COOLDOWN_SQL = (
    "INSERT INTO pipelines.alert_cooldown AS c (key, sent_at) VALUES (%s, now()) ON CONFLICT (key) "
    "DO UPDATE SET sent_at = now() WHERE c.sent_at < now() - make_interval(secs => %s) RETURNING key"
)


def cooldown_passed(conn: psycopg.Connection, key: str, seconds: float) -> bool:
    return conn.execute(COOLDOWN_SQL, (key, seconds)).fetchone() is not None


# Cooldowns of evaluation alerts when the database is what failed (the shared table is out of reach).
_local_sent: dict[str, float] = {}
_local_lock = threading.Lock()


def evaluation_cooldown(key: str, seconds: float) -> bool:
    """Whether the cooldown of `key` has passed: through pipelines.alert_cooldown (shared by the code
    server's processes), or this process's memory when that table cannot be reached."""
    from ..db.runtime import app_database_url
    from ..settings import get_settings

    try:
        with psycopg.connect(app_database_url(get_settings()), autocommit=True, connect_timeout=3) as conn:
            return cooldown_passed(conn, key, seconds)
    except Exception:
        now = time.monotonic()
        with _local_lock:
            last = _local_sent.get(key)
            if last is not None and now - last < seconds:
                return False
            _local_sent[key] = now
        return True
