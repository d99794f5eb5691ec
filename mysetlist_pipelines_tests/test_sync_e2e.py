"""The sync lifecycle end to end: a real daemon, code server and run workers (as `mysetlist dev` runs
them), a real Postgres, the sandbox providers with fault injection, and rows inserted as the app does.
One deployment is shared by every test here (the `dagster_stack` fixture); each test uses its own
sandbox artist and waits for conditions with deadlines."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines_tests.dagster_stack import DagsterStack
from mysetlist_pipelines_tests.polling import poll
from mysetlist_pipelines_tests.tracking_helpers import import_banner, insert_job, progress

pytestmark = pytest.mark.e2e

STEPS = ["fetching_artist", "syncing_songs", "importing_shows", "importing_setlists", "creating_setlists"]


@pytest.fixture
def stack(dagster_stack: DagsterStack) -> Iterator[DagsterStack]:
    dagster_stack.sandbox.reset()
    yield dagster_stack
    dagster_stack.sandbox.reset()


def _run_of(stack: DagsterStack, job_id: str) -> str:
    def started() -> str | None:
        runs = stack.runs_of_job(job_id)
        return runs[0].run_id if runs else None

    return poll(started, 60, f"a run for job {job_id}")


def test_an_import_completes_with_every_step_tracked(stack: DagsterStack) -> None:
    with stack.connect() as conn:
        job_id = insert_job(
            conn, spotify_id="D0hmAHahAI9fFQVGnYxiy8", metadata={"artist_name": "Zoë Marlowe"}
        )
    running = stack.wait_for_job(job_id, lambda r: r["status"] != "pending", timeout=30)
    assert running["status"] in ("in_progress", "completed") and running["total_steps"] == 5

    row = stack.wait_for_job(job_id)
    assert (row["status"], row["completed_steps"], row["total_steps"], row["error"]) == (
        "completed",
        5,
        5,
        None,
    )
    assert row["started_at"] <= row["completed_at"] and row["retry_count"] == 0
    (run,) = stack.runs_of_job(job_id)
    assert run.tags["dagster/run_key"] == job_id and run.tags["dagster/priority"] == "10"
    with stack.connect() as conn:
        steps = progress(conn, job_id)
        assert {s: steps[s]["status"] for s in STEPS} == dict.fromkeys(STEPS, "completed")
        assert "songs" in steps["syncing_songs"]["message"] and steps["syncing_songs"]["total_items"] > 0
        artist = conn.execute(
            "SELECT id::text, import_status FROM artists WHERE spotify_id = %s", ("D0hmAHahAI9fFQVGnYxiy8",)
        ).fetchone()
        assert artist is not None and artist[1] == "complete"
        banner = import_banner(conn, artist[0])
        assert banner is not None and (banner["stage"], banner["progress"]) == ("completed", 100)
    # Done once, however often the sensor looked: one run.
    assert len(stack.runs_of_job(job_id)) == 1


def test_a_provider_failing_past_its_retries_makes_a_partial_import(stack: DagsterStack) -> None:
    stack.sandbox.add_fault("setlistfm", "503", count=-1, endpoint="setlistfm:artist_setlists")
    with stack.connect() as conn:
        job_id = insert_job(
            conn, ticketmaster_id="K8vZ91vKH67", metadata={"artist_name": "Hollow Pines"}, auto_retry=False
        )
    row = stack.wait_for_job(job_id)
    assert row["status"] == "partial"
    assert row["error"].startswith("importing_setlists failed (setlist.fm)")
    assert "503" in row["error"]
    with stack.connect() as conn:
        steps = progress(conn, job_id)
    assert steps["syncing_songs"]["status"] == steps["importing_shows"]["status"] == "completed"
    assert steps["importing_setlists"]["status"] == "failed"
    # Predictions need only the profile: they still run, from the catalog alone.
    assert steps["creating_setlists"]["status"] == "completed"


def test_a_bad_row_fails_at_once_and_the_good_one_behind_it_runs(stack: DagsterStack) -> None:
    with stack.connect() as conn:
        bad = insert_job(conn, job_type="everything", metadata={"artist_name": "Nobody"}, priority=1)
        nameless = insert_job(conn, entity_id="not-an-artist-id", priority=1)
        good = insert_job(conn, ticketmaster_id="K8vZ91DH5gm", job_type="catalog_only", priority=1)
    failed = stack.wait_for_job(bad, timeout=30)
    assert failed["status"] == "failed" and "unknown job_type 'everything'" in failed["error"]
    assert "no way to identify the artist" in stack.wait_for_job(nameless, timeout=30)["error"]
    assert not stack.runs_of_job(bad)
    row = stack.wait_for_job(good)
    assert (row["status"], row["completed_steps"], row["total_steps"]) == ("completed", 2, 2)


def test_a_failed_run_is_retried_and_the_retry_succeeds(stack: DagsterStack) -> None:
    # Three failing calls: the first run's one request and its two retries inside the HTTP client.
    stack.sandbox.add_fault("ticketmaster", "500", count=3, endpoint="ticketmaster:events")
    with stack.connect() as conn:
        job_id = insert_job(
            conn, spotify_id="vj7Jr3PxT1GMPNVGapzQni", metadata={"artist_name": "Paper Satellites"},
            job_type="shows_only", max_retries=2,
        )  # fmt: skip
    row = stack.wait_for_job(job_id, timeout=180)
    assert (row["status"], row["retry_count"], row["error"]) == ("completed", 1, None)
    runs = sorted(stack.runs_of_job(job_id), key=lambda r: int(r.tags.get("dagster/retry_number", "0")))
    assert len(runs) == 2 and runs[1].parent_run_id == runs[0].run_id
    assert runs[0].tags.get("dagster/will_retry") == "true"
    with stack.connect() as conn:
        assert progress(conn, job_id)["importing_shows"]["status"] == "completed"


def test_a_killed_run_process_fails_its_row(stack: DagsterStack) -> None:
    # The catalog step hangs on Spotify's album list, long enough to kill the run meanwhile.
    stack.sandbox.add_fault("spotify", "latency", count=-1, seconds=8, endpoint="spotify:artist_albums")
    with stack.connect() as conn:
        job_id = insert_job(
            conn, spotify_id="FzEzj2G0AduspFc3fSQaw1", metadata={"artist_name": "Ghost Arcade"},
            job_type="catalog_only", auto_retry=False,
        )  # fmt: skip

    def catalog_running() -> bool:
        with stack.connect() as conn:
            return progress(conn, job_id).get("syncing_songs", {}).get("status") == "in_progress"

    poll(catalog_running, 90, "the catalog step to run")
    run_id = _run_of(stack, job_id)
    pid = poll(lambda: stack.run_pid(run_id), 30, "the run worker's pid")
    os.kill(pid, signal.SIGKILL)

    row = stack.wait_for_job(job_id, timeout=90)
    assert row["status"] == "partial"  # the profile was saved before the process died
    assert row["error"].startswith("syncing_songs failed: Run execution process for")
    assert "SIGKILL" in row["error"]
    with stack.connect() as conn:
        assert progress(conn, job_id)["fetching_artist"]["status"] == "completed"


def test_a_run_launched_from_dagster_gets_its_own_row(stack: DagsterStack) -> None:
    with stack.connect() as conn:
        (key,) = artist_keys.register(
            conn, [artist_keys.ArtistRequest(spotify_id="f8TdnQugmi1WaGf6cUrZwy", name="Neon Harbor")]
        )
    stack.instance.add_dynamic_partitions("artists", [key])
    run_id = stack.launch("catalog_only", key)

    def row_of_run() -> str | None:
        with stack.connect() as conn:
            found = conn.execute(
                "SELECT id FROM sync_jobs WHERE metadata->>'dagster_run_id' = %s", (run_id,)
            ).fetchone()
        return found[0] if found else None

    job_id = poll(row_of_run, 60, f"a sync_jobs row for run {run_id}")
    row = stack.wait_for_job(job_id)
    assert (row["status"], row["job_type"], row["entity_type"], row["total_steps"]) == (
        "completed", "catalog_only", "artist", 2,
    )  # fmt: skip
    assert row["metadata"]["source"] == "dagster" and row["metadata"]["partition_key"] == key
    with stack.connect() as conn:
        artist_id = conn.execute(
            "SELECT id::text FROM artists WHERE spotify_id = 'f8TdnQugmi1WaGf6cUrZwy'"
        ).fetchone()
    assert artist_id is not None and row["entity_id"] == artist_id[0]


def test_reconciliation_repairs_a_row_edited_behind_its_back(stack: DagsterStack) -> None:
    with stack.connect() as conn:
        job_id = insert_job(conn, ticketmaster_id="K8vZ91rgfdS", metadata={"artist_name": "Neon Harbor"},
                            job_type="shows_only")  # fmt: skip
    done = stack.wait_for_job(job_id)
    assert done["status"] == "completed"
    with stack.connect() as conn:
        conn.execute(
            "UPDATE sync_jobs SET status = 'in_progress', completed_steps = 1, completed_at = NULL, "
            "error = 'stuck?' WHERE id = %s",
            (job_id,),
        )
        conn.execute("UPDATE sync_progress SET status = 'pending' WHERE job_id = %s", (job_id,))
    row = stack.wait_for_job(job_id, lambda r: r["status"] != "in_progress", timeout=75)
    assert (row["status"], row["completed_steps"], row["error"]) == ("completed", 4, None)
    assert row["completed_at"] == done["completed_at"]
    with stack.connect() as conn:
        assert {p["status"] for p in progress(conn, job_id).values()} == {"completed"}
