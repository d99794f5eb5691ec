"""Bulk writers against a real Postgres: counts, no churn of updated_at, no-unique-key merges, and the
same behaviour on tables the app's own migrations created."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from mysetlist_pipelines.lib.db.bulk import insert, lock, merge, update_by_id
from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.db.setlists import write_setlist_songs
from mysetlist_pipelines.lib.db.slugs import allocate_slugs
from mysetlist_pipelines.lib.db.upsert import upsert

FIXTURES = Path(__file__).parent / "fixtures"
SONG_COLS = ("spotify_id", "name", "artist", "duration_ms", "album_art_url")


@pytest.fixture(params=["migrated", "app_owned"])
def conn(request: pytest.FixtureRequest, empty_db: str) -> Iterator[psycopg.Connection]:
    """A database created by our migrations, or by the app's own (then migrated on top)."""
    with psycopg.connect(empty_db, autocommit=True) as setup:
        if request.param == "app_owned":
            setup.execute((FIXTURES / "app_owned_schema.sql").read_text().encode())
    migrate(empty_db)
    with psycopg.connect(empty_db) as connection:
        yield connection


def _stamps(conn: psycopg.Connection, table: str) -> dict[str, object]:
    key = "spotify_id" if table == "songs" else "id"
    return dict(conn.execute(f"SELECT {key}::text, updated_at FROM {table}").fetchall())


def test_upsert_counts_and_no_churn(conn: psycopg.Connection) -> None:
    rows = [(f"sp{i}", f"Song {i}", "Oasis", 200_000 + i, None) for i in range(500)]
    with conn.transaction():
        counts, ids = upsert(conn, "songs", SONG_COLS, rows, key=("spotify_id",))
    assert counts.as_dict() == {"inserted": 500, "updated": 0, "unchanged": 0}
    assert len(ids) == 500 and ids[("sp7",)]
    before = _stamps(conn, "songs")
    with conn.transaction():
        again, ids_again = upsert(conn, "songs", SONG_COLS, rows, key=("spotify_id",))
    assert again.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 500}
    assert ids_again == ids
    assert _stamps(conn, "songs") == before

    changed = [
        *rows[:3],
        ("sp3", "Song 3 (renamed)", "Oasis", 200_003, None),
        ("sp-new", "New", "Oasis", 1, None),
    ]
    with conn.transaction():
        third, third_ids = upsert(conn, "songs", SONG_COLS, changed, key=("spotify_id",))
    assert third.as_dict() == {"inserted": 1, "updated": 1, "unchanged": 3}
    # Ids of the rows written (from RETURNING) and of the rows left alone (joined back) alike.
    stored = dict(conn.execute("SELECT spotify_id, id::text FROM songs").fetchall())
    assert third_ids == {(k,): stored[k] for k in ("sp0", "sp1", "sp2", "sp3", "sp-new")}
    after = _stamps(conn, "songs")
    assert [k for k in before if after[k] != before[k]] == ["sp3"]


def test_upsert_keep_known_never_overwrites_with_null(conn: psycopg.Connection) -> None:
    with conn.transaction():
        upsert(conn, "songs", SONG_COLS, [("sp1", "A", "X", 1, "http://img")], key=("spotify_id",))
    with conn.transaction():
        counts, _ = upsert(
            conn,
            "songs",
            SONG_COLS,
            [("sp1", "A", "X", 1, None)],
            key=("spotify_id",),
            keep_known=("album_art_url",),
        )
    assert counts.unchanged == 1
    assert conn.execute("SELECT album_art_url FROM songs").fetchone() == ("http://img",)


def test_upsert_do_nothing_and_duplicate_keys_in_one_batch(conn: psycopg.Connection) -> None:
    with conn.transaction():
        counts, _ = upsert(
            conn,
            "songs",
            SONG_COLS,
            [("a", "1", "X", 1, None), ("a", "2", "X", 1, None)],
            key=("spotify_id",),
        )
    assert counts.inserted == 1
    assert conn.execute("SELECT name FROM songs").fetchone() == ("2",)  # the last row for a key wins


