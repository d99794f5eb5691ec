"""Predicted setlists from what was played: songs ranked by frequency and recency, sized by the median.

A song's score is the sum, over the artist's actual setlists holding it, of 0.5 ** (age / HALF_LIFE_DAYS);
a predicted setlist is as long as the artist's median setlist (never under MIN_PREDICTED_SIZE), or
DEFAULT_PREDICTED_SIZE songs of the catalog when nothing was played yet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

HALF_LIFE_DAYS = 365.0  # a setlist a year old counts half as much as one played today
DEFAULT_PREDICTED_SIZE = 20
MIN_PREDICTED_SIZE = 5


@dataclass(frozen=True)
class History:
    """One actual setlist of the artist: when, and the song ids in played order."""

    played_on: date
    song_ids: tuple[str, ...]


def rank_songs(history: Sequence[History], catalog: Sequence[str], today: date) -> list[str]:
    """Song ids, most likely first: each actual setlist adds 0.5 ** (age / HALF_LIFE_DAYS) to every song
    it holds (frequency and recency in one score); ties go to the most recently played, then to catalog
    order. Songs never played follow in catalog order."""
    score: dict[str, float] = {}
    last: dict[str, date] = {}
    for setlist in history:
        weight = math.pow(0.5, max((today - setlist.played_on).days, 0) / HALF_LIFE_DAYS)
        for song_id in dict.fromkeys(setlist.song_ids):
            score[song_id] = score.get(song_id, 0.0) + weight
            last[song_id] = max(last.get(song_id, setlist.played_on), setlist.played_on)
    order = {song_id: i for i, song_id in enumerate(catalog)}
    played = sorted(
        score, key=lambda s: (-round(score[s], 9), -last[s].toordinal(), order.get(s, len(order)), s)
    )
    return played + [s for s in catalog if s not in score]


def predicted_size(history: Sequence[History], catalog_size: int) -> int:
    """The median length of the artist's actual setlists; DEFAULT_PREDICTED_SIZE without history."""
    lengths = sorted(len(h.song_ids) for h in history if h.song_ids)
    if lengths:
        middle = len(lengths) // 2
        median = lengths[middle] if len(lengths) % 2 else (lengths[middle - 1] + lengths[middle]) // 2
        return max(median, MIN_PREDICTED_SIZE)
    return min(DEFAULT_PREDICTED_SIZE, catalog_size)


def predict(history: Sequence[History], catalog: Sequence[str], today: date) -> list[str]:
    ranked = rank_songs(history, catalog, today)
    return ranked[: predicted_size(history, len(catalog))]
