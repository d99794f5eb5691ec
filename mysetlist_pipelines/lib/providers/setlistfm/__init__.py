"""setlist.fm: typed client and models (see client.py for the cost of each call)."""

from .client import SetlistFmClient, setlists_cost
from .models import Artist, City, Coords, Country, Set, Setlist, Song, Tour, Venue

__all__ = [
    "Artist",
    "City",
    "Coords",
    "Country",
    "Set",
    "Setlist",
    "SetlistFmClient",
    "Song",
    "Tour",
    "Venue",
    "setlists_cost",
]
