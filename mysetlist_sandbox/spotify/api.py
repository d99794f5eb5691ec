"""Fake Spotify: the accounts token endpoint and the Web API as Development Mode apps see it.

Faithful to external-apis.md: client-credentials tokens that expire, `limit` at most 10 on artist
albums and search ("Invalid limit" otherwise), 403 for every removed endpoint, simplified albums without
`album_group`/`popularity`/`available_markets`, albums embedding their first 50 tracks, ISRCs only on
`GET /tracks/{id}`, absolute `next` links, and `market` deciding what is available.
"""

from __future__ import annotations

import re

from ..context import Ctx
from ..http import Request, Response, Route, json_response
from ..ids import words

# authenticate is this provider's auth hook, called by the server for every Spotify request.
from .auth import authenticate as authenticate
from .auth import error, token
from .catalog import Album, SpotifyArtist
from .shapes import album_simple, artist_json, paging, track_simple

_ID = r"([^/]+)"
_VALID_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_MARKET = re.compile(r"^[A-Z]{2}$")
ALL_GROUPS = ("album", "single", "appears_on", "compilation")
_REMOVED = re.compile(
    r"^/v1/(albums|artists|tracks|recommendations(/.*)?|browse/.*|audio-features(/.*)?|audio-analysis/.*"
    r"|artists/[^/]+/(top-tracks|related-artists))$"
)


def resolve(req: Request) -> Route:
    if req.path == "/api/token":
        return Route("spotify:token", token if req.method == "POST" else _method_not_allowed)
    if req.method != "GET":
        return Route("spotify:unknown", _method_not_allowed)
    p = req.path
    for pattern, endpoint, handler in _ROUTES:
        m = re.fullmatch(pattern, p)
        if m:
            return Route(endpoint, handler, m.groups())
    if _REMOVED.match(p):
        return Route("spotify:removed", lambda ctx: error(403, "Forbidden"))
    return Route("spotify:unknown", lambda ctx: error(404, "Service not found"))


def _method_not_allowed(ctx: Ctx, *args: str) -> Response:
    return error(405, "Method not allowed")


# -- parameters ---------------------------------------------------------------------------------
class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _int(ctx: Ctx, name: str, default: int, low: int, high: int, message: str) -> int:
    raw = ctx.req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(message) from None
    if not low <= value <= high:
        raise BadRequest(message)
    return value


def _market(ctx: Ctx) -> str | None:
    market = ctx.req.arg("market")
    if market in (None, ""):
        return None
    if market == "from_token":  # client-credentials tokens carry no user country
        return "US"
    if not _MARKET.match(market):
        raise BadRequest("Invalid market code")
    return market


def _guard(handler):  # type: ignore[no-untyped-def]
    def wrapped(ctx: Ctx, *args: str) -> Response:
        for arg in args:
            if not _VALID_ID.match(arg):
                return error(400, "Invalid base62 id")
        try:
            return handler(ctx, *args)
        except BadRequest as exc:
            return error(400, exc.message)

    return wrapped


# -- handlers -----------------------------------------------------------------------------------
@_guard
def get_artist(ctx: Ctx, artist_id: str) -> Response:
    artist = ctx.ds.catalog.artists.get(artist_id)
    if artist is None:
        return error(404, "Resource not found")
    return json_response(200, artist_json(ctx, artist))


@_guard
def artist_albums(ctx: Ctx, artist_id: str) -> Response:
    limit = _int(ctx, "limit", 5, 1, 10, "Invalid limit")
    offset = _int(ctx, "offset", 0, 0, 10_000, "Invalid offset")
    market = _market(ctx)
    raw_groups = ctx.req.arg("include_groups") or ",".join(ALL_GROUPS)
    groups = {g.strip() for g in raw_groups.split(",") if g.strip()}
    if not groups or groups - set(ALL_GROUPS):
        return error(400, "Invalid include_groups value")
    if artist_id not in ctx.ds.catalog.artists:
        return error(404, "Resource not found")
    listing = [
        a for g, a in ctx.ds.catalog.artist_albums.get(artist_id, []) if g in groups and a.sold_in(market)
    ]
    page = [album_simple(ctx, a) for a in listing[offset : offset + limit]]
    return json_response(
        200, paging(ctx, f"/v1/artists/{artist_id}/albums", page, len(listing), offset, limit)
    )  # type: ignore[arg-type]


def _album_tracks_page(
    ctx: Ctx, album: Album, offset: int, limit: int, market: str | None
) -> dict[str, object]:
    items = [track_simple(ctx, t, market) for t in album.tracks[offset : offset + limit]]
    return paging(ctx, f"/v1/albums/{album.id}/tracks", items, len(album.tracks), offset, limit)  # type: ignore[arg-type]


