"""The real formats of the external ids a request may carry, checked before any id reaches a URL path,
a partition key or a query (external-apis.md, /work/shared/realdata). Each format is its provider's
(`id_format` in lib/providers/<name>/spec.py), keyed by the artists column that holds it.

Also the longest artist name a request may give: real names stay far below it, and a longer one
would only fail deep in Postgres (an index row of 10 kB) instead of saying what is wrong.
"""

from __future__ import annotations

from .providers import registry
from .providers.provider_spec import IdFormat

MAX_NAME_LENGTH = 300


def _format(column: str) -> IdFormat:
    for spec in registry.specs():
        if spec.id_format is not None and spec.id_format.column == column:
            return spec.id_format
    raise KeyError(f"no provider keys artists by {column!r}")


class BadExternalId(ValueError):
    """An id or name that cannot be what it claims to be; the message names the field."""


def checked(column: str, value: str | None, field: str | None = None) -> str | None:
    """`value` in its canonical form (MBIDs lower-cased), or BadExternalId naming `field` (the
    request's own name for the column, e.g. `ticketmaster_id` for `tm_attraction_id`)."""
    if value is None:
        return None
    fmt = _format(column)
    if not fmt.pattern.match(value):
        raise BadExternalId(f"{field or column} {_shown(value)} is not a valid id: {fmt.hint}")
    return value.lower() if fmt.lower else value


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
