"""setlist.fm API 1.0 (`x-api-key` header, `Accept: application/json`; 404 means "no results").

Cost (calls, each paced and counted; `S` = the artist's setlists, `k` = how many are new):
    search_artists(name)              1 (one page, sort=relevance)
    artist(mbid), setlist(id)         1 each
    venue_setlists(id)                max(1, ceil(S / 20)) for S setlists at the venue (not used by the
                                      importer: recorded answers and venue backfills)
    artist_setlists(mbid)             max(1, ceil(S / 20))           (pages of 20, newest first)
    ... stop_at_id / since            min(max(1, ceil(S / 20)), floor(k / 20) + 1)   (incremental)
    search_setlists(lastUpdated)      max(1, ceil(U / 20)) for U setlists updated since then
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from ...http import ProviderNotConfigured, ProviderSession, register_secret
from ...http.paths import segment
from ..base import parse, parse_items
from .models import Artist, ArtistPage, Setlist, SetlistPage

PROVIDER = "setlistfm"
PAGE_SIZE = 20  # fixed by the API


class SetlistFmClient:
    def __init__(self, session: ProviderSession, *, api_url: str, api_key: str | None) -> None:
        self._session = session
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        register_secret(api_key)

    def _get(self, endpoint: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """The answer, or None for a 404 (setlist.fm's way of saying "nothing")."""
        if not self._api_key:
            raise ProviderNotConfigured(
                PROVIDER,
                "SETLISTFM_API_KEY is not set: set it, or run under `mysetlist dev`, which points "
                "setlist.fm at the sandbox",
            )
        headers = {"x-api-key": self._api_key, "Accept": "application/json"}
        return self._session.get(
            endpoint, self.api_url + path, params=params, headers=headers, not_found_ok=True
        )

    def search_artists(self, name: str, *, page: int = 1) -> list[Artist]:
        """`GET /search/artists?artistName=&sort=relevance` (1 call); [] when nothing matches."""
        endpoint = "setlistfm:search_artists"
        data = self._get(endpoint, "/search/artists", {"artistName": name, "sort": "relevance", "p": page})
        if data is None:
            return []
        items = parse(ArtistPage, data, PROVIDER, endpoint).artist
        return parse_items(Artist, items, PROVIDER, endpoint, noun="artist")

    def artist(self, mbid: str) -> Artist | None:
        data = self._get("setlistfm:artist", f"/artist/{segment(mbid)}")
        return None if data is None else parse(Artist, data, PROVIDER, "setlistfm:artist")

    def setlist(self, setlist_id: str) -> Setlist | None:
        data = self._get("setlistfm:setlist", f"/setlist/{segment(setlist_id)}")
        return None if data is None else parse(Setlist, data, PROVIDER, "setlistfm:setlist")

    def iter_artist_setlists(
        self,
        mbid: str,
        *,
        stop_at_id: str | None = None,
        since: date | None = None,
        max_pages: int | None = None,
        skipped: Counter[str] | None = None,
        first_page: int = 1,
    ) -> Iterator[Setlist]:
        """`GET /artist/{mbid}/setlists?p=N`, newest first, pages of 20, from `first_page` on.

        For incremental syncs: stops before the setlist `stop_at_id` (the newest one already stored)
        and before the first setlist dated earlier than `since`; no page past the stop is fetched.
        A page of the wrong shape raises BadProviderResponse; a malformed setlist in a good page is
        left out and counted in `skipped`."""
        yield from self._iter_setlist_pages(
            "setlistfm:artist_setlists", f"/artist/{segment(mbid)}/setlists", stop_at_id=stop_at_id,
            since=since, max_pages=max_pages, skipped=skipped, first_page=first_page,
        )  # fmt: skip

    def venue_setlists(
        self, venue_id: str, *, max_pages: int | None = None, skipped: Counter[str] | None = None
    ) -> list[Setlist]:
        """`GET /venue/{id}/setlists?p=N` (every artist's shows at one venue, newest first), the same
        paging as an artist's: max(1, ceil(S / 20)) calls, or `max_pages`."""
        return list(
            self._iter_setlist_pages(
                "setlistfm:venue_setlists",
                f"/venue/{segment(venue_id)}/setlists",
                max_pages=max_pages,
                skipped=skipped,
            )
        )

    def _iter_setlist_pages(
        self,
        endpoint: str,
        path: str,
        *,
        stop_at_id: str | None = None,
        since: date | None = None,
        max_pages: int | None = None,
        skipped: Counter[str] | None = None,
        first_page: int = 1,
    ) -> Iterator[Setlist]:
        page = first_page
        while max_pages is None or page < first_page + max_pages:
            data = self._get(endpoint, path, {"p": page})
            if data is None:
                return
            result = parse(SetlistPage, data, PROVIDER, endpoint)
            items = parse_items(Setlist, result.setlist, PROVIDER, endpoint, noun="setlist", skipped=skipped)
            for setlist in items:
                if setlist.id == stop_at_id or (since is not None and setlist.event_date < since):
                    return
                yield setlist
            per_page = result.items_per_page or PAGE_SIZE
            if not result.setlist or result.page * per_page >= result.total:
                return
            page += 1

    def artist_setlists(
        self,
        mbid: str,
        *,
        stop_at_id: str | None = None,
        since: date | None = None,
        max_pages: int | None = None,
    ) -> list[Setlist]:
        return list(self.iter_artist_setlists(mbid, stop_at_id=stop_at_id, since=since, max_pages=max_pages))

    def search_setlists(
        self, *, artist_mbid: str, last_updated: datetime, skipped: Counter[str] | None = None
    ) -> list[Setlist]:
        """`GET /search/setlists?artistMbid=&lastUpdated=yyyyMMddHHmmss`: setlists changed since then
        (malformed ones left out and counted in `skipped`)."""
        found: list[Setlist] = []
        page = 1
        if last_updated.tzinfo is not None:  # the API reads the stamp as UTC
            last_updated = last_updated.astimezone(UTC)
        stamp = last_updated.strftime("%Y%m%d%H%M%S")
        while True:
            data = self._get(
                "setlistfm:search_setlists",
                "/search/setlists",
                {"artistMbid": artist_mbid, "lastUpdated": stamp, "p": page},
            )
            if data is None:
                return found
            result = parse(SetlistPage, data, PROVIDER, "setlistfm:search_setlists")
            found.extend(
                parse_items(
                    Setlist,
                    result.setlist,
                    PROVIDER,
                    "setlistfm:search_setlists",
                    noun="setlist",
                    skipped=skipped,
                )
            )
            if not result.setlist or result.page * (result.items_per_page or PAGE_SIZE) >= result.total:
                return found
            page += 1

    def updated_setlists(
        self, last_updated: datetime, *, page: int = 1, skipped: Counter[str] | None = None
    ) -> tuple[list[Setlist], int]:
        """One page of `GET /search/setlists?lastUpdated=yyyyMMddHHmmss` with no other criterion: every
        setlist changed since then (the signal plan's feed; whether setlist.fm accepts `lastUpdated`
        alone is an assumption, docs/operations.md). Returns (setlists, total); a 404 is an empty page."""
        if last_updated.tzinfo is not None:
            last_updated = last_updated.astimezone(UTC)
        data = self._get(
            "setlistfm:search_setlists",
            "/search/setlists",
            {"lastUpdated": last_updated.strftime("%Y%m%d%H%M%S"), "p": page},
        )
        if data is None:
            return [], 0
        result = parse(SetlistPage, data, PROVIDER, "setlistfm:search_setlists")
        items = parse_items(
            Setlist, result.setlist, PROVIDER, "setlistfm:search_setlists", noun="setlist", skipped=skipped
        )
        return items, result.total


def setlists_cost(setlists: int) -> int:
    """Calls to read all of an artist's `setlists` setlists."""
    return max(1, math.ceil(setlists / PAGE_SIZE))
