"""`mysetlist status [--json]` against a real Postgres: the shared provider counters and breakers,
the last provider error, the tracked run queue and the oldest pending row."""

from __future__ import annotations

import json

import psycopg
import pytest

from mysetlist_pipelines.cli import main
from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.tracking import RunInfo

from .tracking_helpers import insert_job


def test_status_reports_providers_and_queue(
    app_env: str, db: psycopg.Connection, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYSETLIST_SETLISTFM_DAILY_QUOTA", "1000")
    db.execute(
        "INSERT INTO pipelines.provider_pacing (provider, quota_day, quota_used, failures, open_until, "
        "open_kind, open_reason) VALUES ('setlistfm', (now() AT TIME ZONE 'UTC')::date, 990, 5, "
        "now() + interval '5 minutes', 'failures', 'setlist.fm answered 503 five times in a row'), "
        "('spotify', (now() AT TIME ZONE 'UTC')::date - 1, 500, 0, now() - interval '1 hour', 'quota', 'old')"
    )
    old = insert_job(db, metadata={"artist_name": "Old Band"}, created_ago_seconds=600)
    claimed = insert_job(
        db, metadata={"artist_name": "Claimed Band"}, job_type="catalog_only", created_ago_seconds=900
    )
    (launch,) = tracking.claim_pending(db, limit=1).launches
    assert launch.job_id == claimed
    run = RunInfo(
        "run-1", "catalog_only", {**launch.tags, "dagster/run_key": launch.run_key}, (launch.partition_key,)
    )
    tracking.step_started(db, run, "fetching_artist")
    tracking.step_finished(
        db, run, "fetching_artist", ok=False, error="setlist.fm: HTTP 503", provider="setlistfm"
    )
    insert_job(db, metadata={"artist_name": "New Band"})

    assert main(["status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    by = {p["provider"]: p for p in status["providers"]}
    fm = by["setlistfm"]
    assert (fm["calls_today"], fm["calls_left"], fm["daily_quota"], fm["breaker"]) == (990, 10, 1000, "open")
    assert fm["open_kind"] == "failures" and "503 five times" in fm["open_reason"]
    assert fm["last_error"] == "setlist.fm: HTTP 503"
    # Yesterday's count and a breaker that has closed again do not show.
    assert (by["spotify"]["calls_today"], by["spotify"]["breaker"], by["spotify"]["open_reason"]) == (
        0,
        "closed",
        None,
    )
    assert by["ticketmaster"]["rate_per_second"] > 0 and by["ticketmaster"]["last_error"] is None
    queue = status["queue"]
    assert queue["running"] == {"catalog_only": 1} and queue["queued"] == {}
    assert (queue["pending_jobs"], queue["oldest_pending_id"]) == (2, old)
    assert queue["oldest_pending_age_seconds"] >= 600

    assert main(["status"]) == 0
    text = capsys.readouterr().out
    assert "setlist.fm" in text and "open (failures) until" in text and "last error" in text
    assert "runs running  1 (catalog_only 1)" in text and f"pending jobs  2; oldest {old}" in text
