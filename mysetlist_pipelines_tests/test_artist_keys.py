from __future__ import annotations

import psycopg
import pytest

from mysetlist_pipelines.lib.artist_keys import ArtistRequest, UnknownArtistKey, link, lookup, register


def _artist(db: psycopg.Connection, name: str, slug: str, **ids: str) -> str:
    cols = ", ".join(["name", "slug", *ids])
    marks = ", ".join(["%s"] * (2 + len(ids)))
    row = db.execute(
        f"INSERT INTO artists ({cols}) VALUES ({marks}) RETURNING id::text", (name, slug, *ids.values())
    ).fetchone()
    assert row is not None
    return row[0]


def test_keys_are_readable_and_unique(db: psycopg.Connection) -> None:
    keys = register(
        db,
        [
            ArtistRequest(name="Sigur Rós", spotify_id="sp1"),
            ArtistRequest(name="Sigur Ros", spotify_id="sp2"),  # another artist, same slug
            ArtistRequest(tm_attraction_id="K8vZ917"),
            ArtistRequest(mbid="a74b1b7f-71a5-4011-9441-d0b5e4122711"),
        ],
    )
    assert keys == ["sigur-ros", "sigur-ros-2", "tm-k8vz917", "mbid-a74b1b7f-71a5-4011-9441-d0b5e4122711"]


def test_same_artist_by_any_id_gets_the_same_key_forever(db: psycopg.Connection) -> None:
    (key,) = register(db, [ArtistRequest(spotify_id="sp1", name="Radiohead")])
    artist_id = _artist(db, "Radiohead", "radiohead", spotify_id="sp1")
    link(db, key, artist_id, tm_attraction_id="K1", mbid="m1", spotify_id=None)
    again = register(
        db,
        [
            ArtistRequest(artist_id=artist_id),
            ArtistRequest(tm_attraction_id="K1"),
            ArtistRequest(mbid="m1", name="Radiohead (renamed)"),
            ArtistRequest(spotify_id="sp1"),
        ],
    )
    assert again == [key] * 4
    identity = lookup(db, key)
    assert (identity.artist_id, identity.spotify_id, identity.tm_attraction_id, identity.mbid) == (
        artist_id,
        "sp1",
        "K1",
        "m1",
    )
    assert identity.name == "Radiohead"


def test_existing_artists_row_is_used_for_unregistered_app_artist(db: psycopg.Connection) -> None:
    artist_id = _artist(db, "Björk", "bjork", spotify_id="spB")
    (key,) = register(db, [ArtistRequest(artist_id=artist_id)])
    assert key == "bjork"
    assert lookup(db, key).spotify_id == "spB"
    assert register(db, [ArtistRequest(spotify_id="spB")]) == ["bjork"]


def test_known_ids_are_never_overwritten_or_stolen(db: psycopg.Connection) -> None:
    a, b = register(
        db, [ArtistRequest(name="A", spotify_id="spA"), ArtistRequest(name="B", spotify_id="spB")]
    )
    link(db, a, _artist(db, "A", "a"), spotify_id="spB", mbid=None)
    assert lookup(db, a).spotify_id == "spA"
    assert lookup(db, b).spotify_id == "spB"


def test_a_second_request_by_name_lands_on_the_same_key(db: psycopg.Connection) -> None:
    (key,) = register(db, [ArtistRequest(spotify_id="sp1")])
    link(db, key, _artist(db, "Sigur Rós", "sigur-ros", spotify_id="sp1"), name="Sigur Rós")
    assert register(db, [ArtistRequest(name="sigur ros")]) == [key]
    # Same name but another Spotify id: another artist, another key.
    assert register(db, [ArtistRequest(name="Sigur Rós", spotify_id="sp2")]) == ["sigur-ros"]


def test_an_ambiguous_name_is_refused(db: psycopg.Connection) -> None:
    register(db, [ArtistRequest(name="Echo", spotify_id="e1"), ArtistRequest(name="Echo", spotify_id="e2")])
    with pytest.raises(ValueError, match="2 artists are named 'Echo'"):
        register(db, [ArtistRequest(name="Echo")])


def test_the_apps_id_for_an_artist_not_created_yet_is_kept(db: psycopg.Connection) -> None:
    wanted = "6f1d2c1e-0000-4000-8000-000000000001"
    (key,) = register(db, [ArtistRequest(artist_id=wanted, name="New Band")])
    identity = lookup(db, key)
    assert (identity.artist_id, identity.requested_artist_id) == (None, wanted)
    # Asked again by the same id only: the same key, not a refusal.
    assert register(db, [ArtistRequest(artist_id=wanted)]) == [key]
    with pytest.raises(ValueError, match="not an artists row yet"):
        register(db, [ArtistRequest(artist_id="6f1d2c1e-0000-4000-8000-000000000002")])


def test_bad_requests_are_refused_clearly(db: psycopg.Connection) -> None:
    with pytest.raises(ValueError, match="needs an artists.id"):
        register(db, [ArtistRequest()])
    with pytest.raises(ValueError, match="not a valid artists.id"):
        register(db, [ArtistRequest(artist_id="not-a-uuid")])
    with pytest.raises(UnknownArtistKey, match="not registered"):
        lookup(db, "nobody")


def test_profile_sync_creates_the_artist_with_the_apps_id(
    db: psycopg.Connection, providers, sandbox_env
) -> None:  # type: ignore[no-untyped-def]
    from mysetlist_pipelines.lib.sync.artist_profile import sync_profile

    ref = sandbox_env.artist("neon-harbor")
    wanted = "6f1d2c1e-0000-4000-8000-0000000000aa"
    (key,) = register(db, [ArtistRequest(artist_id=wanted, spotify_id=ref.spotify_id)])
    report = sync_profile(db, providers, key)
    assert report.artist_id == wanted
    assert lookup(db, key).artist_id == wanted
    assert db.execute("SELECT count(*) FROM artists WHERE id = %s", (wanted,)).fetchone() == (1,)
