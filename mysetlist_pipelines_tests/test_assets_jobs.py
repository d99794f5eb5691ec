"""The other jobs and the incremental behaviour: catalog_only / shows_only / update, the update's call
budget, incrementality of releases and setlists, co-headliners, votes, bad requests, requests by id."""

from __future__ import annotations

import math

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib.rules.version_markers import excluded_kind, song_key
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


def _artist_id(conn: psycopg.Connection, name: str) -> str:
    row = conn.execute("SELECT id::text FROM artists WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return row[0]


def test_catalog_only_then_shows_only_then_update_within_budget(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ds, today = artist_sandbox.server.dataset, artist_sandbox.today
    ref = artist_sandbox.server.artist("velvet-static")
    want = expected(ds, "velvet-static", today)
    spotify = ds.catalog.artists[ref.spotify_id]
    key = register(app_env, instance, name=ref.name)

    catalog_only = run_job(definitions, instance, "catalog_only", key)
    assert catalog_only.success
    assert {e.asset_key.path[-1] for e in catalog_only.get_asset_materialization_events()} == {
        "artist_profile",
        "artist_catalog",
    }
    with psycopg.connect(app_env) as conn:
        artist_id = _artist_id(conn, ref.name)
        got = counts(conn, artist_id)
        assert (got["artist_songs"], got["spotify_songs"], got["shows"], got["setlists"]) == (
            want.catalog_songs,
            want.catalog_songs,
            0,
            0,
        )
    meta = step_metadata(catalog_only, "artist_catalog")
    releases = [
        a for g, a in ds.catalog.artist_albums[ref.spotify_id] if g in ("album", "single") and a.sold_in("US")
    ]
    live_releases = [a for a in releases if a.live]
    assert meta["calls"]["spotify:artist_albums"] == math.ceil(len(releases) / 10)  # type: ignore[index]
    # Live albums (and live singles named so) are never fetched; every other release once.
    assert meta["calls"]["spotify:album"] <= len(releases) - len(live_releases)  # type: ignore[index]
    assert spotify.name == ref.name

    shows_only = run_job(definitions, instance, "shows_only", key)
    assert shows_only.success
    assert "artist_catalog" not in {
        e.asset_key.path[-1] for e in shows_only.get_asset_materialization_events()
    }
    assert step_metadata(shows_only, "artist_profile")["provider_calls"] == 0  # identity fresh
    with psycopg.connect(app_env) as conn:
        got = counts(conn, artist_id)
        assert got["shows"] == want.shows and got["setlists"] == want.setlists
        assert got["artist_songs"] == want.artist_songs and got["predicted"] == want.predicted
        before, tables = stamps(conn), table_counts(conn)

    # The incremental refresh of a known artist: 1 Ticketmaster call, 1 setlist.fm page, the Spotify
    # album-list pages (plus this run's token), and nothing written.
    artist_sandbox.reset()
    update = run_job(definitions, instance, "update", key)
    assert update.success
    calls = artist_sandbox.calls()
    assert calls.pop("ticketmaster:events") == 1
    assert calls.pop("setlistfm:artist_setlists") == 1
    assert calls.pop("spotify:artist_albums") == math.ceil(len(releases) / 10)
    assert calls.pop("spotify:token", 0) <= 1
    assert calls == {}
    for asset in (
        "artist_profile",
        "artist_catalog",
        "artist_shows",
        "artist_setlists",
        "predicted_setlists",
    ):
        meta = step_metadata(update, asset)
        assert (asset, meta["rows_inserted"], meta["rows_updated"]) == (asset, 0, 0)
    with psycopg.connect(app_env) as conn:
        assert stamps(conn) == before and table_counts(conn) == tables


def test_new_releases_and_setlists_are_fetched_incrementally(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ref = artist_sandbox.server.artist("velvet-static")
    key = register(app_env, instance, name=ref.name)
    assert run_job(definitions, instance, "full_sync", key).success
    with psycopg.connect(app_env, autocommit=True) as conn:
        artist_id = _artist_id(conn, ref.name)
        tables = table_counts(conn)
        # Forget one release as if Spotify had just published it, and the 25 newest setlists as if
        # setlist.fm had them since the last sync (their shows stay, unlinked).
        conn.execute(
            "DELETE FROM pipelines.spotify_releases WHERE artist_id = %s AND album_id = "
            "(SELECT album_id FROM pipelines.spotify_releases WHERE artist_id = %s AND status = 'imported' "
            "ORDER BY album_id LIMIT 1)",
            (artist_id, artist_id),
        )
        newest = [
            r[0]
            for r in conn.execute(
                "SELECT s.setlistfm_id FROM shows s WHERE s.setlistfm_id IS NOT NULL ORDER BY s.date DESC LIMIT 25"
            )
        ]
        conn.execute("DELETE FROM setlists WHERE external_id = ANY(%s)", (newest,))
        conn.execute(
            "UPDATE shows SET setlistfm_id = NULL, setlist_ready = false WHERE setlistfm_id = ANY(%s)",
            (newest,),
        )

    artist_sandbox.reset()
    update = run_job(definitions, instance, "update", key)
    assert update.success
    calls = artist_sandbox.calls()
    assert calls.get("spotify:album") == 1  # only the "new" release
    assert calls.get("setlistfm:artist_setlists") == 2  # pages until one holds a stored setlist
    with psycopg.connect(app_env) as conn:
        assert table_counts(conn) == tables  # the same rows came back, nothing duplicated
    meta = step_metadata(update, "artist_catalog")
    assert meta["writes"]["songs"]["inserted"] == 0  # type: ignore[index]

    # force: every non-live release again.
    artist_sandbox.reset()
    forced = run_job(
        definitions,
        instance,
        "catalog_only",
        key,
        run_config={"ops": {"artist_catalog": {"config": {"force": True}}}},
    )
    assert forced.success
    assert (
        artist_sandbox.calls()["spotify:album"]
        == step_metadata(forced, "artist_catalog")["details"]["releases_fetched"]
    )  # type: ignore[index]
    assert step_metadata(forced, "artist_catalog")["rows_updated"] == 0


def test_live_versions_dropped_and_duplicates_merged_preferring_the_album(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ref = artist_sandbox.server.artist("velvet-static")
    key = register(app_env, instance, spotify_id=ref.spotify_id)  # a request by Spotify id
    assert run_job(definitions, instance, "catalog_only", key).success
    with psycopg.connect(app_env) as conn:
        songs = conn.execute(
            "SELECT s.name, s.album_name, s.album_type, s.is_live, s.is_remix FROM songs s "
            "JOIN artist_songs a ON a.song_id = s.id"
        ).fetchall()
    by_name = {name: (album, album_type) for name, album, album_type, *_ in songs}
    assert all(excluded_kind(name) is None for name in by_name)
    assert not any(live or remix for *_, live, remix in songs)
    # Studio songs whose titles merely contain "live" stay, from their original album.
    for title, album in (
        ("Alive", "First Light"),
        ("Oliver", "First Light"),
        ("Live Forever", "Paper Crowns"),
    ):
        assert by_name[title] == (album, "album")
    assert "Livewire" in by_name and "Deliverance" in by_name
    keys = [song_key(n) for n in by_name]
    assert len(keys) == len(set(keys))
    assert not [n for n in by_name if "Remaster" in n]  # the remaster is the original again


def test_co_headliners_share_their_shows(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    live = artist_sandbox.server.dataset.live(artist_sandbox.today)
    velvet, neon = artist_sandbox.server.artist("velvet-static"), artist_sandbox.server.artist("neon-harbor")
    shared = {
        e.id for e in live.events if {velvet.tm_attraction_id, neon.tm_attraction_id} <= set(e.attraction_ids)
    }
    assert len(shared) == 2
    keys = {ref.key: register(app_env, instance, name=ref.name) for ref in (velvet, neon)}
    for ref in (velvet, neon):
        assert run_job(definitions, instance, "shows_only", keys[ref.key]).success
    with psycopg.connect(app_env) as conn:
        rows = conn.execute(
            "SELECT s.tm_event_id, a.name, x.order_index, x.is_headliner, s.headliner_artist_id = a.id "
            "FROM show_artists x JOIN shows s ON s.id = x.show_id JOIN artists a ON a.id = x.artist_id "
            "WHERE s.tm_event_id = ANY(%s) ORDER BY s.tm_event_id, x.order_index",
            (list(shared),),
        ).fetchall()
        assert len(rows) == 4
        for event_id in shared:
            bill = [r[1:] for r in rows if r[0] == event_id]
            assert bill == [(velvet.name, 0, True, True), (neon.name, 1, True, False)]
        neon_id = _artist_id(conn, neon.name)
        want = expected(artist_sandbox.server.dataset, "neon-harbor", artist_sandbox.today)
        assert counts(conn, neon_id)["shows"] == want.shows
        before = stamps(conn)
    # The first artist's next refresh keeps the second one on the bill and changes nothing.
    again = run_job(definitions, instance, "shows_only", keys[velvet.key])
    assert again.success
    with psycopg.connect(app_env) as conn:
        assert stamps(conn) == before


def test_a_voted_predicted_setlist_is_never_rewritten(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ref = artist_sandbox.server.artist("zoe-marlowe")
    key = register(app_env, instance, name=ref.name)
    assert run_job(definitions, instance, "full_sync", key).success
    with psycopg.connect(app_env, autocommit=True) as conn:
        voted, plain = [
            r[0]
            for r in conn.execute(
                "SELECT id::text FROM setlists WHERE type = 'predicted' ORDER BY id LIMIT 2"
            ).fetchall()
        ]
        original = _songs(conn, plain)
        for setlist in (voted, plain):  # someone reorders both; only one gets a vote
            conn.execute("UPDATE setlist_songs SET position = -position WHERE setlist_id = %s", (setlist,))
            conn.execute(
                "UPDATE setlist_songs ss SET position = n.pos FROM (SELECT id, row_number() OVER (ORDER BY position) "
                "AS pos FROM setlist_songs WHERE setlist_id = %s) n WHERE ss.id = n.id",
                (setlist,),
            )
        conn.execute("UPDATE setlist_songs SET upvotes = 3 WHERE setlist_id = %s AND position = 1", (voted,))
        voted_songs = _songs(conn, voted)
    result = run_job(definitions, instance, "shows_only", key)
    assert result.success
    assert step_metadata(result, "predicted_setlists")["skipped"] == {"has votes (never rewritten)": 1}
    with psycopg.connect(app_env) as conn:
        assert _songs(conn, voted) == voted_songs
        assert _songs(conn, plain) == original


def _songs(conn: psycopg.Connection, setlist_id: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT song_id::text FROM setlist_songs WHERE setlist_id = %s ORDER BY position", (setlist_id,)
        )
    ]


def test_an_artist_no_service_knows_fails_with_a_clear_error(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    key = register(app_env, instance, name="Nobody Anyone Has Heard Of")
    result = run_job(definitions, instance, "full_sync", key, raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert failure.step_key == "artist_profile"
    assert "no service knows the artist 'Nobody Anyone Has Heard Of'" in str(
        failure.event_specific_data.error
    )
    with psycopg.connect(app_env) as conn:
        assert table_counts(conn)["artists"] == 0


@pytest.mark.parametrize("by", ["tm_attraction_id", "mbid"])
def test_requests_by_id_land_on_the_same_artist(
    by: str,
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    ref = artist_sandbox.server.artist("melodie-fjord")
    key = register(app_env, instance, **{by: getattr(ref, by)})
    assert key.startswith("tm-" if by == "tm_attraction_id" else "mbid-")
    assert run_job(definitions, instance, "catalog_only", key).success
    with psycopg.connect(app_env) as conn:
        rows = conn.execute("SELECT name, slug, tm_attraction_id, spotify_id, mbid FROM artists").fetchall()
    assert rows == [(ref.name, "melodie-fjord", ref.tm_attraction_id, ref.spotify_id, ref.mbid)]
    # A later request by any of the ids learned since lands on the same partition.
    assert register(app_env, instance, spotify_id=ref.spotify_id) == key
    assert register(app_env, instance, tm_attraction_id=ref.tm_attraction_id) == key
    # So does a request by the artist's name alone.
    assert register(app_env, instance, name=ref.name) == key
    # A partition that does not know the name (registered before names were recorded) gets a
    # request by name a partition of its own; its sync neither creates a second artists row nor
    # steals the first one: it fails saying where the artist is.
    with psycopg.connect(app_env, autocommit=True) as conn:
        conn.execute("UPDATE pipelines.artist_keys SET name_key = NULL")
    other = register(app_env, instance, name=ref.name)
    assert other != key
    result = run_job(definitions, instance, "catalog_only", other, raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert f"already imported as partition {key!r}" in str(failure.event_specific_data.error)
    with psycopg.connect(app_env) as conn:
        assert conn.execute("SELECT count(*) FROM artists").fetchone() == (1,)


def test_a_batch_run_syncs_each_artist_and_names_the_one_that_failed(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    """Several artists in one run (a partition range, as fleet refreshes batch them)."""
    names = [artist_sandbox.server.artist(k).name for k in ("paper-satellites", "neon-harbor")]
    keys = [register(app_env, instance, name=n) for n in names]
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[1]}
    result = definitions.resolve_job_def("catalog_only").execute_in_process(instance=instance, tags=tags)
    assert result.success
    meta = step_metadata(result, "artist_catalog")
    assert meta["artists"] == 2
    with psycopg.connect(app_env) as conn:
        for name, key in zip(names, keys, strict=True):
            ref = next(r for r in artist_sandbox.server.artists() if r.name == name)
            want = expected(artist_sandbox.server.dataset, ref.key, artist_sandbox.today)
            assert counts(conn, _artist_id(conn, name))["spotify_songs"] == want.catalog_songs, key

    bad = register(app_env, instance, name="Nobody Anyone Has Heard Of")
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": bad}
    failed = definitions.resolve_job_def("catalog_only").execute_in_process(
        instance=instance, tags=tags, raise_on_error=False
    )
    # The unknown artist fails alone, at every step, and the others sync: the run succeeds and
    # each step's metadata names the artist that failed.
    assert failed.success
    for step in ("artist_profile", "artist_catalog"):
        assert list(step_metadata(failed, step)["failed"]) == [bad]
    assert "no service knows the artist" in step_metadata(failed, "artist_profile")["failed"][bad]
    assert "profile step must succeed first" in step_metadata(failed, "artist_catalog")["failed"][bad]
    # Every artist of the batch failing is the step failing (so Dagster's retry can run it again).
    alone = register(app_env, instance, name="Nobody Else Either")
    tags = {"dagster/asset_partition_range_start": bad, "dagster/asset_partition_range_end": alone}
    both_bad = definitions.resolve_job_def("catalog_only").execute_in_process(
        instance=instance, tags=tags, raise_on_error=False
    )
    assert not both_bad.success
    (failure,) = [e for e in both_bad.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert failure.step_key == "artist_profile"
    assert "artist_profile failed for 2 of 2 artists" in str(failure.event_specific_data.error)


def test_any_exception_of_one_artist_in_a_batch_fails_that_artist_alone(
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> None:
    """Errors outside the provider/identity family: a psycopg DataError (a value out of range) and
    another database error class, raised by the real Postgres for one artist's catalog writes."""
    picks = ("paper-satellites", "neon-harbor", "velvet-static")
    names = [artist_sandbox.server.artist(k).name for k in picks]
    keys = [register(app_env, instance, name=n) for n in names]
    with psycopg.connect(app_env, autocommit=True) as conn:
        conn.execute(
            """
            CREATE FUNCTION test_bad_rows() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE who text := (SELECT name FROM artists WHERE id = NEW.artist_id);
            BEGIN
                IF who = %(a)s THEN RAISE EXCEPTION 'integer out of range' USING ERRCODE = '22003'; END IF;
                IF who = %(b)s THEN RAISE EXCEPTION 'unexpected row' USING ERRCODE = 'XX000'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_bad_rows BEFORE INSERT ON artist_songs
                FOR EACH ROW EXECUTE FUNCTION test_bad_rows();
            """.replace("%(a)s", "'" + names[0] + "'").replace("%(b)s", "'" + names[1] + "'")
        )
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    result = definitions.resolve_job_def("catalog_only").execute_in_process(
        instance=instance, tags=tags, raise_on_error=False
    )
    assert result.success
    failed = step_metadata(result, "artist_catalog")["failed"]
    assert set(failed) == {keys[0], keys[1]}
    assert failed[keys[0]].startswith("NumericValueOutOfRange: integer out of range")
    assert failed[keys[1]].startswith("InternalError_: unexpected row")
    with psycopg.connect(app_env) as conn:
        ref = artist_sandbox.server.artist(picks[2])
        want = expected(artist_sandbox.server.dataset, ref.key, artist_sandbox.today)
        assert counts(conn, _artist_id(conn, names[2]))["spotify_songs"] == want.catalog_songs
        for name in names[:2]:  # their transactions rolled back whole: no song of theirs stayed
            assert counts(conn, _artist_id(conn, name))["artist_songs"] == 0


@pytest.mark.parametrize(
    ("provider", "failed_step"), [("spotify", "artist_catalog"), ("ticketmaster", "artist_shows")]
)
def test_a_provider_down_fails_only_its_step_and_the_next_run_converges(
    provider: str,
    failed_step: str,
    app_env: str,
    artist_sandbox: Sandbox,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every step needs only the profile: with one provider down its step fails and the others land;
    the next run fills the gap without duplicates (the catalog adopts the songs setlist.fm created,
    the shows sync adopts the shows and venues setlist.fm created)."""
    from mysetlist_pipelines.lib.settings import get_settings

    monkeypatch.setenv("MYSETLIST_HTTP_MAX_RETRIES", "1")
    monkeypatch.setenv("MYSETLIST_HTTP_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("MYSETLIST_BREAKER_FAILURE_THRESHOLD", "1000")  # no open breaker to wait out
    get_settings.cache_clear()
    ref = artist_sandbox.server.artist("velvet-static")
    want = expected(artist_sandbox.server.dataset, "velvet-static", artist_sandbox.today)
    key = register(app_env, instance, name=ref.name)
    assert run_job(
        definitions, instance, "catalog_only" if provider == "ticketmaster" else "shows_only", key
    ).success
    with psycopg.connect(app_env, autocommit=True) as conn:  # start over, keeping only who the artist is
        conn.execute("TRUNCATE venues, shows, show_artists, songs, artist_songs, setlists, setlist_songs")
        conn.execute("TRUNCATE pipelines.spotify_releases")

    endpoint = "spotify:album" if provider == "spotify" else "ticketmaster:events"
    artist_sandbox.server.add_fault(provider, "503", count=-1, endpoint=endpoint)
    first = run_job(definitions, instance, "full_sync", key, raise_on_error=False)
    assert not first.success
    failed = {e.step_key for e in first.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE}
    assert failed == {failed_step}
    landed = {e.asset_key.path[-1] for e in first.get_asset_materialization_events()}
    assert landed == {
        "artist_profile",
        "artist_catalog",
        "artist_shows",
        "artist_setlists",
        "predicted_setlists",
    } - {failed_step}

    artist_sandbox.server.reset()
    second = run_job(definitions, instance, "full_sync", key)
    assert second.success and all(check_results(second).values())
    details = step_metadata(second, failed_step)["details"]
    if provider == "ticketmaster":  # the recent past shows setlist.fm had created were adopted
        assert details["adopted_setlistfm_shows"] == 2  # type: ignore[index]
    else:  # songs created from setlists got their Spotify data in place, no new rows for them
        assert details["writes"]["songs"]["updated"] >= 1  # type: ignore[index]
    with psycopg.connect(app_env) as conn:
        got = counts(conn, _artist_id(conn, ref.name))
        assert (
            got["artist_songs"],
            got["spotify_songs"],
            got["shows"],
            got["setlists"],
            got["setlist_songs"],
        ) == (
            want.artist_songs,
            want.catalog_songs,
            want.shows,
            want.setlists,
            want.setlist_songs,
        )
        assert table_counts(conn)["venues"] == want.venues
