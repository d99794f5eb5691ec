"""Who an artist is on each service: the provider calls of the profile step, strongest evidence
first (external-apis.md), and only the ones still needed:
- name unknown: Spotify artist by id, else setlist.fm artist by MBID (1 call), to have a name to search;
- Ticketmaster: the attraction by id, else an attraction search by name (exact match only) (1 call);
- Spotify: the id from the attraction's externalLinks (or known) -> `GET /artists/{id}` for the
  images and genres; else an artist search (exact match only; the hit carries everything) (1 call);
- setlist.fm: the MBID from the links (or known) costs nothing; else an artist search (1 call).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..matching import Candidate, MatchDecision, decide_from_links, linked_ids, match_by_name, not_searched
from ..providers import Providers
from ..spotify import Artist as SpotifyArtist
from ..ticketmaster.models import Attraction

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
        by_name = match_by_name("setlistfm", found.name, candidates, hints=genres(found))
        if decision is not None:
            by_name = replace(by_name, reason=f"{decision.reason}; searched by name: {by_name.reason}")
        decision = by_name
        found.setlistfm_url = next((a.url for a in results if a.mbid == decision.external_id), None)
    found.decisions["setlistfm"] = decision or not_searched("setlistfm", "no id and no name to search by")
    return found


def genres(found: Resolution) -> list[str]:
    if found.spotify and found.spotify.genres:
        return list(found.spotify.genres)
    genres: list[str] = []
    for c in found.attraction.classifications if found.attraction else ():
        for named in (c.genre, c.sub_genre):
            if named and named.name and named.name.strip().lower() not in _JUNK_GENRES:
                genres.append(named.name)
    return list(dict.fromkeys(genres))
