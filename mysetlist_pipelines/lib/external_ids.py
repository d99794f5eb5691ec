"""The real formats of the external ids a request may carry, checked before any id reaches a URL path,
a partition key or a query (external-apis.md, /work/shared/realdata):

- Spotify artist id: 22 base62 characters (`4Z8W4fKeB5YxbusRsdQVPb`); Spotify answers anything else
  with HTTP 400 "invalid id".
- Ticketmaster attraction id: letters, digits, `-` and `_`; today's look like `K8vZ9171ob7` (11),
  older ones are 10-13 characters and may hold `-`/`_` (`K8vZ917GP-0`, `Z7r9jZ1AeOOb_`).
- MusicBrainz id (setlist.fm's artist key, the row's `setlistfm_id`): a UUID, stored in its
  canonical lower-case form.

Also the longest artist name a request may give: real names stay far below it, and a longer one
would only fail deep in Postgres (an index row of 10 kB) instead of saying what is wrong.
"""

from __future__ import annotations

import re

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
TM_ATTRACTION_ID = re.compile(r"^[0-9A-Za-z_-]{6,32}$")
MBID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_NAME_LENGTH = 300

_FORMATS = {
    "spotify_id": (SPOTIFY_ID, "a Spotify artist id is 22 letters and digits, e.g. 4Z8W4fKeB5YxbusRsdQVPb"),
    "tm_attraction_id": (
        TM_ATTRACTION_ID,
        "a Ticketmaster attraction id is 6-32 letters, digits, '-' or '_', e.g. K8vZ9171ob7",
    ),
    "mbid": (MBID, "a MusicBrainz id is a UUID, e.g. a74b1b7f-71a5-4011-9441-d0b5e4122711"),
}


class BadExternalId(ValueError):
    """An id or name that cannot be what it claims to be; the message names the field."""


def checked(column: str, value: str | None, field: str | None = None) -> str | None:
    """`value` in its canonical form (MBIDs lower-cased), or BadExternalId naming `field` (the
    request's own name for the column, e.g. `ticketmaster_id` for `tm_attraction_id`)."""
    if value is None:
        return None
    pattern, hint = _FORMATS[column]
    if not pattern.match(value):
        raise BadExternalId(f"{field or column} {_shown(value)} is not a valid id: {hint}")
    return value.lower() if column == "mbid" else value


def checked_name(name: str | None, field: str = "artist name") -> str | None:
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise BadExternalId(
            f"{field} is {len(name)} characters long; an artist name has at most {MAX_NAME_LENGTH}: "
            "send the artist's name (or one of its external ids) instead"
        )
    return name


def _shown(value: str) -> str:
    # Quote what was sent so a person can spot it, but never echo a whole pasted document.
    return repr(value if len(value) <= 60 else value[:57] + "...")
