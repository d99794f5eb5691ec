"""An import's Ticketmaster and setlist.fm pages fetched ahead, while its catalog works on Spotify.

A run's steps go one after another in its process (the in-process executor), so each provider's pacing
used to add up: Spotify's catalog pages, then Ticketmaster's event pages, then setlist.fm's setlist
pages, against a pacing bound that counts only the slowest provider (BENCHMARKS.md, pacing and imports
under fleet load). Once the profile has settled the artist's ids, nothing the shows and setlists steps
ask their providers depends on the catalog, so `start` sends those fetches (lib/sync/artist_shows.fetch_shows,
lib/sync/artist_setlists.fetch_setlists: the same functions the steps call) in threads of the run's process,
one per provider, and the steps `take` the pages when their turn comes and write them as before.

Exactly once: a fetch is taken by at most one step (`take` removes it), a step finding none fetches
itself (batch runs, a prefetch not started, parameters that differ), and a fetch no step took is
stopped before its next page at `close`. A prefetch's error (a ProviderError, a bad page) is raised
by the step that takes it, the same exception the step's own fetch would have raised, so the step
fails alone with the usual message and permanent/transient handling. The threads use providers of
their own (built by `make_providers` on the same pacing state), so the catalog step's call counter,
and its report, hold only its own calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg

from ..db import setlists as setlist_store
from ..providers.clients import Providers


class PrefetchStopped(Exception):
    """A fetch no step took, stopped at `close` before its next page."""


@dataclass(frozen=True)
class ShowsParams:
    past_days: int


@dataclass(frozen=True)
class SetlistsParams:
    max_pages: int
    years_back: int
    force: bool


def shows_key(artist_id: str, attraction_id: str, params: ShowsParams) -> Hashable:
    return ("shows", artist_id, attraction_id, params)


def setlists_key(artist_id: str, mbid: str, params: SetlistsParams) -> Hashable:
    return ("setlists", artist_id, mbid, params)


class Prefetch:
    """The fetches started for one run process (owned by its provider clients, closed with them)."""

    def __init__(self, make_providers: Callable[[], Providers]) -> None:
        self._make_providers = make_providers
        self._providers: Providers | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[Hashable, Future[Any]] = {}
        self._lock = threading.Lock()
        self.stop = threading.Event()  # the fetches check it between pages

    def start(
        self,
        conn: psycopg.Connection,
        artist_id: str,
        *,
        today: date,
        shows: ShowsParams | None,
        setlists: SetlistsParams | None,
    ) -> list[str]:
        """Start the shows and/or setlists fetches of an artist whose profile is settled; returns the
        steps started (none when the artist has no id on that provider: the step says why itself)."""
        from .artist_setlists import fetch_setlists
        from .artist_shows import fetch_shows

        row = conn.execute(
            "SELECT tm_attraction_id, mbid FROM artists WHERE id = %s", (artist_id,)
        ).fetchone()
        if row is None:
            return []
        attraction_id, mbid = row
        started: list[str] = []
        if shows is not None and attraction_id:
            start = today - timedelta(days=shows.past_days)
            key = shows_key(artist_id, attraction_id, shows)
            if self._submit(key, lambda p: fetch_shows(p, attraction_id, start=start, stop=self.stop)):
                started.append("shows")
        if setlists is not None and mbid:
            # Read now, as the step would read it: nothing between the profile and the setlists step
            # writes this artist's setlists (the shows step writes shows only).
            known = setlist_store.known_setlist_ids(conn, artist_id)
            since = today - timedelta(days=365 * setlists.years_back)
            key = setlists_key(artist_id, mbid, setlists)
            sent = self._submit(
                key,
                lambda p: fetch_setlists(
                    p, mbid, known, since=since, max_pages=setlists.max_pages, force=setlists.force,
                    stop=self.stop,
                ),
            )  # fmt: skip
            if sent:
                started.append("setlists")
        return started

    def take(self, key: Hashable) -> Future[Any] | None:
        """The fetch started for `key`, removed (a step takes it once), or None: fetch yourself."""
        with self._lock:
            return self._pending.pop(key, None)

    def _submit(self, key: Hashable, fetch: Callable[[Providers], Any]) -> bool:
        with self._lock:
            if self.stop.is_set() or key in self._pending:
                return False  # closed (the run is ending), or already on its way
            if self._providers is None:
                self._providers = self._make_providers()
                # One thread per provider: each waits only on its own provider's pacing.
                self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prefetch")
            providers = self._providers
            assert self._pool is not None
            self._pending[key] = self._pool.submit(fetch, providers)
            return True

    def close(self) -> None:
        """Stop what no step took (before its next page), wait for the threads, close the clients."""
        self.stop.set()
        with self._lock:
            pool, providers, self._pending = self._pool, self._providers, {}
            self._pool = self._providers = None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if providers is not None:
            providers.close()


def provider_calls(calls: dict[str, int], provider: str) -> dict[str, int]:
    """`calls` of one provider: a fetch's own, also when another thread shares the counter."""
    return {k: v for k, v in calls.items() if k.split(":", 1)[0] == provider}
