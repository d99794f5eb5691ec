"""What a request says about an artist and what a key holds (ArtistRequest, ArtistIdentity), the
external-id columns in the order they are trusted, and the checks that need no database.

Apart from the SQL (key_lookup.py, key_registration.py) because intake validates a sync_jobs row with
these before it touches a key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields

# Strongest first: the ids the matching order in external-apis.md trusts most.
EXTERNAL_COLUMNS = ("tm_attraction_id", "spotify_id", "mbid")
KEY_PREFIX = {"tm_attraction_id": "tm", "spotify_id": "spotify", "mbid": "mbid"}
# A key made from a name is cut at a word boundary: keys are Dagster partition keys and URL parts.
MAX_KEY_LENGTH = 64


@dataclass(frozen=True)
class ArtistRequest:
    """What a request knows about an artist: the app's artists.id (existing or intended), external
    ids, a name. It must identify the artist by an existing artists.id, an external id or a name."""

    artist_id: str | None = None
    tm_attraction_id: str | None = None
    spotify_id: str | None = None
    mbid: str | None = None
    name: str | None = None

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class ArtistIdentity:
    partition_key: str
    artist_id: str | None
    tm_attraction_id: str | None
    spotify_id: str | None
    mbid: str | None
    name: str | None
    requested_artist_id: str | None = None


class UnknownArtistKey(LookupError):
    pass


def validate(request: ArtistRequest) -> None:
    """The checks that need no database: something to go on, and a well-formed artists.id. (The
    formats of a sync_jobs row's external ids are checked at intake: lib/tracking/intake/artist_rows.py.)"""
    if request.is_empty():
        raise ValueError("an artist request needs an artists.id, an external id or a name")
    if request.artist_id:
        try:
            uuid.UUID(request.artist_id)
        except ValueError:
            raise ValueError(f"artist id {request.artist_id!r} is not a valid artists.id (a uuid)") from None
