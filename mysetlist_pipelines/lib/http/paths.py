"""Ids in URL paths: every segment quoted, so an id can never reach another endpoint (`../venues`)
or add a query (`?x=`), whatever checked it before (intake checks the formats: external_ids.py)."""

from __future__ import annotations

from urllib.parse import quote


def segment(value: str) -> str:
    """`value` as one path segment: `/`, `?`, `#`, `%`, `.` runs and spaces are escaped."""
    if value in ("", ".", ".."):
        # Empty or dot segments are not ids: quote() leaves dots alone, so escape them by hand.
        return "".join(f"%{ord(c):02X}" for c in value) or "%20"
    return quote(value, safe="")
