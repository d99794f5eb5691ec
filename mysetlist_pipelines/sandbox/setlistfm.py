"""Fake setlist.fm API 1.0: `x-api-key` auth, JSON only for `Accept: application/json` (XML otherwise,
406 for types it cannot produce), 404 for no results, pages of 20 newest first, `dd-MM-yyyy` dates,
songs nested as `sets.set[].song[]`, and no `Retry-After` on its 429s (faults.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from . import SANDBOX_CREDENTIALS
from .context import Ctx
from .http import Request, Response, Route, json_response
from .ids import fold, mbid, slug, words
from .setlists import FmArtist, Setlist, Song

_PREFIX = "/rest/1.0"
SETLISTS_PER_PAGE = 20
ARTISTS_PER_PAGE = 30
_DDMMYYYY = re.compile(r"^\d{2}-\d{2}-\d{4}$")
_LAST_UPDATED = re.compile(r"^\d{14}$")
_COUNTRY = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "IS": "Iceland",
    "DK": "Denmark",
    "IE": "Ireland",
}


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
    if key != SANDBOX_CREDENTIALS["setlistfm"]["SETLISTFM_API_KEY"]:
        return error(401, "Unauthorized", "Unauthorized" if key else "No API key given"), key
    return None, key


def negotiate(req: Request, response: Response) -> Response:
    """JSON only when asked for; XML for no Accept, */* or XML; 406 for anything else."""
    accept = [
        part.split(";")[0].strip().lower() for part in (req.header("Accept") or "").split(",") if part.strip()
    ]
    if "application/json" in accept:
        return response
    if accept and not {"*/*", "application/*", "application/xml", "text/xml"} & set(accept):
        return Response(406, b"", {}, "text/plain")
    if not response.body:
        return response
    payload = json.loads(response.body)
    root = payload.pop("type", None) or ("error" if "code" in payload else _root_of(payload))
    body = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + _xml(root, payload)
    return Response(response.status, body.encode(), response.headers, "application/xml;charset=UTF-8")


def _root_of(payload: dict[str, Any]) -> str:
    return "setlist" if "eventDate" in payload else "artist"


def _xml(tag: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_xml(tag, v) for v in value)
    if not isinstance(value, dict):
        return f"<{tag}>{_escape(value)}</{tag}>"
    attrs = "".join(f" {k}={quoteattr(_text(v))}" for k, v in value.items() if not isinstance(v, dict | list))
    children = "".join(_xml(k, v) for k, v in value.items() if isinstance(v, dict | list))
    return f"<{tag}{attrs}>{children}</{tag}>"


def _text(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def _escape(v: Any) -> str:
    return _text(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- shapes -------------------------------------------------------------------------------------
def artist_json(a: FmArtist) -> dict[str, Any]:
    return {
        "mbid": a.mbid,
        "name": a.name,
        "sortName": a.sort_name,
        "disambiguation": a.disambiguation,
        "url": f"https://www.setlist.fm/setlists/{slug(a.name)}-{a.mbid[:8]}.html",
    }


def _other_artist(ctx: Ctx, name: str) -> dict[str, Any]:
    known = ctx.live.fm_by_name.get(name)
    return artist_json(known or FmArtist(mbid(f"cover:{name}"), slug(name), name, name, ""))


def song_json(ctx: Ctx, s: Song) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name}
    if s.with_:
        out["with"] = _other_artist(ctx, s.with_)
    if s.cover:
        out["cover"] = _other_artist(ctx, s.cover)
    if s.info:
        out["info"] = s.info
    if s.tape:
        out["tape"] = True
    return out


def setlist_json(ctx: Ctx, sl: Setlist) -> dict[str, Any]:
    v = sl.venue
    venue: dict[str, Any] = {"id": v.fm_id, "name": v.name}
    if v.city is not None:
        city: dict[str, Any] = {"id": v.fm_city_id, "name": v.city.strip()}
        if v.fm_state:
            city["state"] = v.fm_state
            city["stateCode"] = v.fm_state_code
        city["coords"] = {"lat": v.lat, "long": v.lon}  # numbers here, unlike Ticketmaster
        city["country"] = {"code": v.cc, "name": _COUNTRY[v.cc]}
        venue["city"] = city
    venue["url"] = f"https://www.setlist.fm/venue/{slug(v.name)}-{v.fm_id}.html"
    artist = ctx.live.fm_artists[sl.artist_mbid]
    out: dict[str, Any] = {
        "id": sl.id,
        "versionId": sl.version_id,
        "eventDate": sl.event_date.strftime("%d-%m-%Y"),
        "lastUpdated": sl.last_updated.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "artist": artist_json(artist),
        "venue": venue,
    }
    if sl.tour:
        out["tour"] = {"name": sl.tour}
    sets = []
    for part in sl.sets:
        item: dict[str, Any] = {}
        if part.name:
            item["name"] = part.name
        if part.encore:
            item["encore"] = part.encore
        item["song"] = [song_json(ctx, s) for s in part.songs]
        sets.append(item)
    out["sets"] = {"set": sets}
    if sl.info:
        out["info"] = sl.info
    place = f"{slug(v.name)}-{slug(v.city or '')}".strip("-")
    out["url"] = (
        f"https://www.setlist.fm/setlist/{slug(artist.name)}/{sl.event_date.year}/{place}-{sl.id}.html"
    )
    return out


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
