"""Fake setlist.fm API 1.0: `x-api-key` auth, JSON only for `Accept: application/json` (XML otherwise,
406 for types it cannot produce), 404 for no results, pages of 20 newest first, `dd-MM-yyyy` dates,
songs nested as `sets.set[].song[]`, and no `Retry-After` on its 429s (faults.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..context import Ctx
from ..http import Request, Response, Route, json_response
from ..ids import fold, words
from . import CREDENTIALS
from .setlists import Setlist
from .shapes import artist_json, setlist_json

_PREFIX = "/rest/1.0"
SETLISTS_PER_PAGE = 20
ARTISTS_PER_PAGE = 30
_DDMMYYYY = re.compile(r"^\d{2}-\d{2}-\d{4}$")
_LAST_UPDATED = re.compile(r"^\d{14}$")


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def error(status: int, reason: str, message: str) -> Response:
    return json_response(
        status, {"code": status, "status": reason, "message": message, "timestamp": _now_stamp()}
    )


def not_found() -> Response:
    return error(404, "Not Found", "not found")


def resolve(req: Request) -> Route:
    if req.method == "GET":
        for pattern, endpoint, handler in _ROUTES:
            m = re.fullmatch(_PREFIX + pattern, req.path)
            if m:
                return Route(endpoint, handler, m.groups())
    return Route("setlistfm:unknown", lambda ctx: not_found())


def authenticate(ctx: Ctx, endpoint: str) -> tuple[Response | None, str | None]:
    key = ctx.req.header("x-api-key")
    if key != CREDENTIALS["SETLISTFM_API_KEY"]:
        return error(401, "Unauthorized", "Unauthorized" if key else "No API key given"), key
    return None, key


# -- handlers -----------------------------------------------------------------------------------
def _page_number(ctx: Ctx) -> int | None:
    raw = ctx.req.arg("p") or "1"
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


def _setlist_page(ctx: Ctx, found: list[Setlist]) -> Response:
    p = _page_number(ctx)
    if p is None:
        return error(400, "Bad Request", "invalid page number")
    chunk = found[(p - 1) * SETLISTS_PER_PAGE : p * SETLISTS_PER_PAGE]
    if not chunk:  # no results (or past the last page) is a 404, never an empty list
        return not_found()
    body = {
        "type": "setlists",
        "itemsPerPage": SETLISTS_PER_PAGE,
        "page": p,
        "total": len(found),
        "setlist": [setlist_json(ctx, s) for s in chunk],
    }
    return json_response(200, body)


def search_artists(ctx: Ctx) -> Response:
    name, by_mbid = ctx.req.arg("artistName"), ctx.req.arg("artistMbid")
    if not name and not by_mbid:
        return error(400, "Bad Request", "at least one of artistMbid, artistName or artistTmid must be given")
    p = _page_number(ctx)
    if p is None:
        return error(400, "Bad Request", "invalid page number")
    query = words(name or "")
    # Full-text and forgiving, like the real search: any word may match ("Paper Satellites" also finds
    # "Paper Satellite"); relevance puts exact names first, then the most words matched.
    scored = [
        (_hits(query, a.name), a) for a in ctx.live.fm_artists.values() if not by_mbid or a.mbid == by_mbid
    ]
    found = [a for hits, a in scored if hits or not query]
    if (ctx.req.arg("sort") or "sortName") == "relevance":
        hits_of = {a.mbid: hits for hits, a in scored}
        found.sort(key=lambda a: (words(a.name) != query, -hits_of[a.mbid], fold(a.sort_name), a.mbid))
    else:
        found.sort(key=lambda a: (fold(a.sort_name), a.mbid))
    chunk = found[(p - 1) * ARTISTS_PER_PAGE : p * ARTISTS_PER_PAGE]
    if not chunk:
        return not_found()
    body = {
        "type": "artists",
        "itemsPerPage": ARTISTS_PER_PAGE,
        "page": p,
        "total": len(found),
        "artist": [artist_json(a) for a in chunk],
    }
    return json_response(200, body)


def _hits(query: list[str], name: str) -> int:
    have = words(name)
    return sum(1 for q in query if any(w.startswith(q) or q.startswith(w) for w in have))


def get_artist(ctx: Ctx, artist_mbid: str) -> Response:
    a = ctx.live.fm_artists.get(artist_mbid)
    return json_response(200, artist_json(a)) if a else not_found()


def artist_setlists(ctx: Ctx, artist_mbid: str) -> Response:
    if artist_mbid not in ctx.live.fm_artists:
        return not_found()
    return _setlist_page(ctx, ctx.live.setlists_by_mbid.get(artist_mbid, []))


def get_setlist(ctx: Ctx, setlist_id: str) -> Response:
    sl = ctx.live.setlists_by_id.get(setlist_id)
    return json_response(200, setlist_json(ctx, sl)) if sl else not_found()


def search_setlists(ctx: Ctx) -> Response:
    q = ctx.req
    criteria = ("artistMbid", "artistName", "date", "year", "lastUpdated", "venueName", "cityName")
    if not any(q.arg(c) for c in criteria):
        return error(400, "Bad Request", "at least one search criterion must be given")
    updated_since = None
    if raw := q.arg("lastUpdated"):
        if not _LAST_UPDATED.match(raw):
            return error(400, "Bad Request", "lastUpdated must be of the form yyyyMMddHHmmss")
        updated_since = datetime.strptime(raw, "%Y%m%d%H%M%S")
    if (day := q.arg("date")) and not _DDMMYYYY.match(day):
        return error(400, "Bad Request", "date must be of the form dd-MM-yyyy")
    found = []
    for sl in ctx.live.setlists:
        artist = ctx.live.fm_artists[sl.artist_mbid]
        if (m := q.arg("artistMbid")) and sl.artist_mbid != m:
            continue
        if (n := q.arg("artistName")) and words(n) != words(artist.name):
            continue
        if day and sl.event_date.strftime("%d-%m-%Y") != day:
            continue
        if (y := q.arg("year")) and str(sl.event_date.year) != y:
            continue
        if updated_since and sl.last_updated.replace(tzinfo=None) < updated_since:
            continue
        if (vn := q.arg("venueName")) and words(vn) != words(sl.venue.name):
            continue
        if (cn := q.arg("cityName")) and words(cn) != words(sl.venue.city or ""):
            continue
        found.append(sl)
    return _setlist_page(ctx, found)


_ROUTES = (
    (r"/search/artists", "setlistfm:search_artists", search_artists),
    (r"/artist/([^/]+)", "setlistfm:artist", get_artist),
    (r"/artist/([^/]+)/setlists", "setlistfm:artist_setlists", artist_setlists),
    (r"/setlist/([^/]+)", "setlistfm:setlist", get_setlist),
    (r"/search/setlists", "setlistfm:search_setlists", search_setlists),
)
