"""`artist_profile`: who the artist is on each service (identity.py), and its `artists` row.

A first import costs 2-4 calls, and none when the profile was synced within `max_age` (the
`update` job stays within its budget), unless a service could not answer last time.

A provider that is down or out of budget does not stop the identity from settling from the others
(identity.py): the row is saved with what answered, the decision says `unavailable`, the steps that
need the missing provider fail saying when it comes back, and the next profile sync asks it again.
Only when nothing answered (and no artists row exists yet) does the step fail, transiently.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg

from .. import artist_keys
from ..db import artist_state
from ..db import artists as store
from ..db.bulk import lock
from ..providers.clients import Providers
from ..rules.match_decisions import MatchDecision
from . import AlreadyImported, ArtistNotFound, StepReport
from .identity import Resolution, genres, resolve

DEFAULT_MAX_AGE = timedelta(days=7)


def sync_profile(
    conn: psycopg.Connection,
    providers: Providers,
    partition_key: str,
    *,
    force: bool = False,
    max_age: timedelta = DEFAULT_MAX_AGE,
    full_sync: bool = False,
) -> StepReport:
    before = providers.calls()
    identity = artist_keys.lookup(conn, partition_key)
    ids = {c: getattr(identity, c) for c in store.ID_COLUMNS}
    stored = store.find(conn, identity.artist_id, **ids)
    if stored and not force and stored.profile_synced_at and not _has_gaps(conn, stored.id):
        age = datetime.now(UTC) - stored.profile_synced_at
        if age < max_age:
            artist_keys.link(
                conn,
                partition_key,
                stored.id,
                name=stored.name,
                **{c: getattr(stored, c) for c in store.ID_COLUMNS},
            )
            return StepReport(
                stored.id,
                f"{stored.name}: identity known and synced {_ago(age)} ago; no provider call",
                details={"artist": stored.name, "fresh": True},
            )
    known = {c: (getattr(stored, c) if stored else None) or ids[c] for c in store.ID_COLUMNS}
    name = (stored.name if stored else None) or identity.name
    # Ids the request brought that no artists row holds yet: one its provider denies is a bad request.
    requested = [c for c in store.ID_COLUMNS if ids[c] and not (stored and getattr(stored, c))]
    found = resolve(providers, name, **known, requested=requested)
    if found.unavailable and (stored is None and not found.answered()):
        # Nothing to settle the identity from until a provider answers again (and no row is ever
        # named after an id): a transient failure of the step, retried within the job's budget.
        raise next(iter(found.unavailable.values()))
    if not any(found.id(s) for s in store.SERVICE_COLUMN):
        reasons = "; ".join(f"{s}: {d.reason}" for s, d in found.decisions.items())
        raise ArtistNotFound(f"no service knows the artist {found.name or partition_key!r} ({reasons})")

    with conn.transaction():
        lock(conn, f"artist-key:{partition_key}")
        resolved = {store.SERVICE_COLUMN[s]: found.id(s) for s in store.SERVICE_COLUMN}
        stored = store.find(conn, identity.artist_id, **known) or store.find(conn, None, **resolved) or stored
        artist_id = stored.id if stored else None
        if artist_id and identity.artist_id is None:
            _refuse_second_key(conn, partition_key, artist_id)
        decisions = _drop_taken(conn, artist_id, found)
        profile = _profile(found, decisions, fallback_name=name or partition_key)
        artist_id, counts = store.save(conn, artist_id, profile, new_id=identity.requested_artist_id)
        artist_state.record_decisions(conn, artist_id, list(decisions.values()))
        artist_state.mark_synced(conn, artist_id, "profile", full_sync=full_sync)
        artist_keys.link(
            conn,
            partition_key,
            artist_id,
            name=profile.name,
            **{c: getattr(profile, c) for c in store.ID_COLUMNS},
        )
    report = StepReport(artist_id, calls=providers.calls_since(before))
    report.writes["artists"] = counts
    report.details["artist"] = profile.name
    report.details["matches"] = {
        s: f"{d.status} ({d.method}): {d.external_id or '-'} - {d.reason}" for s, d in decisions.items()
    }
    unmatched = [s for s, d in decisions.items() if not d.matched]
    report.skipped.update({f"{s} not matched": 1 for s in unmatched})
    report.message = f"{profile.name}: " + ", ".join(f"{s} {d.status}" for s, d in sorted(decisions.items()))
    if found.unavailable:
        # The identity settled without them; the steps that need them fail saying so (catalog.py).
        report.details["unavailable"] = {s: str(e) for s, e in found.unavailable.items()}
        report.message += "; settled without " + ", ".join(
            f"{s} ({e})" for s, e in sorted(found.unavailable.items())
        )
    return report


def _has_gaps(conn: psycopg.Connection, artist_id: str) -> bool:
    """A service could not answer when the identity was last settled: not fresh, ask again."""
    return any(d["status"] == "unavailable" for d in artist_state.decisions(conn, artist_id).values())


def _refuse_second_key(conn: psycopg.Connection, partition_key: str, artist_id: str) -> None:
    """A request that named the artist differently (by name, after an import by id) got a partition
    of its own; the artist's row stays with the partition that imported it, and this one says where."""
    row = conn.execute(
        "SELECT partition_key FROM pipelines.artist_keys WHERE artist_id = %s AND partition_key <> %s",
        (artist_id, partition_key),
    ).fetchone()
    if row:
        raise AlreadyImported(
            f"this artist is already imported as partition {row[0]!r} (artists.id {artist_id}); "
            f"sync that partition instead of {partition_key!r}"
        )


def _drop_taken(
    conn: psycopg.Connection, artist_id: str | None, found: Resolution
) -> dict[str, MatchDecision]:
    """An id that another artists row already holds stays there; the decision says so."""
    decisions = dict(found.decisions)
    wanted = {store.SERVICE_COLUMN[s]: d.external_id for s, d in decisions.items()}
    taken = store.free_ids(conn, artist_id, wanted)
    for service, column in store.SERVICE_COLUMN.items():
        if column in taken and service in decisions:
            d = decisions[service]
            decisions[service] = replace(
                d,
                external_id=None,
                status="conflict",
                reason=f"{d.reason}; but artist {taken[column]} already holds {column} {d.external_id}",
            )
    return decisions


def _profile(
    found: Resolution, decisions: dict[str, MatchDecision], fallback_name: str
) -> store.ArtistProfile:
    sp, attraction = found.spotify, found.attraction
    ids = {store.SERVICE_COLUMN[s]: d.external_id for s, d in decisions.items()}
    images = [i.url for i in sp.images] if sp and sp.images else []
    if not images and attraction and attraction.images:
        images = [i.url for i in sorted(attraction.images, key=lambda i: -(i.width or 0))]
    urls = {}
    if sp and sp.external_urls.spotify:
        urls["spotify"] = sp.external_urls.spotify
    if attraction and attraction.url:
        urls["ticketmaster"] = attraction.url
    if ids.get("mbid"):
        urls["musicbrainz"] = f"https://musicbrainz.org/artist/{ids['mbid']}"
    if found.setlistfm_url:
        urls["setlistfm"] = found.setlistfm_url
    return store.ArtistProfile(
        name=(sp.name if sp else None)
        or (attraction.name if attraction else None)
        or found.name
        or fallback_name,
        tm_attraction_id=ids.get("tm_attraction_id"),
        spotify_id=ids.get("spotify_id"),
        mbid=ids.get("mbid"),
        image_url=images[0] if images else None,
        small_image_url=images[-1] if len(images) > 1 else None,
        genres=tuple(genres(found)),
        external_urls=urls,
    )


def _ago(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"
