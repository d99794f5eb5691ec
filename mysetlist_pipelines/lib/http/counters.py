"""Calls counted per provider and endpoint (the spec's names, e.g. `spotify:album`), in this process.

Every attempt that reaches the wire counts, retries and token fetches included, because that is what
the provider bills against the quota; the sandbox counts the same way, so the two can be compared.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()

    def add(self, endpoint: str, n: int = 1) -> None:
        with self._lock:
            self._calls[endpoint] += n

    def snapshot(self) -> dict[str, int]:
        """Calls so far, by endpoint name: `{"spotify:album": 12, ...}`."""
        with self._lock:
            return dict(self._calls)

    def since(self, earlier: Mapping[str, int]) -> dict[str, int]:
        """Calls made after `earlier` (a snapshot), zero entries left out: what one step spent."""
        now = self.snapshot()
        spent = {name: count - earlier.get(name, 0) for name, count in now.items()}
        return {name: count for name, count in sorted(spent.items()) if count}

    def by_provider(self, calls: Mapping[str, int] | None = None) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for name, count in (self.snapshot() if calls is None else calls).items():
            totals[name.split(":", 1)[0]] += count
        return dict(totals)
