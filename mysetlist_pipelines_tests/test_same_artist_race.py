"""Issue 12, item 3: two requests for one artist at the same moment by different ids. At intake (real
Postgres) the second waits while the first settles who the artist is, then lands on the same
partition; on a real deployment (daemon, sandbox) both jobs complete with one artists row and one
partition."""

from __future__ import annotations

import psycopg
import pytest

from mysetlist_pipelines.lib import artist_keys, tracking

from .tracking_helpers import insert_job, job

S = "PkcYGc0lW6Q4Ci2nOP7r11"
T = "K8vZ91AJXDO"


def _settle(db: psycopg.Connection, key: str, name: str, **ids: str) -> str:
    """What the first partition's profile step does once the providers answered."""
    row = db.execute(
        "INSERT INTO artists (name, slug, spotify_id, tm_attraction_id) VALUES (%s, %s, %s, %s) RETURNING id::text",
        (name, name.lower().replace(" ", "-"), ids.get("spotify_id"), ids.get("tm_attraction_id")),
    ).fetchone()
    assert row is not None
    artist_keys.link(db, key, row[0], name=name, **ids)
    return row[0]


def test_the_second_request_waits_and_lands_on_the_first_partition(db: psycopg.Connection) -> None:
    by_spotify = insert_job(db, spotify_id=S)
    by_tm = insert_job(db, ticketmaster_id=T)

    first = tracking.claim_pending(db, limit=10)

    assert [launch.job_id for launch in first.launches] == [by_spotify]
    assert first.waiting == [by_tm] and job(db, by_tm)["status"] == "pending"
    key = first.launches[0].partition_key
    # Still settling: the next pass leaves it waiting again, and opens no key for it.
    assert tracking.claim_pending(db, limit=10).waiting == [by_tm]
    assert db.execute("SELECT count(*) FROM pipelines.artist_keys").fetchone() == (1,)

    _settle(db, key, "Echo Valley", spotify_id=S, tm_attraction_id=T)
    second = tracking.claim_pending(db, limit=10)

    assert [(launch.job_id, launch.partition_key) for launch in second.launches] == [(by_tm, key)]
    assert second.waiting == [] and job(db, by_tm)["status"] == "in_progress"
    assert db.execute("SELECT count(*) FROM pipelines.artist_keys").fetchone() == (1,)


def test_a_first_request_that_failed_no_longer_holds_anyone_back(db: psycopg.Connection) -> None:
    by_spotify = insert_job(db, spotify_id=S)
    tracking.claim_pending(db, limit=10)
    db.execute("UPDATE sync_jobs SET status = 'failed' WHERE id = %s", (by_spotify,))
    by_tm = insert_job(db, ticketmaster_id=T)

    (launch,) = tracking.claim_pending(db, limit=10).launches

    assert launch.job_id == by_tm and launch.partition_key == f"tm-{T.lower()}"


@pytest.mark.parametrize(
    "other",
    [
        {"spotify_id": "FzEzj2G0AduspFc3fSQaw1"},  # another Spotify id: another artist
        {"metadata": {"artist_name": "Someone Else"}},  # a request with a name never waits
        {"ticketmaster_id": T, "metadata": {"artist_name": "Echo Valley"}},
    ],
)
def test_only_a_request_by_ids_alone_waits_for_a_rival_by_ids_alone(
    db: psycopg.Connection, other: dict
) -> None:
    """Another id of the same service is another artist; a request with a name never waits (it may
    still be the same artist: its profile then says which partition holds it, README)."""
    insert_job(db, spotify_id=S)
    second = insert_job(db, **other)

    intake = tracking.claim_pending(db, limit=10)

    assert intake.waiting == [] and second in [launch.job_id for launch in intake.launches]
    assert len({launch.partition_key for launch in intake.launches}) == 2
