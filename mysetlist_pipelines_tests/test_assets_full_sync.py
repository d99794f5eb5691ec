"""`full_sync` for every bundled sandbox artist, each of a different shape, against a real Postgres:
exact counts from the sandbox's ground truth, the matching decisions, every asset check passing, and
a second run that changes nothing (no row written, no updated_at touched)."""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib.steps import JOB_ASSETS
from mysetlist_pipelines_tests.artist_expectations import expected
from mysetlist_pipelines_tests.artist_support import (
    Sandbox,
    checks,
    counts,
    register,
    run_job,
    stamps,
    step_metadata,
    table_counts,
)

# service -> (status, method) per artist, as its shape in sandbox/data calls for.
MATCHES = {
    "velvet-static": {
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "external_link"),
        "setlistfm": ("matched", "external_link"),
    },
    "echo-valley": {  # links musicbrainz only; two Spotify artists are called Echo Valley
        "ticketmaster": ("matched", "name"),
        "spotify": ("ambiguous", "name"),
        "setlistfm": ("matched", "external_link"),
    },
    "ghost-arcade": {  # links spotify only (with ?si=): setlist.fm by name
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "external_link"),
        "setlistfm": ("matched", "name"),
    },
    "hollow-pines": {
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "external_link"),
        "setlistfm": ("matched", "external_link"),
    },
    "melodie-fjord": {
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "external_link"),
        "setlistfm": ("matched", "external_link"),
    },
    "paper-satellites": {  # an attraction without externalLinks: both others by exact name
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "name"),
        "setlistfm": ("matched", "name"),
    },
    "zoe-marlowe": {
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "external_link"),
        "setlistfm": ("matched", "external_link"),
    },
    "neon-harbor": {
        "ticketmaster": ("matched", "name"),
        "spotify": ("matched", "external_link"),
        "setlistfm": ("matched", "external_link"),
    },
}


@pytest.mark.parametrize("key", sorted(MATCHES))
def test_full_sync_then_nothing_changes(
    key: str,
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ref = artist_sandbox.server.artist(key)
    want = expected(
        artist_sandbox.server.dataset,
        key,
        artist_sandbox.today,
        spotify_matched=MATCHES[key]["spotify"][0] == "matched",
    )
    partition = register(app_env, instance, name=ref.name)  # the app gives a name (metadata.artist_name)

    first = run_job(definitions, instance, "full_sync", partition)
    assert first.success
    assert checks(first) == {
        "artist_has_external_id": True,
        "songs_have_unique_titles": True,
        "shows_have_venues": True,
        "setlist_songs_point_at_songs": True,
    }

    with psycopg.connect(app_env) as conn:
        artist = conn.execute(
            "SELECT id::text, name, tm_attraction_id, spotify_id, mbid, total_songs, total_shows, upcoming_shows, "
            "total_setlists FROM artists"
        ).fetchall()
        assert len(artist) == 1
        artist_id, name, tm_id, spotify_id, mbid, total_songs, total_shows, upcoming, total_setlists = artist[
            0
        ]
        assert name == ref.name
        assert tm_id == ref.tm_attraction_id
        assert spotify_id == (ref.spotify_id if want.spotify_matched else None)
        assert mbid == ref.mbid
        decided = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "SELECT service, status, method FROM pipelines.artist_matches WHERE artist_id = %s",
                (artist_id,),
            )
        }
        assert decided == MATCHES[key]

        got = counts(conn, artist_id)
        assert got == {
            "artist_songs": want.artist_songs,
            "spotify_songs": want.catalog_songs,
            "shows": want.shows,
            "upcoming": want.upcoming_shows,
            "cancelled": want.cancelled_shows,
            "setlists": want.setlists,
            "setlist_songs": want.setlist_songs,
            "predicted": want.predicted,
        }
        assert (total_songs, total_shows, upcoming, total_setlists) == (
            want.artist_songs,
            want.shows,
            want.upcoming_shows,
            want.setlists,
        )
        tables = table_counts(conn)
        assert tables["venues"] == want.venues
        assert tables["songs"] == want.artist_songs + want.cover_songs
        before = stamps(conn)

    second = run_job(definitions, instance, "full_sync", partition)
    assert second.success and all(checks(second).values())
    for asset in JOB_ASSETS["full_sync"]:
        meta = step_metadata(second, asset)
        assert (asset, meta["rows_inserted"], meta["rows_updated"]) == (asset, 0, 0)
    with psycopg.connect(app_env) as conn:
        assert table_counts(conn) == tables
        assert stamps(conn) == before
