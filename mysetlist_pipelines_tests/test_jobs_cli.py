"""`mysetlist import` / `mysetlist jobs` against a real Postgres (the pipelines driven by lib/tracking)."""

from __future__ import annotations

import io
import threading

import psycopg
import pytest

from mysetlist_pipelines.cli import main
from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.import_argument import ArtistRef, classify
from mysetlist_pipelines.lib.job_watch import watch
from mysetlist_pipelines.lib.tracking import RunInfo, RunOutcome

from .polling import poll
from .tracking_helpers import job


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Radiohead", ArtistRef("name", "Radiohead")),
        ("Sigur Rós", ArtistRef("name", "Sigur Rós")),
        ("4Z8W4fKeB5YxbusRsdQVPb", ArtistRef("spotify", "4Z8W4fKeB5YxbusRsdQVPb")),
        (
            "https://open.spotify.com/artist/4Z8W4fKeB5YxbusRsdQVPb?si=x",
            ArtistRef("spotify", "4Z8W4fKeB5YxbusRsdQVPb"),
        ),
        ("spotify:artist:4Z8W4fKeB5YxbusRsdQVPb", ArtistRef("spotify", "4Z8W4fKeB5YxbusRsdQVPb")),
        ("K8vZ9171oZ7", ArtistRef("ticketmaster", "K8vZ9171oZ7")),
        ("tm:Z7r9jZ1AdJ9uK", ArtistRef("ticketmaster", "Z7r9jZ1AdJ9uK")),
        ("a74b1b7f-71a5-4011-9441-d0b5e4122711", ArtistRef("mbid", "a74b1b7f-71a5-4011-9441-d0b5e4122711")),
        ("name:K8vZ9171oZ7", ArtistRef("name", "K8vZ9171oZ7")),
        ("Twenty One Pilots", ArtistRef("name", "Twenty One Pilots")),
    ],
)
def test_classify_tells_ids_from_names(text: str, expected: ArtistRef) -> None:
    assert classify(text) == expected


def test_import_inserts_the_row_the_app_would(
    app_env: str, db: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    known = db.execute(
        "INSERT INTO artists (name, slug, spotify_id) VALUES ('Known', 'known', '4Z8W4fKeB5YxbusRsdQVPb') "
        "RETURNING id::text"
    ).fetchone()[0]
    assert main(["import", "4Z8W4fKeB5YxbusRsdQVPb", "--priority", "2"]) == 0
    assert main(["import", "Brand New Band", "--job-type", "shows_only"]) == 0
    rows = db.execute(
        "SELECT entity_type, entity_id, spotify_id, ticketmaster_id, job_type, priority, status, "
        "metadata->>'artist_name' FROM sync_jobs ORDER BY created_at"
    ).fetchall()
    assert rows[0] == ("artist", known, "4Z8W4fKeB5YxbusRsdQVPb", None, "full_sync", 2, "pending", "Known")
    assert rows[1][2:] == (None, None, "shows_only", 1, "pending", "Brand New Band")

    assert main(["jobs"]) == 0
    listing = capsys.readouterr().out
    assert "Brand New Band" in listing and "Known" in listing and listing.count("pending") == 2


def _drive(conn: psycopg.Connection, fail: bool) -> None:
    (launch,) = tracking.claim_pending(conn, limit=1).launches
    run = RunInfo(
        run_id="r1",
        job_name=launch.job_type,
        tags={**launch.tags, "dagster/run_key": launch.run_key},
        partition_keys=(launch.partition_key,),
    )
    for step in ("fetching_artist", "syncing_songs"):
        tracking.step_started(conn, run, step)
        tracking.step_finished(conn, run, step, ok=not (fail and step == "syncing_songs"), error="HTTP 500")
    from datetime import UTC, datetime

    tracking.finish_run(conn, run, RunOutcome("failure" if fail else "success", datetime.now(UTC)))


@pytest.mark.parametrize(("fail", "code", "word"), [(False, 0, "completed"), (True, 2, "partial")])
def test_wait_draws_progress_until_the_job_ends(
    app_env: str, db: psycopg.Connection, fail: bool, code: int, word: str
) -> None:
    from mysetlist_pipelines.lib.jobs_cli import insert_request

    job_id = insert_request(db, classify("Watched Band"), "catalog_only", 1)
    out = io.StringIO()
    result: dict[str, int] = {}
    with psycopg.connect(app_env, autocommit=True) as other:
        watcher = threading.Thread(
            target=lambda: result.setdefault("code", watch(other, job_id, out, timeout=60))
        )
        watcher.start()
        poll(lambda: "pending" in out.getvalue(), 10, "the first progress line")
        _drive(db, fail)
        watcher.join(timeout=30)
    assert result["code"] == code
    text = out.getvalue()
    assert "0/0 steps  pending" in text.splitlines()[0]
    assert ("1/2 steps  partial" if fail else "2/2 steps  completed") in text
    assert text.strip().splitlines()[-1].startswith(word)
    assert job(db, job_id)["status"] == word


def test_jobs_cancel_does_what_the_app_does(
    app_env: str, db: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "Cancel Me"]) == 0
    job_id = db.execute("SELECT id FROM sync_jobs").fetchone()[0]
    assert main(["jobs", "cancel", job_id[:8]]) == 0
    assert "cancelled (was pending)" in capsys.readouterr().out
    row = job(db, job_id)
    assert (row["status"], row["error"]) == ("cancelled", "cancelled by an operator (mysetlist jobs cancel)")
    # Twice: nothing more happens, and the command says why.
    assert main(["jobs", "cancel", job_id]) == 2
    assert "is cancelled: nothing to cancel" in capsys.readouterr().err
    assert job(db, job_id) == row
    assert main(["jobs", "cancel", "no-such-id"]) == 1
    assert main(["jobs", "--status", "cancelled"]) == 0
    assert "Cancel Me" in capsys.readouterr().out
