from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb


def test_log_cron_run_returns_id_and_stores_row(db: psycopg.Connection) -> None:
    row = db.execute(
        "SELECT log_cron_run('calculate-trending', 'success', 1234, NULL, %s)",
        (Jsonb({"artists": 3}),),
    ).fetchone()
    assert row is not None
    log_id = row[0]
    stored = db.execute(
        "SELECT job_name, status, execution_time_ms, error_message, result FROM cron_logs WHERE id = %s",
        (log_id,),
    ).fetchone()
    assert stored == ("calculate-trending", "success", 1234, None, {"artists": 3})


def test_log_cron_run_rejects_unknown_status(db: psycopg.Connection) -> None:
    try:
        db.execute("SELECT log_cron_run('x', 'exploded')")
    except psycopg.errors.CheckViolation:
        return
    raise AssertionError("a status outside success|failed|timeout was stored")


def test_cleanup_old_sync_data_deletes_only_old_finished_rows(db: psycopg.Connection) -> None:
    jobs = {
        "old-completed": ("completed", "10 days"),
        "old-failed": ("failed", "8 days"),
        "old-partial": ("partial", "10 days"),
        "old-pending": ("pending", "10 days"),
        "old-running": ("in_progress", "10 days"),
        "new-completed": ("completed", "2 days"),
        "new-failed": ("failed", "6 days"),
    }
    for job_id, (status, age) in jobs.items():
        finished = status in ("completed", "failed", "partial")
        db.execute(
            "INSERT INTO sync_jobs (id, entity_type, entity_id, job_type, status, created_at, completed_at)"
            " VALUES (%s, 'artist', 'a', 'full_sync', %s, now() - %s::interval,"
            " CASE WHEN %s THEN now() - %s::interval END)",
            (job_id, status, age, finished, age),
        )
    db.execute("INSERT INTO sync_progress (job_id, step) VALUES ('old-completed', 'syncing_songs')")
    for name, age in (("old", "31 days"), ("recent", "29 days")):
        db.execute(
            "INSERT INTO cron_logs (job_name, status, created_at) VALUES (%s, 'success', now() - %s::interval)",
            (name, age),
        )
    deleted = db.execute("SELECT cleanup_old_sync_data()").fetchone()
    assert deleted == (2,)
    remaining = {r[0] for r in db.execute("SELECT id FROM sync_jobs")}
    assert remaining == set(jobs) - {"old-completed", "old-failed"}
    assert db.execute("SELECT count(*) FROM sync_progress").fetchone() == (0,)
    assert {r[0] for r in db.execute("SELECT job_name FROM cron_logs")} == {"recent"}
