"""The stored show a setlist belongs to (`match_show`): same date, and the same venue name or city.

Apart from the songs played (setlist_songs.py) because it matches a setlist to a stored show, not songs
to the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..text import normalize_name
from .setlist_records import Setlist, ShowCandidate


def match_show(setlist: Setlist, shows: Iterable[ShowCandidate]) -> ShowCandidate | None:
    """The stored show this setlist belongs to: same date, and the same venue name or city.

    A show already linked to this setlist wins; then a venue-name match over a city-only match; a show
    linked to another setlist of the same date (two shows in a day) is not taken."""
    same_day = [s for s in shows if s.date == setlist.event_date]
    linked = [s for s in same_day if s.setlistfm_id == setlist.id]
    if linked:
        return linked[0]
    free = [s for s in same_day if s.setlistfm_id is None]
    venue = setlist.venue
    if venue is None:
        return free[0] if len(free) == 1 else None
    by_venue = [
        s for s in free if s.venue_name and normalize_name(s.venue_name) == normalize_name(venue.name)
    ]
    if by_venue:
        return by_venue[0]
    city = normalize_name(venue.city or "")
    by_city = [s for s in free if city and s.city and normalize_name(s.city) == city]
    return by_city[0] if by_city else None