@_guard
def get_album(ctx: Ctx, album_id: str) -> Response:
    market = _market(ctx)
    album = ctx.ds.catalog.albums.get(album_id)
    if album is None:
        return error(404, "Resource not found")
    shape = album_simple(ctx, album)
    # The embedded page links to /albums/{id}/tracks, keeping only the market of this request.
    tracks_ctx = Ctx(_only(ctx.req, "market"), ctx.ds, ctx.state, ctx.today)
    shape["tracks"] = _album_tracks_page(tracks_ctx, album, 0, 50, market)
    shape["copyrights"] = [
        {"text": f"© {album.release_date[:4]} {album.label}", "type": "C"},
        {"text": f"℗ {album.release_date[:4]} {album.label}", "type": "P"},
    ]
    shape["external_ids"] = {"upc": album.upc}
    shape["genres"] = []
    return json_response(200, shape)


def _only(req: Request, *names: str) -> Request:
    return Request(
        req.method, req.path, [(k, v) for k, v in req.query if k in names], req.headers, req.body, req.host
    )


@_guard
def album_tracks(ctx: Ctx, album_id: str) -> Response:
    limit = _int(ctx, "limit", 20, 1, 50, "Invalid limit")
    offset = _int(ctx, "offset", 0, 0, 10_000, "Invalid offset")
    market = _market(ctx)
    album = ctx.ds.catalog.albums.get(album_id)
    if album is None:
        return error(404, "Resource not found")
    return json_response(200, _album_tracks_page(ctx, album, offset, limit, market))


@_guard
def get_track(ctx: Ctx, track_id: str) -> Response:
    market = _market(ctx)
    track = ctx.ds.catalog.tracks.get(track_id)
    if track is None:
        return error(404, "Resource not found")
    shape = track_simple(ctx, track, market)
    shape["album"] = album_simple(ctx, ctx.ds.catalog.albums[track.album_id])
    shape["external_ids"] = {"isrc": track.isrc}
    return json_response(200, shape)


_FIELD = re.compile(r'(\w+):(?:"([^"]*)"|(\S+))')


@_guard
def search(ctx: Ctx) -> Response:
    q = ctx.req.arg("q")
    if not q:
        return error(400, "No search query")
    types = [t for t in (ctx.req.arg("type") or "").split(",") if t]
    if not types:
        return error(400, "Missing parameter type")
    if set(types) - {"artist", "album", "track", "playlist", "show", "episode", "audiobook"}:
        return error(400, "Bad search type field")
    limit = _int(ctx, "limit", 5, 1, 10, "Invalid limit")
    offset = _int(ctx, "offset", 0, 0, 1000, "Invalid offset")
    _market(ctx)
    # Field filters: `artist:"X"` searches X; other filters (genre:, year:, tag:) only narrow, ignored here.
    terms = [m.group(2) or m.group(3) for m in _FIELD.finditer(q) if m.group(1) == "artist"]
    free = _FIELD.sub(" ", q)
    tokens = words(" ".join([*terms, free]))
    out: dict[str, object] = {}
    for kind in types:
        found = _search_artists(ctx, tokens) if kind == "artist" else []
        page = [artist_json(ctx, a) for a in found[offset : offset + limit]]
        out[kind + "s"] = paging(ctx, "/v1/search", page, len(found), offset, limit)  # type: ignore[arg-type]
    return json_response(200, out)


def _search_artists(ctx: Ctx, tokens: list[str]) -> list[SpotifyArtist]:
    if not tokens:
        return []
    hits = []
    for artist in ctx.ds.catalog.artists.values():
        name_words = words(artist.name)
        if all(any(w.startswith(t) for w in name_words) for t in tokens):
            rank = 0 if name_words == tokens else 1
            hits.append((rank, len(name_words), artist.name, artist.id, artist))
    return [h[-1] for h in sorted(hits, key=lambda h: h[:4])]


_ROUTES = (
    (rf"/v1/artists/{_ID}", "spotify:artist", get_artist),
    (rf"/v1/artists/{_ID}/albums", "spotify:artist_albums", artist_albums),
    (rf"/v1/albums/{_ID}", "spotify:album", get_album),
    (rf"/v1/albums/{_ID}/tracks", "spotify:album_tracks", album_tracks),
    (rf"/v1/tracks/{_ID}", "spotify:track", get_track),
    (r"/v1/search", "spotify:search", search),
)