def _artist_show(conn: psycopg.Connection, n: int = 1) -> tuple[list[str], str]:
    artists = [
        conn.execute(
            "INSERT INTO artists (name, slug) VALUES (%s, %s) RETURNING id::text", (f"A{i}", f"a{i}")
        ).fetchone()[0]
        for i in range(n)
    ]
    show = conn.execute(
        "INSERT INTO shows (headliner_artist_id, name) VALUES (%s, 'S') RETURNING id::text", (artists[0],)
    ).fetchone()[0]
    return artists, show


def test_merge_without_unique_key(conn: psycopg.Connection) -> None:
    with conn.transaction():
        artists, show = _artist_show(conn, 2)
    cols = ("show_id", "artist_id", "order_index", "is_headliner")
    rows = [(show, artists[0], 0, True), (show, artists[1], 1, False)]
    with conn.transaction():
        lock(conn, "shows")
        first, ids = merge(conn, "show_artists", cols, rows, match=("show_id", "artist_id"), update=cols[2:])
    assert first.as_dict() == {"inserted": 2, "updated": 0, "unchanged": 0}
    before = _stamps(conn, "show_artists")
    with conn.transaction():
        second, ids2 = merge(
            conn, "show_artists", cols, rows, match=("show_id", "artist_id"), update=cols[2:]
        )
    assert second.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 2}
    assert ids2 == ids and _stamps(conn, "show_artists") == before
    with conn.transaction():
        third, _ = merge(
            conn,
            "show_artists",
            cols,
            [(show, artists[1], 1, True)],
            match=("show_id", "artist_id"),
            update=cols[2:],
        )
    assert third.as_dict() == {"inserted": 0, "updated": 1, "unchanged": 0}
    assert conn.execute("SELECT count(*) FROM show_artists").fetchone() == (2,)


def test_update_by_id_and_insert(conn: psycopg.Connection) -> None:
    import uuid

    ids = [str(uuid.uuid4()) for _ in range(3)]
    with conn.transaction():
        assert (
            insert(
                conn, "songs", ("id", "name", "artist"), [(i, f"S{n}", "X") for n, i in enumerate(ids)]
            ).inserted
            == 3
        )
    with conn.transaction():
        counts = update_by_id(
            conn, "songs", ("id", "name", "artist"), [(ids[0], "S0", "X"), (ids[1], "Renamed", "X")]
        )
    assert counts.as_dict() == {"inserted": 0, "updated": 1, "unchanged": 1}


def test_allocate_slugs(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute(
            "INSERT INTO venues (name, slug, city, country, timezone) VALUES ('V', 'wembley', 'L', 'GB', 'UTC')"
        )
        assert allocate_slugs(conn, "venues", ["wembley", "wembley", "o2", "o2-arena"]) == [
            "wembley-2",
            "wembley-3",
            "o2",
            "o2-arena",
        ]


def test_stage_refuses_to_run_outside_a_transaction(empty_db: str) -> None:
    migrate(empty_db)
    with (
        psycopg.connect(empty_db, autocommit=True) as auto,
        pytest.raises(RuntimeError, match="inside a transaction"),
    ):
        upsert(auto, "songs", SONG_COLS, [("a", "1", "X", 1, None)], key=("spotify_id",))


def test_setlist_songs_follow_a_shorter_setlist(conn: psycopg.Connection) -> None:
    import uuid

    with conn.transaction():
        artists, show = _artist_show(conn)
        songs = [str(uuid.uuid4()) for _ in range(4)]
        insert(conn, "songs", ("id", "name", "artist"), [(s, s[:6], "X") for s in songs])
        setlist = conn.execute(
            "INSERT INTO setlists (show_id, artist_id, type) VALUES (%s, %s, 'actual') RETURNING id::text",
            (show, artists[0]),
        ).fetchone()[0]
        first = write_setlist_songs(conn, {setlist: [(s, None) for s in songs]}, played=True)
    assert first.inserted == 4
    with conn.transaction():
        again = write_setlist_songs(conn, {setlist: [(s, None) for s in songs]}, played=True)
    assert again.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 4}
    with conn.transaction():
        shorter = write_setlist_songs(conn, {setlist: [(songs[1], "encore"), (songs[0], None)]}, played=True)
    assert shorter.as_dict() == {"inserted": 0, "updated": 4, "unchanged": 0}  # 2 rewritten, 2 deleted
    rows = conn.execute(
        "SELECT position, song_id::text, notes FROM setlist_songs ORDER BY position"
    ).fetchall()
    assert rows == [(1, songs[1], "encore"), (2, songs[0], None)]
