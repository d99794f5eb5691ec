"""`artist_profile`: who the artist is on each service, and its `artists` row.

Calls, strongest evidence first (external-apis.md), and only the ones still needed:
- name unknown: Spotify artist by id, else setlist.fm artist by MBID (1 call), to have a name to search;
- Ticketmaster: the attraction by id, else an attraction search by name (exact match only) (1 call);
- Spotify: the id from the attraction's externalLinks (or known) -> `GET /artists/{id}` for the
  images and genres; else an artist search (exact match only; the hit carries everything) (1 call);
- setlist.fm: the MBID from the links (or known) costs nothing; else an artist search (1 call).
So a first import costs 2-4 calls, and none when the profile was synced within `max_age` (the
`update` job stays within its budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import psycopg

from .. import artist_keys
from ..db import artists as store
from ..db.bulk import lock
from ..matching import Candidate, MatchDecision, decide_from_links, linked_ids, match_by_name, not_searched
from ..providers import Providers
from ..spotify import Artist as SpotifyArtist
from ..ticketmaster.models import Attraction
from . import AlreadyImported, ArtistNotFound, StepReport

DEFAULT_MAX_AGE = timedelta(days=7)
_JUNK_GENRES = {"undefined", "other", "music", ""}


@dataclass
class Resolution:
    name: str | None
    decisions: dict[str, MatchDecision] = field(default_factory=dict)
    spotify: SpotifyArtist | None = None
    attraction: Attraction | None = None
    setlistfm_url: str | None = None

    def id(self, service: str) -> str | None:
        decision = self.decisions.get(service)
        return decision.external_id if decision else None


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
    if stored and not force and stored.profile_synced_at:
        age = datetime.now(UTC) - stored.profile_synced_at
        if age < max_age:
            artist_keys.link(
                conn, partition_key, stored.id, **{c: getattr(stored, c) for c in store.ID_COLUMNS}
            )
            return StepReport(
                stored.id,
                f"{stored.name}: identity known and synced {_ago(age)} ago; no provider call",
                details={"artist": stored.name, "fresh": True},
            )
    known = {c: (getattr(stored, c) if stored else None) or ids[c] for c in store.ID_COLUMNS}
    name = (stored.name if stored else None) or identity.name
    found = resolve(providers, name, **known)
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
        artist_id, counts = store.save(conn, artist_id, profile)
        store.record_decisions(conn, artist_id, list(decisions.values()))
        store.mark_synced(conn, artist_id, "profile", full_sync=full_sync)
        artist_keys.link(conn, partition_key, artist_id, **{c: getattr(profile, c) for c in store.ID_COLUMNS})
    report = StepReport(artist_id, calls=providers.calls_since(before))
    report.writes["artists"] = counts
    report.details["artist"] = profile.name
    report.details["matches"] = {
        s: f"{d.status} ({d.method}): {d.external_id or '-'} - {d.reason}" for s, d in decisions.items()
    }
    unmatched = [s for s, d in decisions.items() if not d.matched]
    report.skipped.update({f"{s} not matched": 1 for s in unmatched})
    report.message = f"{profile.name}: " + ", ".join(f"{s} {d.status}" for s, d in sorted(decisions.items()))
    return report


def resolve(
    providers: Providers,
    name: str | None,
    *,
    tm_attraction_id: str | None,
    spotify_id: str | None,
    mbid: str | None,
) -> Resolution:
    found = Resolution(name)
    if not name and spotify_id:
        found.spotify = providers.spotify.artist(spotify_id)
        found.name = found.spotify.name if found.spotify else None
    if not found.name and mbid and not tm_attraction_id:
        fm_artist = providers.setlistfm.artist(mbid)
        found.name = fm_artist.name if fm_artist else None
        found.setlistfm_url = fm_artist.url if fm_artist else None

    # 1. Ticketmaster, whose attraction links the other two.
    if tm_attraction_id:
        found.attraction = providers.ticketmaster.attraction(tm_attraction_id)
        found.decisions["ticketmaster"] = MatchDecision(
            "ticketmaster",
            tm_attraction_id,
            "known",
            "matched" if found.attraction else "missing",
            "id given by the request or stored"
            if found.attraction
            else "Ticketmaster does not know this attraction id (kept: a known id is never dropped)",
        )
    elif found.name:
        results = providers.ticketmaster.search_attractions(found.name)
        decision = match_by_name("ticketmaster", found.name, [Candidate(a.id, a.name) for a in results])
        found.decisions["ticketmaster"] = decision
        found.attraction = next((a for a in results if a.id == decision.external_id), None)
    else:
        found.decisions["ticketmaster"] = not_searched("ticketmaster", "no id and no name to search by")
    if found.attraction and not found.name:
        found.name = found.attraction.name
    links = found.attraction.external_links if found.attraction else None
    spotify_links, mbid_links = linked_ids(links)

    # 2. Spotify: the link (or known id), else an exact name match.
    decision = decide_from_links("spotify", spotify_links, spotify_id)
    if decision is not None and decision.matched:
        if found.spotify is None or found.spotify.id != decision.external_id:
            found.spotify = providers.spotify.artist(decision.external_id or "")
        if found.spotify is None:
            decision = replace(
                decision,
                status="missing",
                reason=f"Spotify does not know artist id {decision.external_id}",
                external_id=spotify_id,  # a known id is kept; a link Spotify denies is not taken
            )
    elif found.name:
        results = providers.spotify.search_artists(found.name)
        by_name = match_by_name("spotify", found.name, [Candidate(a.id or "", a.name) for a in results])
        if decision is not None:  # the links were ambiguous: say so along with the search outcome
            by_name = replace(by_name, reason=f"{decision.reason}; searched by name: {by_name.reason}")
        decision = by_name
        found.spotify = next((a for a in results if a.id and a.id == decision.external_id), None)
    else:
        decision = not_searched("spotify", "no id and no name to search by")
    found.decisions["spotify"] = decision

    # 3. setlist.fm: the MBID from the links (or known) costs nothing; else an exact name match.
    decision = decide_from_links("setlistfm", mbid_links, mbid)
    if (decision is None or not decision.matched) and found.name:
        results = providers.setlistfm.search_artists(found.name)
        candidates = [Candidate(a.mbid, a.name, a.disambiguation) for a in results if a.mbid]
        by_name = match_by_name("setlistfm", found.name, candidates, hints=_genres(found))
        if decision is not None:
            by_name = replace(by_name, reason=f"{decision.reason}; searched by name: {by_name.reason}")
        decision = by_name
        found.setlistfm_url = next((a.url for a in results if a.mbid == decision.external_id), None)
    found.decisions["setlistfm"] = decision or not_searched("setlistfm", "no id and no name to search by")
    return found


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
        genres=tuple(_genres(found)),
        external_urls=urls,
    )


def _genres(found: Resolution) -> list[str]:
    if found.spotify and found.spotify.genres:
        return list(found.spotify.genres)
    genres: list[str] = []
    for c in found.attraction.classifications if found.attraction else ():
        for named in (c.genre, c.sub_genre):
            if named and named.name and named.name.strip().lower() not in _JUNK_GENRES:
                genres.append(named.name)
    return list(dict.fromkeys(genres))


def _ago(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"
