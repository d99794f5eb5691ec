"""The fleet-scale writers (issue 15) write what the per-artist writers write: the setlist.fm feed's
many-artist setlist writer against `store_setlists` called artist after artist, and the market
sweep's one-pass show adoption against `adopt_shows` per artist, each on its own real database with
the same world served by the sandbox over HTTP, compared row by row (by natural keys: ids are random)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import psycopg
import pytest
from psycopg import sql

from benchmarks.freshness import providers_for, seed
from mysetlist_pipelines.lib.db import shows as show_store
from mysetlist_pipelines.lib.db.urls import with_database
from mysetlist_pipelines.lib.fleet.signals import SignalSettings, tm_sweep
from mysetlist_pipelines.lib.providers.setlistfm import rows as setlistfm_rows
from mysetlist_pipelines.lib.rules.setlist_records import Setlist, SetlistSet, SetlistSong
from mysetlist_pipelines.lib.sync import StepReport
from mysetlist_pipelines.lib.sync.artist_setlists import store_setlists, store_setlists_many
from mysetlist_sandbox.server import SandboxServer
from mysetlist_sandbox.world import World, WorldConfig
from mysetlist_sandbox.world.model import DAY
from mysetlist_sandbox.world.routes import NOW_MINUTE

COUNTRIES = SignalSettings().countries


@pytest.fixture
def twin_db(pg_server: str, template_db: str) -> Iterator[str]:
    """A second fresh migrated database, for the per-artist writer's side of a comparison."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_db)
            )
        )
    yield with_database(pg_server, name)
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


_DUMP = {
    "shows": "SELECT s.slug, s.name, s.date, s.status::text, s.tm_event_id, s.setlistfm_id, s.setlist_ready, "
    "a.slug, v.slug FROM shows s JOIN artists a ON a.id = s.headliner_artist_id LEFT JOIN venues v ON v.id = s.venue_id",
    "venues": "SELECT slug, name, city, country, tm_venue_id, timezone, latitude, longitude FROM venues",
    "show_artists": "SELECT s.slug, a.slug, x.order_index, x.is_headliner FROM show_artists x "
    "JOIN shows s ON s.id = x.show_id JOIN artists a ON a.id = x.artist_id",
    "setlists": "SELECT a.slug, s.slug, l.type::text, l.external_id, l.name, l.imported_from, "
    "l.imported_at IS NOT NULL FROM setlists l JOIN artists a ON a.id = l.artist_id JOIN shows s ON s.id = l.show_id",
    "setlist_songs": "SELECT l.external_id, ss.position, so.name, so.artist, ss.notes, ss.is_played "
    "FROM setlist_songs ss JOIN setlists l ON l.id = ss.setlist_id JOIN songs so ON so.id = ss.song_id",
    "songs": "SELECT name, artist, spotify_id FROM songs",
    "artist_songs": "SELECT a.slug, so.name, so.artist, x.is_primary_artist FROM artist_songs x "
    "JOIN artists a ON a.id = x.artist_id JOIN songs so ON so.id = x.song_id",
    "artists": "SELECT slug, total_setlists, total_songs, total_shows, upcoming_shows, "
    "last_synced_at IS NOT NULL, shows_synced_at IS NOT NULL FROM artists",
    "sync_state": "SELECT a.slug, s.setlists_synced_at IS NOT NULL, s.shows_synced_at IS NOT NULL "
    "FROM pipelines.artist_sync_state s JOIN artists a ON a.id = s.artist_id",
}


def _dump(conn: psycopg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(conn.execute(q).fetchall(), key=repr) for table, q in _DUMP.items()}


def _feed(world: World, served: SandboxServer, conn: psycopg.Connection, app_db: str, t: int) -> list[Any]:
    """(artist id, name, setlists) of every setlist the feed lists since day 0, as fm_feed groups them."""
    clients = providers_for(served, app_db)
    known = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT mbid, id::text, name FROM artists")}
    found: dict[str, dict[str, Setlist]] = {}
    page = 1
    while True:
        items, total = clients.setlistfm.updated_setlists(world.at(NOW_MINUTE), page=page)
        for item in items:
            if item.artist.mbid in known:
                found.setdefault(item.artist.mbid, {})[item.id] = setlistfm_rows.setlist_row(item)
        if not items or page * 20 >= total:
            break
        page += 1
    clients.close()
    return [
        (*known[mbid], sorted(by_id.values(), key=lambda s: s.event_date, reverse=True))
        for mbid, by_id in found.items()
    ]


def _shared(conn: psycopg.Connection, artist_ids: list[str]) -> set[str]:
    """Artists of the batch billed on a stored show together with another artist of the batch."""
    rows = conn.execute(
        "WITH b AS (SELECT headliner_artist_id AS a, id AS s FROM shows UNION "
        "SELECT artist_id, show_id FROM show_artists) "
        "SELECT DISTINCT b.a::text FROM b JOIN b o ON o.s = b.s AND o.a <> b.a "
        "WHERE b.a = ANY(%(ids)s::uuid[]) AND o.a = ANY(%(ids)s::uuid[])",
        {"ids": artist_ids},
    ).fetchall()
    return {r[0] for r in rows}


