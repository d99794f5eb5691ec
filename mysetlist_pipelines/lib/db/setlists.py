"""Reads and writes of the setlist syncs: `setlists`, `setlist_songs`, songs created from setlists.

The app's schema gives `setlists` no unique key: an actual setlist is found by (artist_id, type,
external_id = the setlist.fm id), a predicted one by (show_id, artist_id, type). Callers hold the
artist's advisory lock, so two runs of one artist never insert the same setlist twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import psycopg

from ..rules.predictions import History
from ..rules.setlist_songs import ShowCandidate
from .bulk import WriteCounts, insert, merge, upsert
from .shows import ARTIST_SHOW_IDS

SETLIST_COLUMNS = ("show_id", "artist_id", "type", "name", "order_index", "imported_from", "external_id")


@dataclass(frozen=True)
class SetlistRow:
    show_id: str
    artist_id: str
    type: str  # actual | predicted
    external_id: str | None
    name: str = "Main Set"
    imported_from: str = "setlist.fm"


@dataclass(frozen=True)
class PredictedState:
    setlist_id: str
    votes: int
    locked: bool


@dataclass(frozen=True)
class StoredShow:
    id: str
    date: date | None
    venue_name: str | None
    city: str | None
    setlistfm_id: str | None  # the show's column: the first setlist linked to it, whoever played it
    mine: str | None  # this artist's actual setlist on the show (setlist.fm id), if any
    others: bool  # the show's setlistfm_id is another artist's setlist (a co-headlined show)
    ready: bool

    def candidate(self) -> ShowCandidate:
        """The show as the matcher sees it: taken only by a setlist of this artist."""
        taken = self.mine or (None if self.others else self.setlistfm_id)
        return ShowCandidate(self.id, self.date, self.venue_name, self.city, taken)


def artist_shows(conn: psycopg.Connection, artist_id: str) -> list[StoredShow]:
    return artist_shows_many(conn, [artist_id])[artist_id]


def artist_shows_many(conn: psycopg.Connection, artist_ids: Sequence[str]) -> dict[str, list[StoredShow]]:
    """Each artist's shows (headlined or billed), by date then id, in one statement; every artist
    asked about is a key (a list, maybe empty)."""
    out: dict[str, list[StoredShow]] = {a: [] for a in artist_ids}
    if not artist_ids:
        return out
    key = {str(uuid.UUID(a)): a for a in artist_ids}  # rows name artists as Postgres prints uuids
    rows = conn.execute(
        "WITH ids AS (SELECT DISTINCT unnest(%(a)s::uuid[]) AS id), "
        "m AS (SELECT h.headliner_artist_id AS artist_id, h.id AS show_id FROM shows h "
        "       WHERE h.headliner_artist_id IN (SELECT id FROM ids) "
        "      UNION SELECT x.artist_id, x.show_id FROM show_artists x WHERE x.artist_id IN (SELECT id FROM ids)) "
        "SELECT m.artist_id::text, s.id::text, s.date, v.name, v.city, s.setlistfm_id, "
        "(SELECT sl.external_id FROM setlists sl WHERE sl.show_id = s.id AND sl.artist_id = m.artist_id "
        " AND sl.type = 'actual' ORDER BY sl.created_at LIMIT 1), "
        "EXISTS (SELECT 1 FROM setlists o WHERE o.external_id = s.setlistfm_id AND o.artist_id <> m.artist_id "
        " AND o.type = 'actual'), coalesce(s.setlist_ready, false) "
        "FROM m JOIN shows s ON s.id = m.show_id LEFT JOIN venues v ON v.id = s.venue_id "
        "ORDER BY m.artist_id, s.date NULLS LAST, s.id",
        {"a": list(artist_ids)},
    ).fetchall()
    for artist, *show in rows:
        out[key[artist]].append(StoredShow(*show))
    return out


def known_setlist_ids(conn: psycopg.Connection, artist_id: str) -> set[str]:
    """setlist.fm ids already stored for the artist (as a setlist, or on a show of an empty one)."""
    rows = conn.execute(
        "SELECT external_id FROM setlists WHERE artist_id = %(a)s AND type = 'actual' AND external_id IS NOT NULL "
        "UNION SELECT s.setlistfm_id FROM shows s WHERE s.setlistfm_id IS NOT NULL AND "
        f"s.id IN {ARTIST_SHOW_IDS}",
        {"a": artist_id},
    ).fetchall()
    return {r[0] for r in rows}


def own_songs(conn: psycopg.Connection, artist_id: str) -> list[tuple[str, str]]:
    """(id, name) of the artist's songs in catalog order: by release, disc and track; songs created
    from setlists (no release) last."""
    return own_songs_many(conn, [artist_id])[artist_id]


def own_songs_many(conn: psycopg.Connection, artist_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """`own_songs` of many artists in one statement (every artist asked about is a key)."""
    out: dict[str, list[tuple[str, str]]] = {a: [] for a in artist_ids}
    if not artist_ids:
        return out
    key = {str(uuid.UUID(a)): a for a in artist_ids}
    rows = conn.execute(
        "SELECT a.artist_id::text, s.id::text, s.name FROM songs s JOIN artist_songs a ON a.song_id = s.id "
        "WHERE a.artist_id = ANY(%s::uuid[]) ORDER BY a.artist_id, s.release_date NULLS LAST, "
        "s.album_id NULLS LAST, s.disc_number NULLS LAST, s.track_number NULLS LAST, s.name, s.id",
        (list(artist_ids),),
    ).fetchall()
    for artist, song_id, name in rows:
        out[key[artist]].append((song_id, name))
    return out


def songs_by_artist_mbid(conn: psycopg.Connection, mbids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """The catalogs of other artists we know by MBID (where a cover's original may already be)."""
    if not mbids:  # most setlists cover nothing: no statement at all (the writer runs per artist)
        return {}
    rows = conn.execute(
        "SELECT ar.mbid, s.id::text, s.name FROM artists ar JOIN artist_songs a ON a.artist_id = ar.id "
        "JOIN songs s ON s.id = a.song_id WHERE ar.mbid = ANY(%s) ORDER BY s.release_date NULLS LAST, s.id",
        (list(mbids),),
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for mbid, song_id, name in rows:
        found.setdefault(mbid, []).append((song_id, name))
    return found


def loose_songs(conn: psycopg.Connection, artist_names: Sequence[str]) -> list[tuple[str, str, str]]:
    """(id, name, artist) of songs without a Spotify id credited to these artists' names (covers
    created by earlier setlist syncs)."""
    if not artist_names:
        return []
    return conn.execute(
        "SELECT id::text, name, artist FROM songs WHERE spotify_id IS NULL AND lower(artist) = ANY(%s) "
        "ORDER BY created_at, id",
        ([n.lower() for n in artist_names],),
    ).fetchall()


def insert_songs(conn: psycopg.Connection, songs: Sequence[tuple[str, str, str]]) -> WriteCounts:
    """(id, name, artist): songs known only from setlists, without a Spotify id."""
    return insert(conn, "songs", ("id", "name", "artist"), songs)


def link_songs(conn: psycopg.Connection, artist_id: str, song_ids: Sequence[str]) -> WriteCounts:
    return link_songs_many(conn, [(artist_id, s) for s in song_ids])


def link_songs_many(conn: psycopg.Connection, pairs: Sequence[tuple[str, str]]) -> WriteCounts:
    """(artist_id, song_id): each artist's own songs (primary artist)."""
    rows = [(a, s, True) for a, s in pairs]
    counts, _ = upsert(
        conn, "artist_songs", ("artist_id", "song_id", "is_primary_artist"), rows, key=("artist_id", "song_id"),
        update=(), touch=False, ids=False,
    )  # fmt: skip
    return counts


def write_setlists(
    conn: psycopg.Connection, rows: Sequence[SetlistRow], *, match: Sequence[str]
) -> tuple[WriteCounts, dict[tuple[object, ...], str]]:
    """Merge setlists on `match`; `imported_at` is set when a row is first inserted only."""
    values = [(r.show_id, r.artist_id, r.type, r.name, 0, r.imported_from, r.external_id) for r in rows]
    counts, ids = merge(
        conn, "setlists", SETLIST_COLUMNS, values, match=match,
        update=[c for c in ("show_id", "name", "external_id") if c not in match],
    )  # fmt: skip
    if counts.inserted:
        conn.execute(
            "UPDATE setlists SET imported_at = created_at WHERE id = ANY(%s::uuid[]) AND imported_at IS NULL",
            (list(ids.values()),),
        )
    return counts, ids


def write_setlist_songs(
    conn: psycopg.Connection, songs: dict[str, Sequence[tuple[str, str | None]]], *, played: bool | None
) -> WriteCounts:
    """Each setlist's songs as (song_id, notes) in order, at positions 1..n; positions beyond n of a
    setlist that got shorter are deleted (counted as updated)."""
    rows = [
        (setlist_id, song_id, position, notes, played)
        for setlist_id, entries in songs.items()
        for position, (song_id, notes) in enumerate(entries, start=1)
    ]
    counts, _ = upsert(
        conn, "setlist_songs", ("setlist_id", "song_id", "position", "notes", "is_played"), rows,
        key=("setlist_id", "position"),
    )  # fmt: skip
    if songs:
        cur = conn.execute(
            "DELETE FROM setlist_songs ss USING unnest(%s::uuid[], %s::int[]) AS v(id, n) "
            "WHERE ss.setlist_id = v.id AND ss.position > v.n",
            (list(songs), [len(e) for e in songs.values()]),
        )
        counts.updated += cur.rowcount
    return counts


def history(conn: psycopg.Connection, artist_id: str) -> list[History]:
    rows = conn.execute(
        "SELECT sh.date, array_agg(ss.song_id::text ORDER BY ss.position) FROM setlists sl "
        "JOIN shows sh ON sh.id = sl.show_id JOIN setlist_songs ss ON ss.setlist_id = sl.id "
        "WHERE sl.artist_id = %s AND sl.type = 'actual' AND sh.date IS NOT NULL "
        "GROUP BY sl.id, sh.date ORDER BY sh.date",
        (artist_id,),
    ).fetchall()
    return [History(r[0], tuple(r[1])) for r in rows]


def upcoming_show_ids(conn: psycopg.Connection, artist_id: str, today: date) -> list[str]:
    rows = conn.execute(
        "SELECT s.id::text FROM shows s WHERE s.status = 'upcoming' AND (s.date IS NULL OR s.date >= %(t)s) "
        f"AND s.id IN {ARTIST_SHOW_IDS} ORDER BY s.date NULLS LAST, s.id",
        {"a": artist_id, "t": today},
    ).fetchall()
    return [r[0] for r in rows]


def predicted_states(conn: psycopg.Connection, artist_id: str) -> dict[str, PredictedState]:
    """show_id -> the artist's predicted setlist there, with its votes (setlist total and song upvotes)."""
    rows = conn.execute(
        "SELECT sl.show_id::text, sl.id::text, coalesce(sl.total_votes, 0) + coalesce((SELECT sum(upvotes) "
        "FROM setlist_songs ss WHERE ss.setlist_id = sl.id), 0), coalesce(sl.is_locked, false) "
        "FROM setlists sl WHERE sl.artist_id = %s AND sl.type = 'predicted' ORDER BY sl.created_at, sl.id",
        (artist_id,),
    ).fetchall()
    states: dict[str, PredictedState] = {}
    for show_id, setlist_id, votes, locked in rows:
        states.setdefault(show_id, PredictedState(setlist_id, int(votes), bool(locked)))
    return states


def total_setlists(conn: psycopg.Connection, artist_id: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM setlists WHERE artist_id = %s AND type = 'actual'", (artist_id,)
    ).fetchone()
    return int(row[0]) if row else 0
