"""Spotify: new releases by a cheap check on a cadence, profiles every 30 days.

Development Mode has no endpoint that lists many artists' releases (external-apis.md), so each
artist costs one call per check: `artists/{id}/albums?include_groups=album,single&limit=1`, whose
`total` is compared with the releases stored (pipelines.spotify_releases). Only an artist whose
total differs gets the incremental catalog sync (lib/sync/artist_catalog: the album pages + 1 call per new
release); an unchanged one is stamped `song_catalog_synced_at` as the sync would. Due: never checked,
or checked longer ago than the cadence (`active_days` for an artist with an upcoming show or a
release in the last year, `dormant_days` for the others); the longest unchecked go first, so a
budget too small for the fleet stretches everyone's cadence evenly instead of starving some.

Profiles (name, images): `artists/{id}` for artists not looked at in `profile_days`, oldest first,
images updated where they changed, `last_synced_at`'s profile stamp through the sync state.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg

from ...db.artists import mark_synced_many
from ...http import ProviderError
from ...providers.clients import Providers
from ...sync.artist_catalog import sync_catalog
from .state import stamp_artists


@dataclass
class SpotifyReport:
    calls: int = 0
    checked: int = 0
    changed: int = 0
    due_left: int = 0
    profiles: int = 0
    profiles_due_left: int = 0
    error: str | None = None
    synced: list[str] = field(default_factory=list)  # artists.id whose catalog was synced

    def summary(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "synced"}


_DUE_RELEASES = """
SELECT a.id::text, a.spotify_id,
       (SELECT count(*) FROM pipelines.spotify_releases r WHERE r.artist_id = a.id)::int AS stored
  FROM artists a LEFT JOIN pipelines.signal_artists g ON g.artist_id = a.id
 WHERE a.spotify_id IS NOT NULL
   AND (g.releases_checked_at IS NULL OR g.releases_checked_at < %(now)s - CASE WHEN
        EXISTS (SELECT 1 FROM shows s WHERE s.headliner_artist_id = a.id AND s.status = 'upcoming'
                  AND s.date >= %(today)s)
        OR EXISTS (SELECT 1 FROM pipelines.spotify_releases r WHERE r.artist_id = a.id
                     AND r.release_date >= %(year_ago)s)
        THEN %(active)s ELSE %(dormant)s END)
 ORDER BY g.releases_checked_at NULLS FIRST, a.id
 LIMIT %(limit)s
"""

_DUE_PROFILES = """
SELECT a.id::text, a.spotify_id FROM artists a LEFT JOIN pipelines.signal_artists g ON g.artist_id = a.id
 WHERE a.spotify_id IS NOT NULL AND (g.profile_checked_at IS NULL OR g.profile_checked_at < %(cut)s)
 ORDER BY g.profile_checked_at NULLS FIRST, a.id LIMIT %(limit)s
"""


def _spent(providers: Providers) -> Callable[[], int]:
    before = providers.calls()
    return lambda: providers.calls_by_provider(providers.calls_since(before)).get("spotify", 0)


def _count(providers: Providers, spotify_id: str) -> int | ProviderError:
    try:
        return providers.spotify.release_count(spotify_id)
    except ProviderError as exc:
        return exc


def check_releases(
    conn: psycopg.Connection,
    providers: Providers,
    *,
    now: datetime,
    budget: int,
    active_days: int = 7,
    dormant_days: int = 7,
    new_release_calls: int = 3,
    workers: int = 1,
    gate: Callable[[], None] = lambda: None,
) -> SpotifyReport:
    """`budget` Spotify calls at most; a check is started only while a catalog sync after it (about
    `new_release_calls`) would still fit. `workers` checks are in flight at once (each paced by the
    shared pacer as usual; the catalog syncs run one after another on `conn`)."""
    out = SpotifyReport()
    spent = _spent(providers)
    today = now.date()
    due = conn.execute(
        _DUE_RELEASES,
        {
            "now": now,
            "today": today,
            "year_ago": (today - timedelta(days=365)).isoformat(),
            "active": timedelta(days=active_days),
            "dormant": timedelta(days=dormant_days),
            "limit": max(0, budget),
        },
    ).fetchall()
    unchanged: list[str] = []
    checked: list[str] = []
    with ThreadPoolExecutor(max(1, workers)) as pool:
        n = 0
        while n < len(due) and out.error is None:
            # A wave of checks that fits the budget even if every one of them finds a new release.
            room = (budget - spent()) // (1 + new_release_calls)
            wave = due[n : n + max(0, min(room, 5 * max(1, workers)))]
            if not wave:
                break
            gate()
            totals = list(pool.map(lambda row: _count(providers, row[1]), wave))
            for (artist_id, _, stored), total in zip(wave, totals, strict=True):
                if isinstance(total, ProviderError):
                    out.error = str(total)
                    break
                checked.append(artist_id)
                if total == stored:
                    unchanged.append(artist_id)
                    continue
                try:
                    sync_catalog(conn, providers, artist_id)
                    out.changed += 1
                    out.synced.append(artist_id)
                except ProviderError as exc:
                    out.error = str(exc)
                    break
            n += len(wave)
        out.due_left = len(due) - len(checked)
    with conn.transaction():
        stamp_artists(conn, "releases_checked_at", checked, now)
        mark_synced_many(conn, "catalog", unchanged)
    out.checked = len(checked)
    out.calls = spent()
    return out


def refresh_profiles(
    conn: psycopg.Connection,
    providers: Providers,
    *,
    now: datetime,
    budget: int,
    profile_days: int = 30,
    gate: Callable[[], None] = lambda: None,
) -> SpotifyReport:
    out = SpotifyReport()
    spent = _spent(providers)
    due = conn.execute(
        _DUE_PROFILES, {"cut": now - timedelta(days=profile_days), "limit": max(0, budget)}
    ).fetchall()
    done: list[str] = []
    images: list[tuple[str, str | None, str | None]] = []
    for n, (artist_id, spotify_id) in enumerate(due):
        if spent() + 1 > budget:
            out.profiles_due_left = len(due) - n
            break
        if n % 5 == 0:
            gate()
        try:
            artist = providers.spotify.artist(spotify_id)
        except ProviderError as exc:
            out.error = str(exc)
            out.profiles_due_left = len(due) - n
            break
        done.append(artist_id)
        if artist is not None and artist.images:
            urls = [i.url for i in artist.images]
            images.append((artist_id, urls[0], urls[-1] if len(urls) > 1 else None))
    with conn.transaction():
        if images:
            conn.cursor().executemany(
                "UPDATE artists SET image_url = %s, small_image_url = %s, updated_at = now() WHERE id = %s "
                "AND (image_url, small_image_url) IS DISTINCT FROM (%s, %s)",
                [(big, small, aid, big, small) for aid, big, small in images],
            )
        stamp_artists(conn, "profile_checked_at", done, now)
        mark_synced_many(conn, "profile", done)
    out.profiles = len(done)
    out.calls = spent()
    return out
