"""What `mysetlist import "<artist>"` reads its argument as (`classify` -> `ArtistRef`):
- `spotify:<id>`, `tm:<id>`, `mbid:<uuid>`, `name:<text>` say what it is outright;
- a Spotify artist URI or URL (`spotify:artist:<id>`, `https://open.spotify.com/artist/<id>`), or
  22 letters and digits with no space (the shape of every Spotify id), is a Spotify id;
- `K8vZ9` followed by letters and digits is a Ticketmaster attraction id (every attraction id has
  that prefix);
- a UUID is a MusicBrainz id (what setlist.fm keys artists by);
- anything else is an artist name.
Prefix with `name:` a name that would otherwise look like an id.

Apart from the command (jobs_cli.py) because it is pure text rules, tested without a database.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from .providers.spotify.spec import SPOTIFY_ID

_SPOTIFY_ID = SPOTIFY_ID
_SPOTIFY_LINK = re.compile(
    r"^(?:spotify:artist:|https?://open\.spotify\.com/(?:intl-[a-z-]+/)?artist/)([0-9A-Za-z]{22})"
)
_TM_ATTRACTION = re.compile(r"^K8vZ9[0-9A-Za-z]{2,}$")
_PREFIXES = {
    "spotify": "spotify",
    "tm": "ticketmaster",
    "ticketmaster": "ticketmaster",
    "mbid": "mbid",
    "name": "name",
}


@dataclass(frozen=True)
class ArtistRef:
    kind: str  # spotify | ticketmaster | mbid | name
    value: str


def classify(text: str) -> ArtistRef:
    text = text.strip()
    if not text:
        raise ValueError("give an artist name, a Spotify id or a Ticketmaster attraction id")
    if (m := _SPOTIFY_LINK.match(text)) is not None:
        return ArtistRef("spotify", m.group(1))
    prefix, sep, rest = text.partition(":")
    if sep and prefix.lower() in _PREFIXES and rest.strip():
        return ArtistRef(_PREFIXES[prefix.lower()], rest.strip())
    if _SPOTIFY_ID.match(text):
        return ArtistRef("spotify", text)
    if _TM_ATTRACTION.match(text):
        return ArtistRef("ticketmaster", text)
    try:
        return ArtistRef("mbid", str(uuid.UUID(text)))
    except ValueError:
        return ArtistRef("name", text)
