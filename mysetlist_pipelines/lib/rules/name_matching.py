"""Matching by name (steps 2 and 3 of match_decisions.py: setlist.fm's and Spotify's artist search): an
exact normalized-name match only, never the first hit blindly; a tie is broken only by a
disambiguation that fits the artist's genres.

Apart from link matching (link_matching.py) because it weighs search results, not ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..text import normalize_name
from .match_decisions import Candidate, MatchDecision, Service


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


def _mentions(text: str, words: set[str]) -> bool:
    normalized = f" {normalize_name(text)} "
    return any(f" {w} " in normalized for w in words)
