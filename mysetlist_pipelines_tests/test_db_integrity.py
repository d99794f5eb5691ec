"""lib/db/integrity.py, the queries behind the asset checks, directly on the real database."""

from __future__ import annotations

import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.db import integrity


def _one(conn: psycopg.Connection, query: str, params: tuple = ()) -> str:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return str(row[0])


def test_each_query_finds_only_its_own_broken_rows(db: psycopg.Connection) -> None:
    good = _one(
        db, "INSERT INTO artists (name, slug, spotify_id) VALUES ('Good', 'good', 'sp1') RETURNING id"
    )
    bare = _one(db, "INSERT INTO artists (name, slug) VALUES ('Bare', 'bare') RETURNING id")
    both = [good, bare]
    assert integrity.artists_without_external_id(db, both) == [f"Bare ({bare})"]

    for artist, title in ((good, "Ljósið"), (good, "LJÓSIÐ!"), (bare, "Ljósið"), (good, "Other")):
        song = _one(db, "INSERT INTO songs (name, artist) VALUES (%s, 'x') RETURNING id", (title,))
        db.execute("INSERT INTO artist_songs (artist_id, song_id) VALUES (%s, %s)", (artist, song))
    assert integrity.duplicate_song_titles(db, both) == [f"['Ljósið', 'LJÓSIÐ!'] ({good})"]
    assert integrity.duplicate_song_titles(db, [bare]) == []

    show = _one(
        db, "INSERT INTO shows (headliner_artist_id, name) VALUES (%s, 'No venue') RETURNING id", (good,)
    )
    guest = _one(
        db, "INSERT INTO shows (headliner_artist_id, name) VALUES (%s, 'Guest spot') RETURNING id", (bare,)
    )
    db.execute("INSERT INTO show_artists (show_id, artist_id) VALUES (%s, %s)", (guest, good))
    assert sorted(integrity.shows_without_venue(db, [good])) == [
        f"Guest spot ({guest})",
        f"No venue ({show})",
    ]

    setlist = _one(
        db,
        "INSERT INTO setlists (show_id, artist_id, type) VALUES (%s, %s, 'actual') RETURNING id",
        (show, good),
    )
    song = _one(db, "SELECT id FROM songs WHERE name = 'Other'")
    db.execute(
        "INSERT INTO setlist_songs (setlist_id, song_id, position) VALUES (%s, %s, 1)", (setlist, song)
    )
    assert integrity.dangling_setlist_songs(db, [good]) == []
    fk = _one(
        db,
        "SELECT conname FROM pg_constraint WHERE conrelid = 'setlist_songs'::regclass AND contype = 'f' "
        "AND confrelid = 'songs'::regclass",
    )
    db.execute(f'ALTER TABLE setlist_songs DROP CONSTRAINT "{fk}"')  # the app's schema may lack it
    row = _one(db, "UPDATE setlist_songs SET song_id = gen_random_uuid() RETURNING id")
    assert [line.split(" -> ")[0] for line in integrity.dangling_setlist_songs(db, both)] == [
        f"setlist_song {row}"
    ]


def test_partition_keys_map_to_rows_once_they_have_one(db: psycopg.Connection) -> None:
    linked, waiting = artist_keys.register(
        db,
        [artist_keys.ArtistRequest(spotify_id="sp-linked"), artist_keys.ArtistRequest(spotify_id="sp-new")],
    )
    row = _one(db, "INSERT INTO artists (name, slug, spotify_id) VALUES ('L', 'l', 'sp-linked') RETURNING id")
    artist_keys.link(db, linked, row, spotify_id="sp-linked")
    assert integrity.artist_ids_of(db, [linked, waiting, "never-registered"]) == {linked: row}