def test_feed_writer_for_many_artists_writes_the_per_artist_writers_rows(app_db: str, twin_db: str) -> None:
    world = World(WorldConfig(250, seed=5, days=4))
    t = 3 * DAY + NOW_MINUTE
    today = world.at(t).date()
    with (
        SandboxServer(world=world, today=world.config.start.isoformat()) as served,
        psycopg.connect(app_db, autocommit=True) as bulk,
        psycopg.connect(twin_db, autocommit=True) as one,
    ):
        for conn, url in ((bulk, app_db), (one, twin_db)):
            seed(conn, world, world.at(NOW_MINUTE), SignalSettings())
            clients = providers_for(served, url)
            tm_sweep.sweep(conn, clients, today=world.config.start, countries=COUNTRIES, budget=10**6)
            clients.close()
        served.configure(today=world.day_of(3).isoformat())
        items = _feed(world, served, bulk, app_db, t)
        assert len(items) > 20
        # One artist covers a song (its lookup reads other artists' songs): written on its own, after.
        artist_id, name, setlists = items[3]
        first = setlists[0]
        cover = SetlistSong("Heroes", cover_name="David Bowie", cover_mbid=None)
        sets = (
            (SetlistSet((*first.sets[0].songs, cover)), *first.sets[1:])
            if first.sets
            else (SetlistSet((cover,)),)
        )
        items[3] = (artist_id, name, [replace(first, sets=sets), *setlists[1:]])
        # Support acts of a batch artist's show, with setlists of their own: billed together.
        ids = [a for a, _, _ in items]
        billed = bulk.execute(
            "SELECT x.artist_id::text FROM show_artists x JOIN shows s ON s.id = x.show_id "
            "WHERE s.headliner_artist_id = ANY(%s::uuid[]) AND x.artist_id <> s.headliner_artist_id "
            "AND NOT x.artist_id = ANY(%s::uuid[]) LIMIT 2",
            (ids, ids),
        ).fetchall()
        names = dict(bulk.execute("SELECT id::text, name FROM artists").fetchall())
        for (support,) in billed:
            items.append((support, names[support], [replace(items[0][2][0], id=f"support-{support[:8]}")]))
        ids = [a for a, _, _ in items]
        shared = _shared(bulk, ids)
        assert shared, "the batch holds artists billed on one show"

        written = store_setlists_many(bulk, items, today)
        assert written == ids

        # The per-artist writer, artist after artist: the independent ones first, then the others.
        later = [item for item in items if item[0] in shared or item[0] == artist_id]
        for aid, n, s in [item for item in items if item not in later] + later:
            store_setlists(one, StepReport(aid), aid, n, s, today)
        got, want = _dump(bulk), _dump(one)
        assert got["setlists"], "setlists were written"
        for table in _DUMP:
            assert got[table] == want[table], table


def test_adopting_many_artists_shows_at_once_adopts_what_one_at_a_time_does(
    app_db: str, twin_db: str
) -> None:
    """Shows setlist.fm created (no Ticketmaster id) take the ids of the events now listed: each
    artist its own, oldest first, a show another artist adopted just before no longer free."""
    on = date(2026, 12, 20)
    dumps = []
    for url, many in ((app_db, True), (twin_db, False)):
        with psycopg.connect(url, autocommit=True) as conn:
            a, b = (str(uuid.UUID(int=k)) for k in (1, 2))
            conn.execute("INSERT INTO artists (id, name, slug) VALUES (%s, 'A', 'a'), (%s, 'B', 'b')", (a, b))
            venue = conn.execute(
                "INSERT INTO venues (name, slug, city, country, timezone) "
                "VALUES ('Hall', 'hall', 'Oslo', 'NO', 'Europe/Oslo') RETURNING id::text"
            ).fetchone()[0]  # type: ignore[index]
            shows = {}
            for key, headliner in (("co", a), ("a2", a), ("b1", b)):
                shows[key] = conn.execute(
                    "INSERT INTO shows (headliner_artist_id, venue_id, name, slug, date) "
                    "VALUES (%s, %s, %s, %s, %s) RETURNING id::text",
                    (headliner, venue, key, key, on),
                ).fetchone()[0]  # type: ignore[index]
            conn.execute(
                "INSERT INTO show_artists (show_id, artist_id, order_index) VALUES (%s, %s, 1)",
                (shows["co"], b),
            )
            events = {
                a: [("E-A1", venue, on), ("E-A2", venue, on)],
                b: [("E-B1", venue, on), ("E-B2", venue, on)],
            }
            with conn.transaction():
                if many:
                    show_store.adopt_shows_many(conn, events)
                else:
                    for artist, wanted in events.items():
                        show_store.adopt_shows(conn, artist, wanted)
            dumps.append(sorted(conn.execute("SELECT slug, tm_event_id FROM shows").fetchall()))
    assert dumps[0] == dumps[1]
    assert dumps[0] == [("a2", "E-A2"), ("b1", "E-B1"), ("co", "E-A1")]
