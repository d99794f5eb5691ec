"""`artist_catalog`: the artist's studio songs from Spotify (groups album and single).

Calls: ceil(R / 10) album-list pages (R releases), then `GET /albums/{id}` only for releases not
looked at before (or whose track count changed, or all with `force`), plus a track page per 50 tracks
beyond the first 50. Live albums are recognized by name and never fetched. So a refresh with no new
release costs only the album-list pages.

Spotify down, out of budget or behind an open breaker (also when the profile could not link the
artist on Spotify for that reason): the step fails saying when Spotify's budget resets or its
breaker closes, and that a later refresh fills the catalog; the job's other steps still land.
"""

from __future__ import annotations

from collections import Counter

import psycopg

from ..db import artist_state as artist_store
from ..db import songs as store
from ..db.bulk import lock
from ..providers.base import malformed_note
from ..providers.clients import Providers
from ..providers.spotify import rows as spotify_rows
from ..rules.catalog_records import Release, Track
from ..rules.studio_songs import STUDIO_GROUPS, dedupe
from ..rules.version_markers import excluded_kind, is_live_release
from . import StepReport
from .identity import NOT_NOW
from .unavailable import not_now, unlinked


def sync_catalog(
    conn: psycopg.Connection,
    providers: Providers,
    artist_id: str,
    *,
    force: bool = False,
    full_sync: bool = False,
) -> StepReport:
    before = providers.calls()
    row = conn.execute("SELECT name, spotify_id FROM artists WHERE id = %s", (artist_id,)).fetchone()
    if row is None:
        raise LookupError(f"artist {artist_id} does not exist")
    name, spotify_id = row
    if not spotify_id:
        later = "links the artist on Spotify and fills its catalog"
        gap = unlinked(conn, providers, artist_id, name, "spotify", later)
        if gap is not None:
            raise gap
        why = artist_store.decisions(conn, artist_id).get("spotify", {}).get("reason", "no Spotify id")
        return StepReport(artist_id, f"{name}: skipped, no Spotify id known ({why})", applicable=False)
    try:
        return _sync(
            conn, providers, artist_id, name, spotify_id, force=force, full_sync=full_sync, before=before
        )
    except NOT_NOW as exc:
        raise not_now(providers, "spotify", exc.message, "fills the catalog", like=exc) from None


def _sync(
    conn: psycopg.Connection,
    providers: Providers,
    artist_id: str,
    name: str,
    spotify_id: str,
    *,
    force: bool,
    full_sync: bool,
    before: dict[str, int],
) -> StepReport:
    skipped: Counter[str] = Counter()  # malformed releases of a good page are counted here too
    albums = providers.spotify.artist_albums(spotify_id, STUDIO_GROUPS, skipped=skipped)
    listed = list({r.id: r for r in map(spotify_rows.release_row, albums)}.values())
    stored = store.stored_releases(conn, artist_id)
    outcomes: list[store.ReleaseOutcome] = []
    to_fetch: list[Release] = []
    for release in listed:
        known = stored.get(release.id)
        if release.album_type not in STUDIO_GROUPS:
            skipped["compilation release"] += 1
        elif is_live_release(release.name):
            skipped["live release (not fetched)"] += 1
            outcomes.append(store.ReleaseOutcome(release, "live"))
        elif (
            known and not force and known.status == "imported" and known.total_tracks == release.total_tracks
        ):
            skipped["release already synced"] += 1
        else:
            to_fetch.append(release)

    kept: list[Track] = []
    for release in to_fetch:
        album = providers.spotify.album(release.id)
        if album is None:
            skipped["release gone from Spotify"] += 1
            continue
        studio, dropped = [], 0
        for track in spotify_rows.track_rows(album):
            kind = excluded_kind(track.name)
            if track.artist_ids and spotify_id not in track.artist_ids:
                skipped["track by another artist"] += 1
                dropped += 1
            elif kind:
                skipped[f"{kind} track"] += 1
                dropped += 1
            else:
                studio.append(track)
        kept.extend(studio)
        outcomes.append(store.ReleaseOutcome(release, "imported", len(studio), dropped))

    report = StepReport(artist_id, calls=providers.calls_since(before), skipped=skipped)
    with conn.transaction():
        lock(conn, f"artist:{artist_id}")
        songs = dedupe(kept, store.stored_songs(conn, artist_id))
        merged = sum(len(s.merged) for s in songs)
        skipped["duplicate track (merged)"] += merged
        skipped["track already stored"] += len(kept) - len(songs) - merged
        skipped += Counter()  # drops the zero counts
        report.writes.update(store.write_catalog(conn, artist_id, spotify_id, songs, outcomes))
        total_songs, total_albums = store.totals(conn, artist_id)
        if artist_store.set_totals(conn, artist_id, total_songs=total_songs, total_albums=total_albums):
            report.count("artists").updated += 1
        artist_store.mark_synced(conn, artist_id, "catalog", full_sync=full_sync)
    report.details.update(
        {"releases_listed": len(listed), "releases_fetched": len(to_fetch), "total_songs": total_songs,
         "total_albums": total_albums}
    )  # fmt: skip
    report.message = (
        f"{name}: {total_songs} songs from {total_albums} albums; {len(to_fetch)} of {len(listed)} "
        f"releases fetched, {report.count('songs').inserted} songs added" + malformed_note(skipped)
    )
    return report
