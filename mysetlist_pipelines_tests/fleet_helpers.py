"""Database states for the fleet and schedule tests: artists as the app or the sync leaves them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from mysetlist_pipelines.lib.text import slugify

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def add_artist(
    conn: psycopg.Connection,
    name: str,
    *,
    tm: str | None = "auto",
    spotify: str | None = "auto",
    mbid: str | None = "auto",
    image: str | None = "https://img.example/a.jpg",
    created_ago: timedelta = timedelta(days=200),
    key: str | None = "auto",
    profile_ago: timedelta | None = None,
    catalog_ago: timedelta | None = None,
    shows_ago: timedelta | None = None,
    setlists_ago: timedelta | None = None,
    releases: int = 0,
) -> tuple[str, str | None]:
    """An artists row (ids made up unless given), its partition key (None: the old app's row with no
    key), its sync state (how long ago each part was synced; None: never) and `releases` Spotify
    releases already seen. Returns (artists.id, key)."""
    slug = slugify(name)
    made_up = uuid.uuid5(uuid.NAMESPACE_URL, slug).hex
    tm = f"K8vZ9{made_up[:8]}" if tm == "auto" else tm
    spotify = made_up[:22] if spotify == "auto" else spotify
    mbid = str(uuid.uuid5(uuid.NAMESPACE_DNS, slug)) if mbid == "auto" else mbid
    artist_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO artists (id, name, slug, tm_attraction_id, spotify_id, mbid, image_url, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (artist_id, name, slug, tm, spotify, mbid, image, now() - created_ago),
    )
    key = slug if key == "auto" else key
    if key:
        conn.execute(
            "INSERT INTO pipelines.artist_keys (partition_key, artist_id, name, tm_attraction_id, spotify_id, "
            "mbid) VALUES (%s, %s, %s, %s, %s, %s)",
            (key, artist_id, name, tm, spotify, mbid),
        )
    stamps = [profile_ago, catalog_ago, shows_ago, setlists_ago]
    if any(s is not None for s in stamps):
        conn.execute(
            "INSERT INTO pipelines.artist_sync_state (artist_id, profile_synced_at, catalog_synced_at, "
            "shows_synced_at, setlists_synced_at) VALUES (%s, %s, %s, %s, %s)",
            (artist_id, *[now() - s if s is not None else None for s in stamps]),
        )
    for i in range(releases):
        conn.execute(
            "INSERT INTO pipelines.spotify_releases (artist_id, album_id, name, album_type, status) "
            "VALUES (%s, %s, %s, 'album', 'imported')",
            (artist_id, f"{slug}-album-{i}", f"Album {i}"),
        )
    return artist_id, key


def add_venue(conn: psycopg.Connection, name: str = "The Hall") -> str:
    venue_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO venues (id, name, slug, city, country, timezone) VALUES (%s, %s, %s, 'Berlin', 'DE', "
        "'Europe/Berlin')",
        (venue_id, name, f"{slugify(name)}-{venue_id[:8]}"),
    )
    return venue_id


def add_show(
    conn: psycopg.Connection,
    headliner: str,
    days_from_today: int | None,
    *,
    status: str = "upcoming",
    tm_event_id: str | None = None,
    also: tuple[str, ...] = (),
) -> str:
    """A show of `headliner` (artists.id) `days_from_today` away (None: no date yet), with its bill in
    show_artists (the headliner first, then `also`)."""
    show_id = str(uuid.uuid4())
    when = today() + timedelta(days=days_from_today) if days_from_today is not None else None
    conn.execute(
        "INSERT INTO shows (id, headliner_artist_id, venue_id, name, slug, date, status, tm_event_id) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (show_id, headliner, add_venue(conn), "A show", f"show-{show_id}", when, status, tm_event_id),
    )
    for i, artist in enumerate((headliner, *also)):
        conn.execute(
            "INSERT INTO show_artists (show_id, artist_id, order_index, is_headliner) VALUES (%s, %s, %s, %s)",
            (show_id, artist, i, i == 0),
        )
    return show_id


def add_setlist(
    conn: psycopg.Connection,
    show_id: str,
    artist_id: str,
    kind: str = "predicted",
    upvotes: tuple[int, ...] = (),
) -> str:
    setlist_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO setlists (id, show_id, artist_id, type) VALUES (%s, %s, %s, %s)",
        (setlist_id, show_id, artist_id, kind),
    )
    for position, votes in enumerate(upvotes):
        song_id = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO songs (id, name, artist) VALUES (%s, %s, 'x')", (song_id, f"Song {position}")
        )
        conn.execute(
            "INSERT INTO setlist_songs (setlist_id, song_id, position, upvotes) VALUES (%s, %s, %s, %s)",
            (setlist_id, song_id, position, votes),
        )
    return setlist_id


def cron_rows(conn: psycopg.Connection, job_name: str) -> list[dict[str, Any]]:
    cur = conn.execute("SELECT * FROM cron_logs WHERE job_name = %s ORDER BY created_at", (job_name,))
    return [dict(zip([d.name for d in cur.description or ()], r, strict=True)) for r in cur.fetchall()]


def batch_rows(conn: psycopg.Connection, batch_id: str) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT j.*, t.partition_key FROM sync_jobs j JOIN pipelines.sync_job_targets t ON t.job_id = j.id "
        "WHERE t.batch_id = %s ORDER BY t.partition_key",
        (batch_id,),
    )
    return [dict(zip([d.name for d in cur.description or ()], r, strict=True)) for r in cur.fetchall()]


def use_quota(conn: psycopg.Connection, provider: str, calls: int) -> None:
    """Calls already spent today by other runs (the shared pacing state)."""
    conn.execute("SELECT pipelines.provider_consume(%s, %s)", (provider, calls))


def open_circuit(
    conn: psycopg.Connection, provider: str, reason: str = "5 consecutive failures (503)"
) -> None:
    conn.execute(
        "SELECT pipelines.provider_trip(%s, now() + interval '1 hour', 'failures', %s)", (provider, reason)
    )
