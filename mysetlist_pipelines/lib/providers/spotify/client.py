"""Spotify Web API, client-credentials flow, Development Mode: only the endpoints still open to it.

Cost per artist (calls, each paced and counted; `R` releases of the asked include_groups, `t_i` the
track count of release i):
    token                1 per process per token lifetime (3600 s), +1 after a 401
    artist(id)           1
    search_artists(q)    1 (one page, limit <= 10)
    artist_albums        max(1, ceil(R / 10))           (limit is capped at 10 in Development Mode)
    album(id)            1 + max(0, ceil((t_i - 50) / 50))   (the album embeds its first 50 tracks)
    track(id)            1 per track, only when its ISRC is needed
  catalog = max(1, ceil(R/10)) + R + sum_i max(0, ceil((t_i - 50)/50))  [+ ISRCs]
  e.g. 120 releases of <= 50 tracks: 12 + 120 = 132 calls (+1 token).
The batch endpoints (`/albums?ids=`, `/artists?ids=`, `/tracks?ids=`), top-tracks, related artists,
browse and audio features are removed for Development Mode (403) and never called.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from ...http import ProviderAuthError, ProviderNotConfigured, ProviderSession, register_secret
from ...http.errors import BadProviderResponse
from ...http.paths import segment
from ..base import parse, parse_items
from .models import Album, Artist, ArtistSearch, Paging, SimplifiedAlbum, SimplifiedTrack, Token, Track

PROVIDER = "spotify"
MAX_PAGE = 10  # artist albums and search: more is 400 "Invalid limit" in Development Mode
MAX_TRACK_PAGE = 50
DEFAULT_GROUPS = ("album", "single")


class SpotifyClient:
    def __init__(
        self,
        session: ProviderSession,
        *,
        api_url: str,
        auth_url: str,
        client_id: str | None,
        client_secret: str | None,
        market: str = "US",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self.api_url = api_url.rstrip("/")
        self.auth_url = auth_url
        self._client_id = client_id
        self._client_secret = client_secret
        register_secret(client_id)
        register_secret(client_secret)
        self.market = market
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    # -- auth ---------------------------------------------------------------------------------

    def _access_token(self, *, force: bool = False) -> str:
        with self._lock:
            if force or self._token is None or self._clock() >= self._refresh_at:
                self._token, self._refresh_at = self._fetch_token()
            return self._token

    def _fetch_token(self) -> tuple[str, float]:
        if not (self._client_id and self._client_secret):
            raise ProviderNotConfigured(
                PROVIDER,
                "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set: set them, or run under "
                "`mysetlist dev`, which points Spotify at the sandbox",
                endpoint="spotify:token",
            )
        data = self._session.request(
            "spotify:token",
            "POST",
            self.auth_url,
            data={"grant_type": "client_credentials"},
            auth=(self._client_id, self._client_secret),
        )
        token = parse(Token, data, PROVIDER, "spotify:token")
        register_secret(token.access_token)
        if token.token_type.lower() != "bearer":
            raise BadProviderResponse(
                PROVIDER, f"token_type {token.token_type!r}, expected Bearer", endpoint="spotify:token"
            )
        # Refresh before expiry: a minute early, or a tenth of the lifetime when that is shorter.
        margin = min(60.0, token.expires_in * 0.1)
        return token.access_token, self._clock() + token.expires_in - margin

    def _get(
        self, endpoint: str, url: str, params: dict[str, Any] | None = None, *, not_found_ok: bool = False
    ) -> Any:
        if not url.startswith(("http://", "https://")):
            url = self.api_url + url
        token = self._access_token()
        try:
            return self._session.get(
                endpoint, url, params=params, headers=_bearer(token), not_found_ok=not_found_ok
            )
        except ProviderAuthError:
            pass  # expired or revoked: one fresh token, one more try (outside the except: no chaining)
        token = self._access_token(force=True)
        return self._session.get(
            endpoint, url, params=params, headers=_bearer(token), not_found_ok=not_found_ok
        )

    def _follow(self, next_url: str) -> str:
        """A `next` link, kept on our API base (a proxy or sandbox base stays in use; the bearer token
        is never sent to another host)."""
        if next_url.startswith(self.api_url + "/"):
            return next_url
        parts, base = urlsplit(next_url), urlsplit(self.api_url)
        tail = parts.path
        prefix = base.path.rstrip("/")
        anchor = "/" + prefix.rsplit("/", 1)[-1] + "/" if prefix else "/"
        if anchor not in tail:
            raise BadProviderResponse(PROVIDER, f"unexpected next link path {tail!r}")
        rest = tail.split(anchor, 1)[1]
        return f"{self.api_url}/{rest}" + (f"?{parts.query}" if parts.query else "")

    # -- endpoints ----------------------------------------------------------------------------

    def artist(self, artist_id: str) -> Artist | None:
        """`GET /artists/{id}` (1 call); None when Spotify does not know the id."""
        data = self._get("spotify:artist", f"/artists/{segment(artist_id)}", not_found_ok=True)
        return None if data is None else parse(Artist, data, PROVIDER, "spotify:artist")

    def search_artists(self, name: str, *, limit: int = MAX_PAGE) -> list[Artist]:
        """`GET /search?type=artist&q=artist:"name"` (1 call, one page of at most 10)."""
        _check_limit(limit, MAX_PAGE)
        query = name.replace('"', " ").strip()
        data = self._get(
            "spotify:search",
            "/search",
            {"q": f'artist:"{query}"', "type": "artist", "market": self.market, "limit": limit},
        )
        items = parse(ArtistSearch, data, PROVIDER, "spotify:search").artists.items
        return parse_items(Artist, items, PROVIDER, "spotify:search", noun="artist")

    def iter_artist_albums(
        self,
        artist_id: str,
        include_groups: Iterable[str] = DEFAULT_GROUPS,
        *,
        limit: int = MAX_PAGE,
        skipped: Counter[str] | None = None,
    ) -> Iterator[SimplifiedAlbum]:
        """`GET /artists/{id}/albums` pages of `limit` (<= 10), following `next`:
        max(1, ceil(R / limit)) calls. Ask each group separately to know which group a release is in
        (Development Mode answers carry no `album_group`). A malformed release of a good page is left
        out and counted in `skipped`."""
        _check_limit(limit, MAX_PAGE)
        url: str | None = f"{self.api_url}/artists/{segment(artist_id)}/albums"
        params: dict[str, Any] | None = {
            "include_groups": ",".join(include_groups),
            "market": self.market,
            "limit": limit,
            "offset": 0,
        }
        while url:
            data = self._get("spotify:artist_albums", url, params)
            page = parse(Paging[Any], data, PROVIDER, "spotify:artist_albums")
            yield from parse_items(
                SimplifiedAlbum,
                page.items,
                PROVIDER,
                "spotify:artist_albums",
                noun="release",
                skipped=skipped,
            )
            url, params = (self._follow(page.next), None) if page.next and page.items else (None, None)

    def release_count(self, artist_id: str, include_groups: Iterable[str] = DEFAULT_GROUPS) -> int:
        """The `total` of `GET /artists/{id}/albums?limit=1` (1 call): how many releases Spotify lists,
        which the signal plan compares with the releases stored to know whether a catalog changed."""
        params = {"include_groups": ",".join(include_groups), "market": self.market, "limit": 1, "offset": 0}
        data = self._get(
            "spotify:artist_albums", f"{self.api_url}/artists/{segment(artist_id)}/albums", params
        )
        return parse(Paging[Any], data, PROVIDER, "spotify:artist_albums").total

    def artist_albums(
        self,
        artist_id: str,
        include_groups: Iterable[str] = DEFAULT_GROUPS,
        *,
        limit: int = MAX_PAGE,
        skipped: Counter[str] | None = None,
    ) -> list[SimplifiedAlbum]:
        return list(self.iter_artist_albums(artist_id, include_groups, limit=limit, skipped=skipped))

    def album(self, album_id: str, *, all_tracks: bool = True) -> Album | None:
        """`GET /albums/{id}` (1 call, first 50 tracks embedded); with `all_tracks`, the rest through
        `GET /albums/{id}/tracks` pages of 50: max(0, ceil((total - 50) / 50)) more calls."""
        data = self._get(
            "spotify:album", f"/albums/{segment(album_id)}", {"market": self.market}, not_found_ok=True
        )
        if data is None:
            return None
        album = parse(Album, data, PROVIDER, "spotify:album")
        tracks = album.tracks
        if not all_tracks or len(tracks.items) >= tracks.total:
            return album
        items = list(tracks.items)
        items.extend(self.album_tracks(album_id, offset=len(items), total=tracks.total))
        full = Paging[SimplifiedTrack](items=items, total=tracks.total, limit=len(items), offset=0)
        return album.model_copy(update={"tracks": full})

    def album_tracks(
        self, album_id: str, *, offset: int = 0, total: int | None = None
    ) -> list[SimplifiedTrack]:
        """Tracks from `offset` on, pages of 50 (`ceil((total - offset) / 50)` calls when total is known)."""
        items: list[SimplifiedTrack] = []
        while total is None or offset < total:
            data = self._get(
                "spotify:album_tracks",
                f"/albums/{segment(album_id)}/tracks",
                {"market": self.market, "limit": MAX_TRACK_PAGE, "offset": offset},
            )
            page = parse(Paging[SimplifiedTrack], data, PROVIDER, "spotify:album_tracks")
            items.extend(page.items)
            total = page.total
            offset += len(page.items)
            if not page.items:
                break
        return items

    def track(self, track_id: str) -> Track | None:
        """`GET /tracks/{id}` (1 call): only for the ISRC, which no other open endpoint returns."""
        data = self._get(
            "spotify:track", f"/tracks/{segment(track_id)}", {"market": self.market}, not_found_ok=True
        )
        return None if data is None else parse(Track, data, PROVIDER, "spotify:track")


def catalog_cost(release_track_counts: Iterable[int], *, page: int = MAX_PAGE) -> int:
    """Calls for one artist's catalog (album list + albums with all tracks), excluding the token."""
    counts = list(release_track_counts)
    pages = max(1, math.ceil(len(counts) / page))
    extra = sum(max(0, math.ceil((t - MAX_TRACK_PAGE) / MAX_TRACK_PAGE)) for t in counts)
    return pages + len(counts) + extra


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _check_limit(limit: int, most: int) -> None:
    if not 1 <= limit <= most:
        raise ValueError(f"limit must be 1..{most} in Spotify Development Mode, got {limit}")
