"""What the endpoints look up, built once per world minute asked about (one per simulated day).

Ticketmaster's listing per country sorted by start (a window search is two bisections), events per
attraction (headliner or support), and setlist.fm's setlists sorted by `lastUpdated` (the feed is a
bisection too). Building one day's index for 100,000 artists takes a second or two.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

from .model import DAY, World


@dataclass
class DayIndex:
    minute: int
    by_country: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)  # starts, events
    feed: tuple[list[int], list[int]] = field(default_factory=lambda: ([], []))  # lastUpdated, events

    def window(self, cc: str | None, start: int | None, end: int | None) -> list[int]:
        """Listed events of a country (or all) starting in [start, end], by start time then id."""
        parts = [self.by_country.get(cc, ([], []))] if cc else list(self.by_country.values())
        found: list[tuple[int, int]] = []
        for starts, events in parts:
            lo = 0 if start is None else bisect.bisect_left(starts, start)
            hi = len(starts) if end is None else bisect.bisect_right(starts, end)
            found.extend(zip(starts[lo:hi], events[lo:hi], strict=True))
        if len(parts) > 1:
            found.sort()
        return [e for _, e in found]

    def updated_since(self, minute: int) -> list[int]:
        stamps, events = self.feed
        return events[bisect.bisect_left(stamps, minute) :]


class Indexes:
    """A small cache of day indexes (the benchmark asks about one day at a time)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._lock = threading.Lock()
        self._cache: dict[int, DayIndex] = {}
        self.support_of: list[list[int]] = [[] for _ in range(world.config.artists)]
        for e, s in enumerate(world.ev["support"]):
            if s >= 0:
                self.support_of[s].append(e)
        self._event_ids: dict[str, int] | None = None

    def at(self, minute: int) -> DayIndex:
        with self._lock:
            index = self._cache.get(minute)
            if index is None:
                index = self._build(minute)
                if len(self._cache) > 2:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[minute] = index
            return index

    def event_by_id(self, event_id: str) -> int | None:
        with self._lock:
            if self._event_ids is None:
                w = self.world
                self._event_ids = {w.event_id(e): e for e in range(len(w.ev["artist"]))}
        return self._event_ids.get(event_id)

    def events_of(self, artist: int) -> list[int]:
        return self.world.events_of[artist] + self.support_of[artist]

    def _build(self, t: int) -> DayIndex:
        w = self.world
        rows: dict[str, list[tuple[int, int]]] = {}
        feed: list[tuple[int, int]] = []
        venue_cc = [v.cc for v in w.venues]
        ev = w.ev
        today = t // DAY
        for e in range(len(ev["artist"])):
            if ev["announce"][e] <= t:
                day = ev["moved_day"][e] if ev["move_at"][e] <= t else ev["day"][e]
                if day >= today - 1:
                    rows.setdefault(venue_cc[ev["venue"][e]], []).append((w.event_start_utc(e, t), e))
            updated = w.setlist_updated(e, t)
            if updated is not None:
                feed.append((updated, e))
        index = DayIndex(t)
        for cc, items in rows.items():
            items.sort()
            index.by_country[cc] = ([s for s, _ in items], [e for _, e in items])
        feed.sort()
        index.feed = ([s for s, _ in feed], [e for _, e in feed])
        return index
