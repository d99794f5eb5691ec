"""An artist's studio songs from its Spotify releases: which releases count, and the de-duplication.

Decision (documented in the README): songs that are not studio songs are **dropped**, not stored with
`is_live`/`is_remix` set. The app lists `songs` through `artist_songs` without filtering those flags, and
a dropped live album also costs no `GET /albums/{id}` call. What was dropped, and why, is counted in the
catalog asset's metadata; the flags stay false on every row this project writes.

Rules (external-apis.md; the version markers that decide "not a studio song" are in version_markers.py):
- releases: groups album and single only;
- duplicates: the same song on album, single, deluxe and remaster is one song: same title once brackets
  and version suffixes are dropped, and durations within `DUPLICATE_TOLERANCE_MS`, or the very same
  normalized title. The original album release is preferred.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..text import normalize_name
from .catalog_records import CatalogSong, StoredSong, Track, parse_release_date
from .version_markers import is_remaster, song_key

DUPLICATE_TOLERANCE_MS = 5_000
STUDIO_GROUPS = ("album", "single")

_EDITION = re.compile(r"\b(deluxe|expanded|anniversary|re-?master(ed)?|edition|bonus|special)\b", re.I)


def dedupe(tracks: Iterable[Track], stored: Sequence[StoredSong] = ()) -> list[CatalogSong]:
    """Group `tracks` (studio songs only) with each other and with the artist's `stored` songs.

    A group that contains a stored song keeps that row (its id), so votes and setlists pointing at it
    survive; its fields follow the group's preferred track, unless the stored song is itself preferred
    (nothing to write then). Groups are returned in catalog order (release date, disc, track)."""
    groups: dict[str, list[list[_Item]]] = {}
    items = [_Item.of_stored(s) for s in stored] + [_Item.of_track(t) for t in tracks]
    for item in sorted(items, key=_Item.preference):
        clusters = groups.setdefault(item.key, [])
        home = next((c for c in clusters if any(item.same_song(m) for m in c)), None)
        if home is None:
            clusters.append([item])
        else:
            home.append(item)
    result: list[CatalogSong] = []
    for clusters in groups.values():
        for cluster in clusters:
            best = cluster[0]
            existing = next((m.stored for m in cluster if m.stored is not None), None)
            if best.track is None:
                continue  # the stored row is already the preferred version
            if existing is not None and existing.spotify_id == best.track.id:
                continue
            merged = tuple(m.track.id for m in cluster[1:] if m.track is not None)
            result.append(CatalogSong(best.track, existing.id if existing else None, merged))
    return sorted(result, key=lambda s: catalog_order(s.track))


def catalog_order(track: Track) -> tuple[date, int, int, str]:
    released = parse_release_date(track.release.release_date) or date.max
    return (released, track.disc_number or 1, track.track_number or 0, track.id)


@dataclass
class _Item:
    key: str
    full: str
    duration_ms: int | None
    album_type: str
    edition: bool
    released: date
    order: tuple[int, int, str]
    track: Track | None = None
    stored: StoredSong | None = None

    @classmethod
    def of_track(cls, t: Track) -> _Item:
        return cls(
            song_key(t.name),
            normalize_name(t.name),
            t.duration_ms,
            t.release.album_type,
            bool(_EDITION.search(t.release.name)) or is_remaster(t.name),
            parse_release_date(t.release.release_date) or date.max,
            (t.disc_number or 1, t.track_number or 0, t.id),
            track=t,
        )

    @classmethod
    def of_stored(cls, s: StoredSong) -> _Item:
        return cls(
            song_key(s.name),
            normalize_name(s.name),
            s.duration_ms,
            s.album_type or "",
            bool(_EDITION.search(s.album_name or "")) or is_remaster(s.name),
            s.release_date or date.max,
            (0, 0, s.spotify_id or s.id),
            stored=s,
        )

    def preference(self) -> tuple[int, int, int, date, tuple[int, int, str]]:
        # Original album first: albums over singles, plain editions over deluxe/remaster, then the
        # earliest release; a setlist-created row (no Spotify data) comes last.
        no_data = self.stored is not None and self.stored.spotify_id is None
        return (int(no_data), int(self.album_type != "album"), int(self.edition), self.released, self.order)

    def same_song(self, other: _Item) -> bool:
        if self.full == other.full:
            return True
        if self.duration_ms is None or other.duration_ms is None:
            return True  # a setlist-created song has no duration: the title key alone decides
        return abs(self.duration_ms - other.duration_ms) <= DUPLICATE_TOLERANCE_MS
