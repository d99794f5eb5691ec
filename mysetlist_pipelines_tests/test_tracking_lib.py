"""lib/tracking against a real Postgres: claims, step events, run ends, retries, UI runs, repairs."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.redaction import redact_error
from mysetlist_pipelines.lib.steps import JOB_ASSETS
from mysetlist_pipelines.lib.tracking import Counts, RunInfo, RunOutcome

from .tracking_helpers import import_banner, insert_job, job, progress


def _artist(conn: psycopg.Connection, name: str, spotify_id: str | None = None) -> str:
    row = conn.execute(
        "INSERT INTO artists (name, slug, spotify_id) VALUES (%s, %s, %s) RETURNING id::text",
        (name, name.lower().replace(" ", "-"), spotify_id),
    ).fetchone()
    assert row is not None
    return row[0]


def _run(launch: tracking.Launch, run_id: str = "run-1", **extra: str) -> RunInfo:
    tags = {**launch.tags, "dagster/run_key": launch.run_key, "dagster/partition": launch.partition_key}
    tags.update(extra)
    parent = extra.get("dagster/parent_run_id")
    return RunInfo(
        run_id=run_id,
        job_name=launch.job_type,
        tags=tags,
        partition_keys=(launch.partition_key,),
        root_run_id=extra.get("dagster/root_run_id"),
        parent_run_id=parent,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def test_claim_launches_valid_rows_by_priority_and_fails_bad_ones_at_once(db: psycopg.Connection) -> None:
    low = insert_job(db, priority=3, metadata={"artist_name": "Low Band"}, created_ago_seconds=60)
    bad = insert_job(db, job_type="everything", metadata={"artist_name": "X"})
    anonymous = insert_job(db, entity_id="not-a-uuid")
    high = insert_job(db, priority=1, spotify_id="4Z8W4fKeB5YxbusRsdQVPb", max_retries=2)

    intake = tracking.claim_pending(db, limit=10)

    assert [launch.job_id for launch in intake.launches] == [high, low]
    assert {r.job_id for r in intake.rejections} == {bad, anonymous}
    assert "unknown job_type 'everything'" in job(db, bad)["error"]
    assert "no way to identify the artist" in job(db, anonymous)["error"]
    for rejected in (bad, anonymous):
        assert job(db, rejected)["status"] == "failed"
        assert job(db, rejected)["completed_at"] is not None
    for claimed in (high, low):
        row = job(db, claimed)
        assert (row["status"], row["total_steps"], row["completed_steps"]) == ("in_progress", 5, 0)
        assert row["started_at"] is not None
        assert set(progress(db, claimed)) == {
            "fetching_artist",
            "syncing_songs",
            "importing_shows",
            "importing_setlists",
            "creating_setlists",
        }
        assert {p["status"] for p in progress(db, claimed).values()} == {"pending"}
    first = intake.launches[0]
    assert first.run_key == high and first.partition_key == "spotify-4z8w4fkeb5yxbusrsdqvpb"
    assert first.tags["mysetlist/sync_job_id"] == high
    assert first.tags["dagster/priority"] == "10" and intake.launches[1].tags["dagster/priority"] == "-10"
    assert first.tags["dagster/max_retries"] == "2"
    # Picked up once: a second pass finds nothing.
    assert tracking.claim_pending(db, limit=10).launches == []


def test_claim_is_bounded_and_aging_lifts_old_low_priority_rows(db: psycopg.Connection) -> None:
    old_low = insert_job(db, priority=3, metadata={"artist_name": "Patient"}, created_ago_seconds=1500)
    fresh_high = [insert_job(db, priority=1, metadata={"artist_name": f"Hurry {i}"}) for i in range(3)]
    intake = tracking.claim_pending(db, limit=2)
    assert [x.job_id for x in intake.launches] == [old_low, fresh_high[0]]


def test_show_and_venue_rows_map_to_their_artists(db: psycopg.Connection) -> None:
    headliner = _artist(db, "Head Liner")
    other = _artist(db, "Other Act")
    venue = db.execute(
        "INSERT INTO venues (name, slug, city, country, timezone, tm_venue_id) "
        "VALUES ('Hall', 'hall', 'Oslo', 'NO', 'Europe/Oslo', 'KovZ1') RETURNING id::text"
    ).fetchone()[0]
    show = db.execute(
        "INSERT INTO shows (headliner_artist_id, venue_id, name, date) VALUES (%s, %s, 'Gig', "
        "current_date + 3) RETURNING id::text",
        (headliner, venue),
    ).fetchone()[0]
    db.execute(
        "INSERT INTO shows (headliner_artist_id, venue_id, name, date) VALUES (%s, %s, 'Gig 2', current_date + 9)",
        (other, venue),
    )
    show_job = insert_job(db, entity_type="show", entity_id=show, job_type="shows_only")
    venue_job = insert_job(
        db, entity_type="venue", entity_id="x", ticketmaster_id="KovZ1", job_type="shows_only"
    )
    missing = insert_job(db, entity_type="venue", entity_id="00000000-0000-0000-0000-000000000001")
    galaxy = insert_job(db, entity_type="galaxy", entity_id="m31")

    intake = tracking.claim_pending(db, limit=10)

    by_job: dict[str, list[tracking.Launch]] = {}
    for launch in intake.launches:
        by_job.setdefault(launch.job_id, []).append(launch)
    assert [x.partition_key for x in by_job[show_job]] == ["head-liner"]
    assert [x.partition_key for x in by_job[venue_job]] == ["head-liner", "other-act"]
    assert {x.run_key for x in by_job[venue_job]} == {f"{venue_job}:head-liner", f"{venue_job}:other-act"}
    assert job(db, venue_job)["total_steps"] == 2 * len(JOB_ASSETS["shows_only"])
    assert "venue '00000000-0000-0000-0000-000000000001' not found" in job(db, missing)["error"]
    assert "unknown entity_type 'galaxy'" in job(db, galaxy)["error"]


def test_steps_move_the_rows_and_a_successful_run_completes_them(db: psycopg.Connection) -> None:
    artist = _artist(db, "Known Band", spotify_id="0OdUWJ0sBjDrqHygGUXeCF")
    job_id = insert_job(db, entity_id=artist, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    run = _run(launch)
    assert import_banner(db, artist)["stage"] == "initializing"

    assert tracking.step_started(db, run, "fetching_artist")
    row = job(db, job_id)
    assert row["current_step"] == "fetching_artist"
    assert progress(db, job_id)["fetching_artist"]["status"] == "in_progress"
    assert import_banner(db, artist)["stage"] == "syncing-identifiers"
    assert (
        db.execute("SELECT import_status FROM artists WHERE id = %s", (artist,)).fetchone()[0]
        == "in_progress"
    )

    tracking.step_finished(db, run, "fetching_artist", ok=True, message="matched on 3 services")
    tracking.step_started(db, run, "syncing_songs")
    tracking.step_progress(
        db, run, "syncing_songs", Counts(total_items=40, processed_items=10, successful_items=10)
    )
    songs = progress(db, job_id)["syncing_songs"]
    assert (songs["progress"], songs["total_items"], songs["processed_items"]) == (25, 40, 10)
    assert job(db, job_id)["completed_steps"] == 1
    assert import_banner(db, artist)["stage"] == "importing-songs"

    tracking.step_finished(
        db, run, "syncing_songs", ok=True, counts=Counts(40, 40, 39, 1), message="39 songs"
    )
    tracking.finish_run(db, run, RunOutcome("success", _now()))
    row = job(db, job_id)
    assert (row["status"], row["completed_steps"], row["error"]) == ("completed", 2, None)
    assert row["completed_at"] is not None and row["metadata"]["pipelines"]["run_ids"] == ["run-1"]
    assert progress(db, job_id)["syncing_songs"]["message"] == "39 songs"
    banner = import_banner(db, artist)
    assert (banner["stage"], banner["progress"], banner["error"]) == ("completed", 100, None)
    assert (
        db.execute("SELECT import_status FROM artists WHERE id = %s", (artist,)).fetchone()[0] == "complete"
    )
    # Reported twice (sensor and reconciliation): nothing changes.
    before = job(db, job_id)["updated_at"]
    tracking.finish_run(db, run, RunOutcome("success", _now()))
    assert job(db, job_id)["updated_at"] == before


def test_a_failed_step_after_retries_makes_the_job_partial_with_an_actionable_error(
    db: psycopg.Connection,
) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Partial Band"}, max_retries=1)
    (launch,) = tracking.claim_pending(db, limit=5).launches
    run = _run(launch)
    for step in ("fetching_artist", "syncing_songs"):
        tracking.step_started(db, run, step)
        tracking.step_finished(db, run, step, ok=True)
    tracking.step_started(db, run, "importing_shows")
    tracking.step_finished(
        db, run, "importing_shows", ok=False, error="HTTP 503 from https://x/events?apikey=SECRETSECRET"
    )
    failure = RunOutcome("failure", _now(), will_retry=True, step_errors={"artist_shows": "HTTP 503"})
    tracking.finish_run(db, run, failure)
    row = job(db, job_id)
    assert (row["status"], row["retry_count"], row["current_step"]) == ("in_progress", 0, "importing_shows")
    shows = progress(db, job_id)["importing_shows"]
    assert shows["status"] == "pending" and shows["message"].startswith("retry queued after: HTTP 503")

    retry = _run(
        launch,
        "run-2",
        **{"dagster/retry_number": "1", "dagster/parent_run_id": "run-1", "dagster/root_run_id": "run-1"},
    )
    tracking.step_started(db, retry, "importing_shows")
    assert (job(db, job_id)["status"], job(db, job_id)["retry_count"]) == ("in_progress", 1)
    tracking.step_finished(
        db,
        retry,
        "importing_shows",
        ok=False,
        error="HTTP 503 again, apikey=SECRETSECRET",
        provider="ticketmaster",
    )
    tracking.finish_run(
        db, retry, RunOutcome("failure", _now(), step_errors={"artist_shows": "HTTP 503 again"})
    )

    row = job(db, job_id)
    assert (row["status"], row["completed_steps"], row["retry_count"]) == ("partial", 2, 1)
    assert row["error"].startswith("importing_shows failed (Ticketmaster): HTTP 503 again")
    assert "SECRETSECRET" not in row["error"] and "gave up after 1 retry" in row["error"]
    assert progress(db, job_id)["importing_setlists"]["message"] == "not run: importing_shows failed first"
    # A late report from the superseded first run changes nothing.
    tracking.finish_run(db, run, RunOutcome("success", _now()))
    assert job(db, job_id)["status"] == "partial"


def test_a_retry_that_succeeds_completes_the_job(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Flaky Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    run = _run(launch)
    tracking.step_started(db, run, "fetching_artist")
    tracking.finish_run(db, run, RunOutcome("failure", _now(), will_retry=True, run_error="worker crashed"))
    assert job(db, job_id)["retry_count"] == 0  # counted once the retry run exists
    retry = _run(
        launch,
        "run-2",
        **{"dagster/retry_number": "1", "dagster/parent_run_id": "run-1", "dagster/root_run_id": "run-1"},
    )
    tracking.finish_run(db, retry, RunOutcome("success", _now()))
    row = job(db, job_id)
    assert (row["status"], row["retry_count"], row["completed_steps"], row["error"]) == (
        "completed",
        1,
        2,
        None,
    )


def test_a_run_that_fails_before_anything_fails_the_job(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Nobody Knows"}, auto_retry=False)
    (launch,) = tracking.claim_pending(db, limit=5).launches
    assert launch.tags["dagster/max_retries"] == "0"
    run = _run(launch)
    tracking.step_started(db, run, "fetching_artist")
    tracking.step_finished(db, run, "fetching_artist", ok=False, error="no service knows 'Nobody Knows'")
    tracking.finish_run(db, run, RunOutcome("failure", _now(), step_errors={"artist_profile": "x"}))
    row = job(db, job_id)
    assert row["status"] == "failed" and row["error"].startswith("fetching_artist failed: no service knows")


def test_a_run_started_outside_the_app_gets_its_own_row(db: psycopg.Connection) -> None:
    artist = _artist(db, "Ui Band")
    with db.transaction():
        db.execute(
            "INSERT INTO pipelines.artist_keys (partition_key, artist_id, name) VALUES ('ui-band', %s, 'Ui Band')",
            (artist,),
        )
    run = RunInfo(
        run_id="ui-run",
        job_name="__ASSET_JOB",
        tags={"dagster/partition": "ui-band"},
        partition_keys=("ui-band",),
        asset_names=("artist_profile", "artist_shows"),
    )
    assert tracking.step_started(db, run, "fetching_artist")
    assert tracking.step_started(db, run, "fetching_artist")  # a second event: still one row
    rows = db.execute("SELECT id FROM sync_jobs WHERE metadata->>'source' = 'dagster'").fetchall()
    assert len(rows) == 1
    row = job(db, rows[0][0])
    assert (row["entity_type"], row["entity_id"], row["job_type"]) == ("artist", artist, "shows_only")
    assert (row["status"], row["total_steps"], row["metadata"]["dagster_run_id"]) == (
        "in_progress",
        2,
        "ui-run",
    )
    tracking.finish_run(db, run, RunOutcome("success", _now()))
    assert job(db, rows[0][0])["status"] == "completed"
    # A run of other assets, or without a partition, is not a sync the app tracks.
    other = RunInfo(run_id="other", job_name="cleanup", tags={}, partition_keys=())
    assert not tracking.step_started(db, other, "fetching_artist")


def test_repair_rewrites_rows_edited_behind_its_back(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Edited Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    tracking.finish_run(db, _run(launch), RunOutcome("success", _now()))
    db.execute(
        "UPDATE sync_jobs SET status = 'in_progress', completed_steps = 0, error = 'bogus' WHERE id = %s",
        (job_id,),
    )
    db.execute("DELETE FROM sync_progress WHERE job_id = %s AND step = 'syncing_songs'", (job_id,))
    stray = insert_job(db, metadata={"artist_name": "Stray"})
    db.execute("UPDATE sync_jobs SET status = 'in_progress' WHERE id = %s", (stray,))

    candidates = tracking.drift_candidates(db, window_hours=24, limit=100)
    assert {job_id, stray} <= set(candidates)
    assert tracking.repair(db, candidates) == 2
    row = job(db, job_id)
    assert (row["status"], row["completed_steps"], row["error"]) == ("completed", 2, None)
    assert progress(db, job_id)["syncing_songs"]["status"] == "completed"
    assert "no run was ever requested" in job(db, stray)["error"]
    assert tracking.repair(db, candidates) == 0


def test_a_row_set_back_to_pending_is_asked_again_under_a_new_run_key(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Again Band"}, job_type="catalog_only")
    (first,) = tracking.claim_pending(db, limit=5).launches
    tracking.finish_run(db, _run(first), RunOutcome("failure", _now(), run_error="boom"))
    assert job(db, job_id)["status"] == "failed"
    db.execute("UPDATE sync_jobs SET status = 'pending' WHERE id = %s", (job_id,))
    tracking.repair(db, [job_id])
    assert job(db, job_id)["status"] == "pending"  # a new request, not drift
    (second,) = tracking.claim_pending(db, limit=5).launches
    assert second.run_key == f"{job_id}#2"
    # The first request's run is superseded: its late events do nothing.
    tracking.finish_run(db, _run(first), RunOutcome("success", _now()))
    assert job(db, job_id)["status"] == "in_progress"


def test_abandon_fails_open_targets_with_the_reason(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Lost Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    tracking.step_started(db, _run(launch), "fetching_artist")
    tracking.abandon_targets(db, [(job_id, launch.partition_key)], "the Dagster run run-1 no longer exists")
    row = job(db, job_id)
    assert row["status"] == "failed" and "run-1 no longer exists" in row["error"]
    assert progress(db, job_id)["syncing_songs"]["message"].startswith("not run:")


@pytest.mark.parametrize(
    "text",
    [
        "GET https://app.ticketmaster.com/discovery/v2/events?apikey=abcdef123456&size=5",
        "Authorization: Bearer BQD3xyzabcdefghijkl",
        "postgresql://app:hunter2secret@db:5432/mysetlist",
        '{"client_secret": "s3cr3tvalue"}',
    ],
)
def test_redact_masks_credentials(text: str) -> None:
    out = redact_error(text) or ""
    for secret in ("abcdef123456", "BQD3xyzabcdefghijkl", "hunter2secret", "s3cr3tvalue"):
        assert secret not in out


def test_a_batch_run_moves_each_artists_row_on_its_own(db: psycopg.Connection) -> None:
    jobs = tracking.open_batch(db, "batch-1", "catalog_only", ["batch-a", "batch-b"])
    assert set(jobs) == {"batch-a", "batch-b"}
    for job_id in jobs.values():
        row = job(db, job_id)
        assert (row["status"], row["total_steps"], row["priority"]) == ("in_progress", 2, 3)
        assert row["metadata"]["batch_id"] == "batch-1"
    run = RunInfo(
        run_id="batch-run",
        job_name="catalog_only",
        tags={"mysetlist/batch_id": "batch-1"},
        partition_keys=("batch-a", "batch-b"),
    )
    tracking.step_started(db, run, "fetching_artist")
    tracking.step_finished(db, run, "fetching_artist", ok=True)
    tracking.step_started(db, run, "syncing_songs")
    tracking.step_finished(db, run, "syncing_songs", ok=True, partition_keys=["batch-a"])
    tracking.step_finished(
        db, run, "syncing_songs", ok=False, error="Spotify: HTTP 502", partition_keys=["batch-b"]
    )
    assert job(db, jobs["batch-a"])["status"] == "completed"  # every step of batch-a is done
    tracking.finish_run(
        db,
        run,
        RunOutcome(
            "failure",
            _now(),
            materialized={
                "batch-a": frozenset({"artist_profile", "artist_catalog"}),
                "batch-b": frozenset({"artist_profile"}),
            },
            step_errors={"artist_catalog": "artist_catalog failed for 1 of 2 artists"},
        ),
    )
    assert job(db, jobs["batch-a"])["status"] == "completed"
    row = job(db, jobs["batch-b"])
    assert row["status"] == "partial" and row["error"] == "syncing_songs failed (Spotify): Spotify: HTTP 502"


def test_a_run_terminated_in_dagster_cancels_the_job_saying_so(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Canceled Band"}, job_type="catalog_only")
    (launch,) = tracking.claim_pending(db, limit=5).launches
    run = _run(launch)
    tracking.step_started(db, run, "fetching_artist")
    tracking.finish_run(db, run, RunOutcome("canceled", _now(), will_retry=True))  # canceled runs never retry
    row = job(db, job_id)
    assert (row["status"], row["retry_count"]) == ("cancelled", 0)
    assert (
        row["error"] == "cancelled in Dagster: run run-1 was terminated" and row["completed_at"] is not None
    )
    steps = progress(db, job_id)
    assert {s: (p["status"], p["message"]) for s, p in steps.items()} == {
        "fetching_artist": ("failed", "cancelled"),
        "syncing_songs": ("failed", "cancelled"),
    }


def _finished_full_sync(db: psycopg.Connection, job_id: str) -> RunInfo:
    """Claim the job and run every step of it to success; returns the run."""
    (launch,) = tracking.claim_pending(db, limit=5).launches
    assert launch.job_id == job_id
    run = _run(launch)
    for step in ("fetching_artist", "syncing_songs"):
        tracking.step_started(db, run, step)
        tracking.step_finished(db, run, step, ok=True)
    tracking.finish_run(db, run, RunOutcome("success", _now()))
    return run


@pytest.mark.parametrize(
    "app_value",
    ['["a", {"b": 1}]', '"imported from the admin page"', "42", "null", "[]"],
    ids=["array", "string", "number", "json-null", "empty-array"],
)
def test_metadata_that_is_not_an_object_keeps_its_value_and_type(
    db: psycopg.Connection, app_value: str
) -> None:
    job_id = insert_job(db, job_type="catalog_only", spotify_id="4Z8W4fKeB5YxbusRsdQVPb")
    db.execute("UPDATE sync_jobs SET metadata = %s::jsonb WHERE id = %s", (app_value, job_id))
    run = _finished_full_sync(db, job_id)
    assert job(db, job_id)["status"] == "completed"
    # The reconciliation's drift pass, again and again (the issue saw an array grow for 40 s).
    for _ in range(3):
        tracking.repair(db, tracking.drift_candidates(db, window_hours=24, limit=100))
    same = db.execute(
        "SELECT metadata = %s::jsonb, jsonb_typeof(metadata) = jsonb_typeof(%s::jsonb) FROM sync_jobs "
        "WHERE id = %s",
        (app_value, app_value, job_id),
    ).fetchone()
    assert same == (True, True)
    # The project's keys live on the pipelines side, joinable by job_id.
    row = db.execute(
        "SELECT array_agg(partition_key), array_agg(run_id) FROM pipelines.sync_job_targets WHERE job_id = %s",
        (job_id,),
    ).fetchone()
    assert row is not None and row[1] == [run.run_id] and len(row[0]) == 1


@pytest.mark.parametrize(
    "app_value", [{"artist_name": "Meta Band", "from": "admin"}, None], ids=["object", "null"]
)
def test_metadata_object_or_null_gets_the_pipelines_keys_and_keeps_the_apps(
    db: psycopg.Connection, app_value: dict[str, str] | None
) -> None:
    job_id = insert_job(db, job_type="catalog_only", spotify_id="4Z8W4fKeB5YxbusRsdQVPb", metadata=app_value)
    run = _finished_full_sync(db, job_id)
    meta = job(db, job_id)["metadata"]
    assert {k: v for k, v in meta.items() if k != "pipelines"} == (app_value or {})
    assert meta["pipelines"]["run_ids"] == [run.run_id]


def test_a_finished_row_never_changes_again(db: psycopg.Connection) -> None:
    job_id = insert_job(db, metadata={"artist_name": "Done Band"}, job_type="catalog_only")
    run = _finished_full_sync(db, job_id)
    # The app edits its finished row (a note in error, a metadata key of its own): that is the app's.
    db.execute(
        "UPDATE sync_jobs SET error = 'seen by admin', metadata = metadata || '{\"note\": 1}' WHERE id = %s",
        (job_id,),
    )
    before = job(db, job_id)
    progress_before = progress(db, job_id)
    # Late and repeated reports, a failure report from the same run, and the drift pass: no change.
    tracking.step_finished(db, run, "syncing_songs", ok=False, error="late report")
    tracking.finish_run(db, run, RunOutcome("failure", _now(), run_error="late failure"))
    for _ in range(2):
        assert tracking.repair(db, tracking.drift_candidates(db, window_hours=24, limit=100)) == 0
    assert job(db, job_id) == before
    assert progress(db, job_id) == progress_before
    # Set back to pending by the app, it is a new request again and moves.
    db.execute("UPDATE sync_jobs SET status = 'pending' WHERE id = %s", (job_id,))
    tracking.claim_pending(db, limit=5)
    assert job(db, job_id)["status"] == "in_progress"
