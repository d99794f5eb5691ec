"""The world's answers at the providers' real paths, in the shapes of the bundled-data handlers.

Ticketmaster: `events.json` (countryCode, classificationName, startDateTime/endDateTime, attractionId,
size <= 200, page with size*page < 1000 else DIS1035, sort=date,asc), `events/{id}`. setlist.fm:
`search/setlists` (lastUpdated alone or with artistMbid; 404 when empty), `artist/{mbid}/setlists`.
Spotify: `artists/{id}`, `artists/{id}/albums` (newest first, limit <= 10), `albums/{id}`. The world's
"now" is the sandbox's `today` at 06:00 UTC (the minute the benchmark plans at). Auth, rate windows,
quotas (429s) and faults are the server's, as for every other answer.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .. import ids
from ..context import Ctx
from ..http import Request, Response, Route, json_response
from ..ticketmaster.api import BadRequest, _paging, _when, errors, hal_page
from ..ticketmaster.shapes import _classifications, _images
from .index import Indexes
from .model import DAY, World

NOW_MINUTE = 6 * 60  # the world is asked about at 06:00 UTC of the sandbox's today
FM_PAGE = 20
_STAMP = re.compile(r"^\d{14}$")
_COUNTRY = {
    "US": "United States Of America", "GB": "Great Britain", "IE": "Ireland", "DE": "Germany",
    "NL": "Netherlands", "FR": "France", "SE": "Sweden", "DK": "Denmark", "ES": "Spain", "IT": "Italy",
}  # fmt: skip


class WorldRoutes:
    def __init__(self, world: World) -> None:
        self.world = world
        self.indexes = Indexes(world)

    def now(self, ctx: Ctx) -> int:
        return (ctx.today - self.world.config.start).days * DAY + NOW_MINUTE

    def resolve(self, provider: str, req: Request) -> Route | None:
        """The world's route for this request, or None (the bundled handlers answer it)."""
        if req.method != "GET":
            return None
        p = req.path
        table = {
            "ticketmaster": (
                (r"/discovery/v2/events(?:\.json)?", "ticketmaster:events", self.tm_events),
                (r"/discovery/v2/events/([^/]+?)(?:\.json)?", "ticketmaster:event", self.tm_event),
            ),
            "setlistfm": (
                (r"/rest/1\.0/search/setlists", "setlistfm:search_setlists", self.fm_search),
                (r"/rest/1\.0/artist/([^/]+)/setlists", "setlistfm:artist_setlists", self.fm_artist_setlists),
            ),
            "spotify": (
                (r"/v1/artists/([^/]+)", "spotify:artist", self.sp_artist),
                (r"/v1/artists/([^/]+)/albums", "spotify:artist_albums", self.sp_albums),
                (r"/v1/albums/([^/]+)", "spotify:album", self.sp_album),
            ),
        }
        for pattern, endpoint, handler in table.get(provider, ()):
            m = re.fullmatch(pattern, p)
            if m and self._ours(endpoint, m.groups(), req):
                return Route(endpoint, handler, m.groups())
        return None

    def _ours(self, endpoint: str, args: tuple[str, ...], req: Request) -> bool:
        """Ids of the bundled artists (imports the benchmark runs beside the fleet) fall through."""
        w = self.world
        if endpoint == "ticketmaster:events":
            attraction = req.arg("attractionId")
            return not attraction or attraction in w.by_tm
        if endpoint in ("spotify:artist", "spotify:artist_albums"):
            return args[0] in w.by_spotify
        if endpoint == "setlistfm:artist_setlists":
            return args[0] in w.by_mbid
        if endpoint == "setlistfm:search_setlists":
            return not req.arg("artistMbid") or req.arg("artistMbid") in w.by_mbid
        if endpoint == "spotify:album":
            return args[0] in self._album_index()
        if endpoint == "ticketmaster:event":
            return self.indexes.event_by_id(args[0]) is not None
        return True

    def _album_index(self) -> dict[str, int]:
        if not hasattr(self, "_albums"):
            w = self.world
            self._albums = {w.album_id(r): r for r in range(len(w.rel["artist"]))}
        return self._albums

    # -- Ticketmaster ---------------------------------------------------------------------------
    def tm_events(self, ctx: Ctx) -> Response:
        try:
            start, end = _when(ctx, "startDateTime"), _when(ctx, "endDateTime")
            size, page = _paging(ctx)
        except BadRequest as exc:
            return errors(400, exc.code, exc.detail)
        w, t = self.world, self.now(ctx)
        lo = w.minute(start) if start else (t // DAY) * DAY
        hi = w.minute(end) if end else None
        attraction = ctx.req.arg("attractionId")
        if attraction:
            artist = w.by_tm.get(attraction)
            found = [] if artist is None else self._attraction_events(artist, t, lo, hi)
        else:
            found = self.indexes.at(t).window((ctx.req.arg("countryCode") or "").upper() or None, lo, hi)
        chunk = [self.event_json(ctx, e, t) for e in found[page * size : (page + 1) * size]]
        return hal_page(ctx, "events", "events.json", chunk, len(found), size, page)

    def _attraction_events(self, artist: int, t: int, lo: int, hi: int | None) -> list[int]:
        w = self.world
        keep = [
            (w.event_start_utc(e, t), e)
            for e in self.indexes.events_of(artist)
            if w.listed(e, t)
            and w.event_start_utc(e, t) >= lo
            and (hi is None or w.event_start_utc(e, t) <= hi)
        ]
        return [e for _, e in sorted(keep)]

    def tm_event(self, ctx: Ctx, event_id: str) -> Response:
        e = self.indexes.event_by_id(event_id)
        t = self.now(ctx)
        if e is None or self.world.ev["announce"][e] > t:
            return errors(
                404, "DIS1004", f"Resource not found with provided criteria (locale=en-us, id={event_id})"
            )
        return json_response(200, self.event_json(ctx, e, t))

    def attraction_json(self, i: int) -> dict[str, Any]:
        w = self.world
        mbid, spotify = w.mbids[i], w.spotify_ids[i]
        return {
            "name": w.artist_name(i),
            "type": "attraction",
            "id": w.tm_ids[i],
            "url": f"https://www.ticketmaster.com/world-artist-{i}-tickets/artist/{i}",
            "locale": "en-us",
            "externalLinks": {
                "spotify": [{"url": f"https://open.spotify.com/artist/{spotify}"}],
                "musicbrainz": [{"id": mbid, "url": f"https://musicbrainz.org/artist/{mbid}"}],
            },
            "images": _images(w.tm_ids[i]),
            "classifications": _classifications("Rock"),
        }

    def event_json(self, ctx: Ctx, e: int, t: int) -> dict[str, Any]:
        w = self.world
        ev = w.ev
        venue = w.venues[ev["venue"][e]]
        day = w.day_of(w.event_day(e, t))
        local = ev["local"][e]
        start_utc = w.at(w.event_start_utc(e, t)).strftime("%Y-%m-%dT%H:%M:%SZ")
        acts = [ev["artist"][e]] + ([ev["support"][e]] if ev["support"][e] >= 0 else [])
        event_id = w.event_id(e)
        venue_shape: dict[str, Any] = {
            "name": venue.name,
            "type": "venue",
            "id": venue.tm_id,
            "locale": "en-us",
            "postalCode": venue.postal,
            "timezone": venue.tz,
            "city": {"name": venue.city},
            "country": {"name": _COUNTRY[venue.cc], "countryCode": venue.cc},
            "address": {"line1": f"{venue.index} Main Street"},
            "location": {"longitude": f"{venue.lon}", "latitude": f"{venue.lat}"},
        }
        if venue.state:
            venue_shape["state"] = {"name": venue.state, "stateCode": venue.state_code}
        return {
            "name": w.artist_name(acts[0]),
            "type": "event",
            "id": event_id,
            "url": f"https://www.ticketmaster.com/event/{event_id}",
            "locale": "en-us",
            "dates": {
                "start": {
                    "localDate": day.isoformat(),
                    "localTime": f"{local // 60:02d}:{local % 60:02d}:00",
                    "dateTime": start_utc,
                    "dateTBD": False,
                    "dateTBA": False,
                    "timeTBA": False,
                    "noSpecificTime": False,
                },
                "timezone": venue.tz,
                "status": {"code": w.event_status(e, t)},
            },
            "classifications": _classifications("Rock"),
            "_embedded": {"venues": [venue_shape], "attractions": [self.attraction_json(a) for a in acts]},
        }

    # -- setlist.fm -----------------------------------------------------------------------------
    def fm_search(self, ctx: Ctx) -> Response:
        raw, mbid = ctx.req.arg("lastUpdated"), ctx.req.arg("artistMbid")
        if not raw and not mbid:
            return _fm_error(400, "Bad Request", "at least one search criterion must be given")
        if raw and not _STAMP.match(raw):
            return _fm_error(400, "Bad Request", "lastUpdated must be of the form yyyyMMddHHmmss")
        w, t = self.world, self.now(ctx)
        since = (
            w.minute(datetime.strptime(raw, "%Y%m%d%H%M%S").replace(tzinfo=w.epoch.tzinfo)) if raw else None
        )
        if mbid:
            artist = w.by_mbid.get(mbid)
            found = [] if artist is None else self._artist_setlists(artist, t)
            if since is not None:
                found = [e for e in found if (w.setlist_updated(e, t) or 0) >= since]
        else:
            assert since is not None
            found = self.indexes.at(t).updated_since(since)
        return self._fm_page(ctx, found, t)

    def fm_artist_setlists(self, ctx: Ctx, mbid: str) -> Response:
        artist = self.world.by_mbid.get(mbid)
        if artist is None:
            return _fm_error(404, "Not Found", "not found")
        t = self.now(ctx)
        return self._fm_page(ctx, self._artist_setlists(artist, t), t)

    def _artist_setlists(self, artist: int, t: int) -> list[int]:
        w = self.world
        own = [e for e in w.events_of[artist] if w.setlist_updated(e, t) is not None]
        return sorted(own, key=lambda e: (-w.event_day(e, t), e))  # newest first

    def _fm_page(self, ctx: Ctx, found: list[int], t: int) -> Response:
        raw = ctx.req.arg("p") or "1"
        if not raw.isdigit() or int(raw) < 1:
            return _fm_error(400, "Bad Request", "invalid page number")
        p = int(raw)
        chunk = found[(p - 1) * FM_PAGE : p * FM_PAGE]
        if not chunk:
            return _fm_error(404, "Not Found", "not found")
        body = {
            "type": "setlists",
            "itemsPerPage": FM_PAGE,
            "page": p,
            "total": len(found),
            "setlist": [self.setlist_json(e, t) for e in chunk],
        }
        return json_response(200, body)

    def setlist_json(self, e: int, t: int) -> dict[str, Any]:
        w = self.world
        i = w.ev["artist"][e]
        venue = w.venues[w.ev["venue"][e]]
        day = w.day_of(w.event_day(e, t))
        updated = w.at(w.setlist_updated(e, t) or 0)
        edited = w.ev["edited"][e] <= t
        songs = w.setlist_songs(e)
        if not edited:  # the first version lacks the encore; an edit completes it
            songs = songs[: max(1, len(songs) - 2)]
        sid = w.setlist_id(e)
        city: dict[str, Any] = {
            "id": str(ids.number(f"fm-city:{venue.city}", 1000000, 9999999)),
            "name": venue.city,
            "coords": {"lat": venue.lat, "long": venue.lon},
            "country": {"code": venue.cc, "name": _COUNTRY[venue.cc]},
        }
        if venue.state:
            city.update(state=venue.state, stateCode=venue.state_code)
        return {
            "id": sid,
            "versionId": f"7{sid[1:]}" if edited else f"6{sid[1:]}",
            "eventDate": day.strftime("%d-%m-%Y"),
            "lastUpdated": updated.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "artist": {
                "mbid": w.mbids[i],
                "name": w.artist_name(i),
                "sortName": w.artist_name(i),
                "disambiguation": "",
                "url": f"https://www.setlist.fm/setlists/world-artist-{i}.html",
            },
            "venue": {
                "id": venue.fm_id,
                "name": venue.name,
                "city": city,
                "url": f"https://www.setlist.fm/venue/{venue.fm_id}.html",
            },
            "sets": {"set": [{"song": [{"name": s} for s in songs]}]},
            "url": f"https://www.setlist.fm/setlist/world-artist-{i}/{day.year}/{sid}.html",
        }

    # -- Spotify --------------------------------------------------------------------------------
    def sp_artist(self, ctx: Ctx, artist_id: str) -> Response:
        i = self.world.by_spotify.get(artist_id)
        if i is None:
            return _sp_error(404, "Resource not found")
        return json_response(
            200, {**self._artist_ref(ctx, i), "genres": ["rock"], "images": _sp_images(artist_id)}
        )

    def _artist_ref(self, ctx: Ctx, i: int) -> dict[str, Any]:
        sid = self.world.spotify_ids[i]
        return {
            "external_urls": {"spotify": f"https://open.spotify.com/artist/{sid}"},
            "href": f"{ctx.req.base}/v1/artists/{sid}",
            "id": sid,
            "name": self.world.artist_name(i),
            "type": "artist",
            "uri": f"spotify:artist:{sid}",
        }

    def sp_albums(self, ctx: Ctx, artist_id: str) -> Response:
        from ..spotify.shapes import paging

        i = self.world.by_spotify.get(artist_id)
        try:
            limit = int(ctx.req.arg("limit") or 5)
            offset = int(ctx.req.arg("offset") or 0)
        except ValueError:
            return _sp_error(400, "Invalid limit")
        if not 1 <= limit <= 10:
            return _sp_error(400, "Invalid limit")
        if i is None:
            return _sp_error(404, "Resource not found")
        groups = set((ctx.req.arg("include_groups") or "album,single").split(","))
        t = self.now(ctx)
        w = self.world
        out = [
            r
            for r in reversed(w.releases_of[i])
            if w.release_out(r, t) and ("album" if w.rel["tracks"][r] > 2 else "single") in groups
        ]
        items = [self._album_simple(ctx, r) for r in out[offset : offset + limit]]
        return json_response(
            200, paging(ctx, f"/v1/artists/{artist_id}/albums", items, len(out), offset, limit)
        )  # type: ignore[arg-type]

    def _album_simple(self, ctx: Ctx, r: int) -> dict[str, Any]:
        w = self.world
        aid = w.album_id(r)
        day = w.day_of(w.rel["minute"][r] // DAY)
        return {
            "album_type": "album" if w.rel["tracks"][r] > 2 else "single",
            "total_tracks": w.rel["tracks"][r],
            "external_urls": {"spotify": f"https://open.spotify.com/album/{aid}"},
            "href": f"{ctx.req.base}/v1/albums/{aid}",
            "id": aid,
            "images": _sp_images(aid),
            "name": w.release_name(r),
            "release_date": day.isoformat(),
            "release_date_precision": "day",
            "type": "album",
            "uri": f"spotify:album:{aid}",
            "artists": [self._artist_ref(ctx, w.rel["artist"][r])],
        }

    def sp_album(self, ctx: Ctx, album_id: str) -> Response:
        w = self.world
        r = self._album_index().get(album_id)
        if r is None or not w.release_out(r, self.now(ctx)):
            return _sp_error(404, "Resource not found")
        from ..spotify.shapes import paging

        i = w.rel["artist"][r]
        tracks = []
        for n in range(1, w.rel["tracks"][r] + 1):
            tid = w.track_id(r, n)
            tracks.append({
                "artists": [self._artist_ref(ctx, i)], "disc_number": 1, "duration_ms": 180000 + 1000 * n,
                "explicit": False, "external_urls": {"spotify": f"https://open.spotify.com/track/{tid}"},
                "href": f"{ctx.req.base}/v1/tracks/{tid}", "id": tid, "is_local": False,
                "name": w.release_song(r, n), "preview_url": None, "track_number": n, "type": "track",
                "uri": f"spotify:track:{tid}", "is_playable": True,
            })  # fmt: skip
        body = {
            **self._album_simple(ctx, r),
            "tracks": paging(ctx, f"/v1/albums/{album_id}/tracks", tracks, len(tracks), 0, 50),  # type: ignore[arg-type]
            "copyrights": [],
            "external_ids": {"upc": f"{100000000000 + r}"},
            "genres": [],
        }
        return json_response(200, body)


def _fm_error(status: int, reason: str, message: str) -> Response:
    return json_response(status, {"code": status, "status": reason, "message": message})


def _sp_error(status: int, message: str) -> Response:
    return json_response(status, {"error": {"status": status, "message": message}})


def _sp_images(seed: str) -> list[dict[str, Any]]:
    return [
        {"url": f"https://i.scdn.co/image/ab6761610000{s:04x}{seed[:20]}", "height": s, "width": s}
        for s in (640, 320, 160)
    ]
