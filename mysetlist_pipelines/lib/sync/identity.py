"""Who an artist is on each service: the provider calls of the profile step, strongest evidence
first (external-apis.md), and only the ones still needed:
- name unknown: Spotify artist by id, else setlist.fm artist by MBID (1 call), to have a name to search;
- Ticketmaster: the attraction by id, else an attraction search by name (exact match only) (1 call);
- Spotify: the id from the attraction's externalLinks (or known) -> `GET /artists/{id}` for the
  images and genres; else an artist search (exact match only; the hit carries everything) (1 call);
- setlist.fm: the MBID from the links (or known) costs nothing; else an artist search (1 call).

A provider that cannot answer now (down past its retries, rate limited or out of budget, breaker
open, not configured) does not stop the others: its decision is `unavailable` (a known id is kept,
nothing is searched), the identity settles from the services that answered, and the next profile
sync asks that provider again (profile.py never treats an identity with a gap as fresh).

An id the request brought (`requested`: not yet on an `artists` row) that its provider says does not
exist (404, or Spotify's 400 "invalid id") is a bad request: `UnknownExternalId`, permanent, naming
the sync_jobs field. An id already stored is kept even when its provider forgot it (attractions get
merged; a known id is never dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import TypeVar

from ..http import ProviderError
from ..http.errors import (
    CircuitOpen,
    ProviderNotConfigured,
    ProviderRequestError,
    ProviderUnavailable,
    RateLimited,
    label,
    until_text,
)
from ..providers.clients import Providers
from ..providers.spotify.models import Artist as SpotifyArtist
from ..providers.ticketmaster.models import Attraction
from ..rules.link_matching import decide_from_links, linked_ids
from ..rules.match_decisions import Candidate, MatchDecision, Method, not_searched
from ..rules.name_matching import match_by_name
from . import ArtistNotFound

_JUNK_GENRES = {"undefined", "other", "music", ""}
# Errors that say "not now" rather than "never": the identity settles without that provider.
NOT_NOW = (ProviderUnavailable, RateLimited, CircuitOpen)
UNAVAILABLE = (*NOT_NOW, ProviderNotConfigured)
# The sync_jobs column each id came from, for errors a person can act on.
REQUEST_FIELD = {"tm_attraction_id": "ticketmaster_id", "spotify_id": "spotify_id", "mbid": "setlistfm_id"}
T = TypeVar("T")


class UnknownExternalId(ArtistNotFound):
    """The request's id does not exist at its provider: the request is wrong, retrying cannot help."""

    def __init__(self, column: str, value: str, provider_says: str) -> None:
        self.field = REQUEST_FIELD[column]
        super().__init__(
            f"{self.field} {value!r}: {provider_says}; no artist was imported. Check the id (or send "
            "another id or metadata.artist_name) and request the sync again"
        )


@dataclass
class Resolution:
    name: str | None
    decisions: dict[str, MatchDecision] = field(default_factory=dict)
    spotify: SpotifyArtist | None = None
    attraction: Attraction | None = None
    setlistfm_url: str | None = None
    # service -> the error that kept it from answering (its decision says `unavailable`)
    unavailable: dict[str, ProviderError] = field(default_factory=dict)

    def id(self, service: str) -> str | None:
        decision = self.decisions.get(service)
        return decision.external_id if decision else None

    def answered(self) -> bool:
        """Some service answered for this artist (by a profile, an attraction or an exact match)."""
        return bool(self.spotify or self.attraction or self.setlistfm_url) or any(
            d.matched and d.method != "known" for d in self.decisions.values()
        )

    def ask(self, service: str, call: Callable[[], T]) -> tuple[bool, T | None]:
        """(answered, answer): a provider that cannot answer now is recorded and not asked again."""
        if service in self.unavailable:
            return False, None
        try:
            return True, call()
        except UNAVAILABLE as exc:
            self.unavailable[service] = exc
            return False, None


def unavailable_decision(
    found: Resolution, service: str, known: str | None, method: Method = "known"
) -> MatchDecision:
    exc = found.unavailable[service]
    when = f" until {until_text(exc.until)}" if exc.until else ""
    return MatchDecision(
        service,  # type: ignore[arg-type]
        known,
        method if known else "none",
        "unavailable",
        f"{label(service)} could not answer{when} ({exc}); "
        + ("the id is kept unverified" if known else "not matched yet")
        + ": the next profile sync asks again",
    )


