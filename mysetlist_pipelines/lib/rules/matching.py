"""One artist across Ticketmaster, Spotify and setlist.fm, strongest evidence first (external-apis.md).

1. Ticketmaster attraction `externalLinks`: `spotify[].url` -> Spotify id (path segment after
   `/artist/`, `?si=` stripped), `musicbrainz[].id` -> MBID (setlist.fm's artist key).
2. setlist.fm artist search: an exact normalized-name match only; disambiguation breaks ties.
3. Spotify artist search: an exact normalized-name match only; with no popularity left to break ties,
   two exact matches stay unmatched.

Nothing here guesses: every outcome is a `MatchDecision` that says how it was reached, or why not, and
names the candidates it saw, so a person can settle an ambiguous artist by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from ..providers.setlistfm.spec import MBID
from ..providers.spotify.spec import SPOTIFY_ID
from ..text import normalize_name

Service = Literal["ticketmaster", "spotify", "setlistfm"]
Method = Literal["known", "external_link", "name", "none"]
Status = Literal["matched", "ambiguous", "missing", "conflict"]

# Links go into URL paths: only ids in their real formats are taken (external_ids.py).
_SPOTIFY_ID = SPOTIFY_ID
_MBID = MBID


@dataclass(frozen=True)
class Candidate:
    """An artist a service offered: its id there, its name and (setlist.fm) its disambiguation."""

    id: str
    name: str
    disambiguation: str | None = None


@dataclass(frozen=True)
class MatchDecision:
    service: Service
    external_id: str | None
    method: Method
    status: Status
    reason: str
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def matched(self) -> bool:
        return self.external_id is not None


def _get(obj: Any, name: str) -> Any:
    # External links come as plain dicts or as the clients' pydantic models: read either.
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def spotify_id_from_url(url: str | None) -> str | None:
    """`https://open.spotify.com/artist/<id>?si=...` (also `/intl-xx/artist/<id>`, `spotify:artist:<id>`)
    -> `<id>`; anything else -> None."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("spotify:artist:"):
        candidate = url.split(":", 2)[2]
    else:
        parts = [p for p in urlsplit(url).path.split("/") if p]
        if "artist" not in parts or parts.index("artist") + 1 >= len(parts):
            return None
        candidate = parts[parts.index("artist") + 1]
    return candidate if _SPOTIFY_ID.match(candidate) else None


def linked_ids(external_links: Mapping[str, Sequence[Any]] | None) -> tuple[set[str], set[str]]:
    """The distinct Spotify ids and MBIDs an attraction's `externalLinks` point at."""
    links = external_links or {}
    spotify = {sid for item in links.get("spotify") or () if (sid := spotify_id_from_url(_get(item, "url")))}
    mbids = set()
    for item in links.get("musicbrainz") or ():
        mbid = (_get(item, "id") or "").strip().lower()
        if _MBID.match(mbid):
            mbids.add(mbid)
    return spotify, mbids


def decide_from_links(service: Service, found: set[str], known: str | None) -> MatchDecision | None:
    """What an attraction's links say about one service, given the id already known (if any).

    A known id always wins: a link that disagrees is recorded as a conflict, not taken. No links ->
    None (the caller falls back to the next method)."""
    site = "spotify" if service == "spotify" else "musicbrainz"
    if known:
        if found and known not in found:
            return MatchDecision(
                service,
                known,
                "known",
                "conflict",
                f"kept the known id; the Ticketmaster attraction's {site} link says {sorted(found)}",
            )
        return MatchDecision(service, known, "known", "matched", "id given by the request or stored")
    if not found:
        return None
    if len(found) > 1:
        return MatchDecision(
            service,
            None,
            "external_link",
            "ambiguous",
            f"the Ticketmaster attraction links {len(found)} different {site} ids: {sorted(found)}",
            tuple(Candidate(i, "") for i in sorted(found)),
        )
    (value,) = found
    return MatchDecision(service, value, "external_link", "matched", f"Ticketmaster externalLinks.{site}")


def match_by_name(
    service: Service, name: str, candidates: Iterable[Candidate], hints: Iterable[str] = ()
) -> MatchDecision:
    """The one candidate whose normalized name equals `name`'s; never the first hit blindly.

    Several exact matches are a tie; a tie is broken only when exactly one candidate's
    disambiguation mentions one of `hints` (genres, say "rock" vs "dj"). Otherwise: ambiguous."""
    wanted = normalize_name(name)
    seen = tuple(candidates)
    exact = list({c.id: c for c in seen if wanted and normalize_name(c.name) == wanted}.values())
    if not exact:
        return MatchDecision(
            service,
            None,
            "name",
            "missing",
            f"no exact name match for {name!r} among {len(seen)} search results",
            seen[:10],
        )
    if len(exact) == 1:
        return MatchDecision(
            service, exact[0].id, "name", "matched", f"the only exact name match for {name!r}", tuple(exact)
        )
    hint_words = {normalize_name(h) for h in hints if normalize_name(h)}
    hinted = [c for c in exact if c.disambiguation and _mentions(c.disambiguation, hint_words)]
    if len(hinted) == 1:
        return MatchDecision(
            service,
            hinted[0].id,
            "name",
            "matched",
            f"{len(exact)} exact name matches for {name!r}; the disambiguation "
            f"{hinted[0].disambiguation!r} fits the artist's genres",
            tuple(exact),
        )
    return MatchDecision(
        service,
        None,
        "name",
        "ambiguous",
        f"{len(exact)} artists are called {name!r} and nothing tells them apart; left unmatched",
        tuple(exact),
    )


def not_searched(service: Service, reason: str) -> MatchDecision:
    return MatchDecision(service, None, "none", "missing", reason)


def _mentions(text: str, words: set[str]) -> bool:
    normalized = f" {normalize_name(text)} "
    return any(f" {w} " in normalized for w in words)
