"""One artist across Ticketmaster, Spotify and setlist.fm, strongest evidence first (external-apis.md).

1. Ticketmaster attraction `externalLinks`: `spotify[].url` -> Spotify id (path segment after
   `/artist/`, `?si=` stripped), `musicbrainz[].id` -> MBID (setlist.fm's artist key).
2. setlist.fm artist search: an exact normalized-name match only; disambiguation breaks ties.
3. Spotify artist search: an exact normalized-name match only; with no popularity left to break ties,
   two exact matches stay unmatched.

Nothing here guesses: every outcome is a `MatchDecision` that says how it was reached, or why not, and
names the candidates it saw, so a person can settle an ambiguous artist by hand.

This module holds the decision every method returns and the services it is about; the methods are in
link_matching.py (step 1) and name_matching.py (steps 2 and 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Service = Literal["ticketmaster", "spotify", "setlistfm"]
Method = Literal["known", "external_link", "name", "none"]
Status = Literal["matched", "ambiguous", "missing", "conflict"]


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


def not_searched(service: Service, reason: str) -> MatchDecision:
    return MatchDecision(service, None, "none", "missing", reason)
