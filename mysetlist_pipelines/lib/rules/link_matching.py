"""Matching by a Ticketmaster attraction's `externalLinks` (the strongest evidence, step 1 of
match_decisions.py): `spotify[].url` -> Spotify id (path segment after `/artist/`, `?si=` stripped),
`musicbrainz[].id` -> MBID (setlist.fm's artist key), and what those links decide for one service.

Apart from name matching (name_matching.py) because it reads ids out of URLs, in their real formats only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ..providers.setlistfm.spec import MBID
from ..providers.spotify.spec import SPOTIFY_ID
from .match_decisions import Candidate, MatchDecision, Service

# Links go into URL paths: only ids in their real formats are taken (external_ids.py).
_SPOTIFY_ID = SPOTIFY_ID
_MBID = MBID


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
