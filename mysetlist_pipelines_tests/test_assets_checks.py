"""The asset checks pass on an imported artist and fail, each for its own reason, on broken rows;
and the whole sync works unchanged on tables the app's own migrations created."""

from __future__ import annotations

import dagster as dg
import psycopg

from mysetlist_pipelines.defs.artists import assets as catalog
from mysetlist_pipelines.defs.artists import assets as predictions
from mysetlist_pipelines.defs.artists import assets as profile
from mysetlist_pipelines.defs.artists import assets as setlists
from mysetlist_pipelines.defs.artists import assets as shows
from mysetlist_pipelines.defs.artists import checks
from mysetlist_pipelines.defs.resources import build_resources
from mysetlist_pipelines.lib.steps import JOB_ASSETS
from mysetlist_pipelines_tests.artist_expectations import expected
from mysetlist_pipelines_tests.artist_support import (
    Sandbox,
    counts,
    register,
    run_job,
    stamps,
    step_metadata,
    table_counts,
)
from mysetlist_pipelines_tests.artist_support import checks as check_results

CHECKS = [
    checks.artist_has_external_id,
    checks.songs_have_unique_titles,
    checks.shows_have_venues,
    checks.setlist_songs_point_at_songs,
]


def _run_checks(dagster_instance: dg.DagsterInstance, key: str) -> dg.ExecuteInProcessResult:
    """Only the checks, on the data as it is (no asset runs and repairs it first)."""
    defs = dg.Definitions(
        assets=[
            profile.artist_profile,
            catalog.artist_catalog,
            shows.artist_shows,
            setlists.artist_setlists,
            predictions.predicted_setlists,
        ],
        asset_checks=CHECKS,
        jobs=[dg.define_asset_job("checks_only", selection=dg.AssetSelection.all_asset_checks())],
        resources=build_resources(),
    )
    # The partition goes in as the run's tag: execute_in_process(partition_key=) validates it against
    # the selected *assets*, and a job of checks alone has none.
    return defs.resolve_job_def("checks_only").execute_in_process(
        instance=dagster_instance, tags={"dagster/partition": key}
    )


def test_checks_pass_then_fail_on_deliberately_broken_rows(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ref = artist_sandbox.server.artist("melodie-fjord")
    key = register(app_env, instance, name=ref.name)
    assert run_job(definitions, instance, "full_sync", key).success
    assert check_results(_run_checks(instance, key)) == {
        "artist_has_external_id": True,
        "songs_have_unique_titles": True,
        "shows_have_venues": True,
        "setlist_songs_point_at_songs": True,
    }

    with psycopg.connect(app_env, autocommit=True) as conn:
        artist_id = conn.execute("SELECT id::text FROM artists").fetchone()[0]  # type: ignore[index]
        # A second song whose title normalizes like an existing one ("LJOSID" ~ "Ljósið").
        song = conn.execute(
            "INSERT INTO songs (name, artist) VALUES ('LJÓSIÐ!', %s) RETURNING id", (ref.name,)
        ).fetchone()[0]  # type: ignore[index]
        conn.execute("INSERT INTO artist_songs (artist_id, song_id) VALUES (%s, %s)", (artist_id, song))
        conn.execute(
            "UPDATE shows SET venue_id = NULL WHERE id = (SELECT id FROM shows WHERE venue_id IS NOT NULL LIMIT 1)"
        )
        fk = conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'setlist_songs'::regclass AND contype = 'f' "
            "AND confrelid = 'songs'::regclass"
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(f'ALTER TABLE setlist_songs DROP CONSTRAINT "{fk}"')
        conn.execute(
            "UPDATE setlist_songs SET song_id = gen_random_uuid() WHERE id = (SELECT id FROM setlist_songs LIMIT 1)"
        )
        conn.execute("UPDATE artists SET tm_attraction_id = NULL, spotify_id = NULL, mbid = NULL")

    result = _run_checks(instance, key)
    assert check_results(result) == {
        "artist_has_external_id": False,
        "songs_have_unique_titles": False,
        "shows_have_venues": False,
        "setlist_songs_point_at_songs": False,
    }
    problems = {e.check_name: e.metadata["problems"].value for e in result.get_asset_check_evaluations()}
    assert problems == {
        "artist_has_external_id": 1,
        "songs_have_unique_titles": 1,
        "shows_have_venues": 1,
        "setlist_songs_point_at_songs": 1,
    }


def test_sync_on_tables_the_app_created(
    app_owned_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    """The app's own schema: no unique key on show_artists or setlists, its own extra columns, no
    defaults beyond the contract's. Two co-headliners, then a second run of both."""
    keys = {}
    for artist in ("velvet-static", "neon-harbor"):
        ref = artist_sandbox.server.artist(artist)
        keys[artist] = register(app_owned_env, instance, name=ref.name)
        result = run_job(definitions, instance, "full_sync", keys[artist])
        assert result.success and all(check_results(result).values())
    with psycopg.connect(app_owned_env) as conn:
        for artist in keys:
            want = expected(artist_sandbox.server.dataset, artist, artist_sandbox.today)
            artist_id = conn.execute(
                "SELECT id::text FROM artists WHERE tm_attraction_id = %s",
                (artist_sandbox.server.artist(artist).tm_attraction_id,),
            ).fetchone()[0]  # type: ignore[index]
            got = counts(conn, artist_id)
            assert (got["artist_songs"], got["shows"], got["setlists"], got["setlist_songs"]) == (
                want.artist_songs,
                want.shows,
                want.setlists,
                want.setlist_songs,
            )
        before, tables = stamps(conn), table_counts(conn)
    for artist, key in keys.items():
        again = run_job(definitions, instance, "full_sync", key)
        assert again.success
        for asset in JOB_ASSETS["full_sync"]:
            meta = step_metadata(again, asset)
            assert (artist, asset, meta["rows_inserted"], meta["rows_updated"]) == (artist, asset, 0, 0)
    with psycopg.connect(app_owned_env) as conn:
        assert table_counts(conn) == tables and stamps(conn) == before
