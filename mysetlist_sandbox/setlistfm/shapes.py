"""setlist.fm's shapes: artists, setlists with songs nested as `sets.set[].song[]`, `dd-MM-yyyy`
dates, numeric coordinates; and its content negotiation (JSON only when asked for, else XML or 406)."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr

from ..context import Ctx
from ..http import Request, Response
from ..ids import mbid, slug
from .setlists import FmArtist, Setlist, Song

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
