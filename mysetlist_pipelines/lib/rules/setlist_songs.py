"""setlist.fm setlists -> songs played, and the artist's songs they are matched to (the shows they
belong to: show_matching.py; encores: encores.py; the predictions from them: predictions.py).

Played songs: every song of every set in order (main sets, then encores, as setlist.fm nests them),
numbered from 1. A tape song (intro/outro from tape) is not a song played and is left out; a song with
an empty name is left out; a cover is kept, noted ("cover (Original Artist)") and never matched to the
performer's own catalog. Encores are noted ("encore", "encore 2").
"""

from __future__ import annotations

from collections.abc import Iterable

from ..text import normalize_name
from .encores import encore_numbers
from .setlist_records import Played, PlayedSong, Setlist
from .version_markers import song_key


def played_songs(setlist: Setlist) -> Played:
    songs: list[PlayedSong] = []
    skipped: dict[str, int] = {}
    for one_set, encore in zip(setlist.sets, encore_numbers(setlist.sets), strict=True):
        for song in one_set.songs:
            if song.tape:
                skipped["tape"] = skipped.get("tape", 0) + 1
                continue
            name = (song.name or "").strip()
            if not name:
                skipped["empty name"] = skipped.get("empty name", 0) + 1
                continue
            notes: list[str] = []
            if encore:
                notes.append("encore" if encore == 1 else f"encore {encore}")
            if song.cover_name:
                notes.append(f"cover ({song.cover_name})")
            if song.with_name:
                notes.append(f"with {song.with_name}")
            if song.info and song.info.strip():
                notes.append(song.info.strip())
            songs.append(
                PlayedSong(
                    len(songs) + 1,
                    name,
                    "; ".join(notes) or None,
                    song.cover_name.strip() if song.cover_name else None,
                    song.cover_mbid,
                )
            )
    return Played(tuple(songs), skipped)


class SongIndex:
    """The artist's own songs by normalized title, then by de-duplication key, then by that key without
    spaces ("Don't" and "Dont" are written both ways on setlist.fm); first in catalog order wins."""

    def __init__(self, songs: Iterable[tuple[str, str]]) -> None:
        self._tiers: tuple[dict[str, str], ...] = ({}, {}, {})
        for song_id, name in songs:
            self.add(song_id, name)

    def add(self, song_id: str, name: str) -> None:
        for tier, key in zip(self._tiers, _keys(name), strict=True):
            if key:
                tier.setdefault(key, song_id)

    def find(self, name: str) -> str | None:
        for tier, key in zip(self._tiers, _keys(name), strict=True):
            if key and key in tier:
                return tier[key]
        return None


def _keys(name: str) -> tuple[str, str, str]:
    key = song_key(name)
    return normalize_name(name), key, key.replace(" ", "")
