"""Artist partition keys: readable, assigned once, never changed.

A key is the artist's slug at the time it was first requested ("radiohead", "sigur-ros"), or, when the
request carries no name, the strongest external id ("tm-K8vZ9171oZ7", "spotify-4Z8W4fKeB5YxbusRsdQVPb",
"mbid-a74b1b7f-..."). Collisions get a numeric suffix. `pipelines.artist_keys` maps the key to the
`artists` row (once the profile sync has created or found it) and to every external id learned since,
so a later request by any of those ids, by the app's artists.id, or by the same name, lands on the same
partition.

The app may send an `entity_id` for an artist whose row it has not created yet; that id is kept as the
key's `requested_artist_id`, and the profile sync creates the `artists` row with it, so the app's own
link to the artist keeps working.

The package is split by what each step does with a key: key_records.py (the request, the identity, the
checks that need no database), key_lookup.py (finding the key a request already has),
key_registration.py (opening keys and filling in what is learned), settling.py (holding back a
request that may be the same artist as a key still being settled). Callers use the names below.
"""

from __future__ import annotations

from .key_lookup import lookup
from .key_records import MAX_KEY_LENGTH, ArtistIdentity, ArtistRequest, UnknownArtistKey, validate
from .key_registration import link, register
from .settling import SETTLING_SECONDS, settling_rival

__all__ = [
    "MAX_KEY_LENGTH",
    "SETTLING_SECONDS",
    "ArtistIdentity",
    "ArtistRequest",
    "UnknownArtistKey",
    "link",
    "lookup",
    "register",
    "settling_rival",
    "validate",
]