def resolve(
    providers: Providers,
    name: str | None,
    *,
    tm_attraction_id: str | None,
    spotify_id: str | None,
    mbid: str | None,
    requested: Collection[str] = (),
) -> Resolution:
    """`requested`: the id columns that came from the request, not from a stored artists row."""
    found = Resolution(name)
    if not name and spotify_id:
        found.spotify = _spotify_artist(found, providers, spotify_id, "spotify_id" in requested)
        found.name = found.spotify.name if found.spotify else None
    if not found.name and mbid and not tm_attraction_id:
        ok, fm_artist = found.ask("setlistfm", lambda: providers.setlistfm.artist(mbid))
        if ok and fm_artist is None and "mbid" in requested:
            raise UnknownExternalId("mbid", mbid, "setlist.fm knows no artist with this MusicBrainz id")
        found.name = fm_artist.name if fm_artist else None
        found.setlistfm_url = fm_artist.url if fm_artist else None

    # 1. Ticketmaster, whose attraction links the other two.
    if tm_attraction_id:
        ok, found.attraction = found.ask(
            "ticketmaster", lambda: providers.ticketmaster.attraction(tm_attraction_id)
        )
        if not ok:
            found.decisions["ticketmaster"] = unavailable_decision(found, "ticketmaster", tm_attraction_id)
        elif found.attraction is None and "tm_attraction_id" in requested:
            raise UnknownExternalId(
                "tm_attraction_id", tm_attraction_id, "Ticketmaster has no attraction with this id"
            )
        else:
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
        ok, answer = found.ask("ticketmaster", lambda: providers.ticketmaster.search_attractions(found.name))
        if ok:
            results = answer or []
            decision = match_by_name("ticketmaster", found.name, [Candidate(a.id, a.name) for a in results])
            found.decisions["ticketmaster"] = decision
            found.attraction = next((a for a in results if a.id == decision.external_id), None)
        else:
            found.decisions["ticketmaster"] = unavailable_decision(found, "ticketmaster", None)
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
            found.spotify = _spotify_artist(
                found, providers, decision.external_id or "", "spotify_id" in requested
            )
        if "spotify" in found.unavailable:
            decision = unavailable_decision(found, "spotify", decision.external_id, decision.method)
        elif found.spotify is None:
            decision = replace(
                decision,
                status="missing",
                reason=f"Spotify does not know artist id {decision.external_id}",
                external_id=spotify_id,  # a known id is kept; a link Spotify denies is not taken
            )
    elif found.name and "spotify" not in found.unavailable:
        ok, answer = found.ask("spotify", lambda: providers.spotify.search_artists(found.name or ""))
        if ok:
            results = answer or []
            by_name = match_by_name("spotify", found.name, [Candidate(a.id or "", a.name) for a in results])
            if decision is not None:  # the links were ambiguous: say so along with the search outcome
                by_name = replace(by_name, reason=f"{decision.reason}; searched by name: {by_name.reason}")
            decision = by_name
            found.spotify = next((a for a in results if a.id and a.id == decision.external_id), None)
        else:
            decision = unavailable_decision(found, "spotify", None)
    elif "spotify" in found.unavailable:
        decision = unavailable_decision(found, "spotify", None)
    else:
        decision = not_searched("spotify", "no id and no name to search by")
    found.decisions["spotify"] = decision

    # 3. setlist.fm: the MBID from the links (or known) costs nothing; else an exact name match.
    decision = decide_from_links("setlistfm", mbid_links, mbid)
    if (decision is None or not decision.matched) and found.name:
        ok, answer = found.ask("setlistfm", lambda: providers.setlistfm.search_artists(found.name or ""))
        if ok:
            results = answer or []
            candidates = [Candidate(a.mbid, a.name, a.disambiguation) for a in results if a.mbid]
            by_name = match_by_name("setlistfm", found.name, candidates, hints=genres(found))
            if decision is not None:
                by_name = replace(by_name, reason=f"{decision.reason}; searched by name: {by_name.reason}")
            decision = by_name
            found.setlistfm_url = next((a.url for a in results if a.mbid == decision.external_id), None)
        else:
            decision = unavailable_decision(found, "setlistfm", None)
    found.decisions["setlistfm"] = decision or not_searched("setlistfm", "no id and no name to search by")
    return found


def _spotify_artist(
    found: Resolution, providers: Providers, spotify_id: str, requested: bool
) -> SpotifyArtist | None:
    """`GET /artists/{id}`; an unknown (404) or invalid (400) id the request brought is a bad request."""
    try:
        ok, artist = found.ask("spotify", lambda: providers.spotify.artist(spotify_id))
    except ProviderRequestError as exc:
        if requested and exc.status == 400:
            raise UnknownExternalId("spotify_id", spotify_id, f"Spotify rejects it ({exc.message})") from None
        raise
    if ok and artist is None and requested:
        raise UnknownExternalId("spotify_id", spotify_id, "Spotify has no artist with this id (HTTP 404)")
    return artist


def genres(found: Resolution) -> list[str]:
    if found.spotify and found.spotify.genres:
        return list(found.spotify.genres)
    genres: list[str] = []
    for c in found.attraction.classifications if found.attraction else ():
        for named in (c.genre, c.sub_genre):
            if named and named.name and named.name.strip().lower() not in _JUNK_GENRES:
                genres.append(named.name)
    return list(dict.fromkeys(genres))
