"""Fake Ticketmaster Discovery API v2: `apikey` auth, HAL pages, and the quirks of external-apis.md.

Empty results carry no `_embedded`; `_links.next.href` is relative and has no `apikey`; dates must be
`YYYY-MM-DDTHH:mm:ssZ` (DIS1015); `size` above 200 is DIS1036; `size*page` of 1000 or more is DIS1035;
coordinates are strings; both `canceled` and `cancelled`; some events lack `dates.timezone`.
Without `startDateTime` only events from today on are listed (past events need an explicit start);
date-less (TBA) events only with `includeTBA=yes|only`, as Ticketmaster's defaults do.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from ..context import Ctx
from ..http import Request, Response, Route, json_response, query_string, with_params
from . import CREDENTIALS
from .filters import attraction_search, event_filter, sort_events, venue_search
from .shapes import attraction_json, event_json, venue_json

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SUFFIX = r"(?:\.json)?"
_PREFIX = "/discovery/v2"


class BadRequest(Exception):
    def __init__(self, code: str, detail: str) -> None:
        self.code, self.detail = code, detail


def errors(status: int, code: str, detail: str) -> Response:
    label = {400: "400 BAD_REQUEST", 404: "404 NOT_FOUND"}.get(status, str(status))
    body = {
        "errors": [
            {
                "code": code,
                "detail": detail,
                "status": label,
                "_links": {"about": {"href": f"{_PREFIX}/errors.html#{code}"}},
            }
        ]
    }
    return json_response(status, body)


def resolve(req: Request) -> Route:
    if req.method == "GET":
        for pattern, endpoint, handler in _ROUTES:
            m = re.fullmatch(_PREFIX + pattern, req.path)
            if m:
                return Route(endpoint, handler, m.groups())
    return Route("ticketmaster:unknown", lambda ctx: errors(404, "DIS1001", "Resource not found"))


def authenticate(ctx: Ctx, endpoint: str) -> tuple[Response | None, str | None]:
    key = ctx.req.arg("apikey")
    if not key:
        text, code = (
            "Failed to resolve API Key variable request.queryparam.apikey",
            "steps.oauth.v2.FailedToResolveAPIKey",
        )
    elif key != CREDENTIALS["TICKETMASTER_API_KEY"]:
        text, code = "Invalid ApiKey", "oauth.v2.InvalidApiKey"
    else:
        return None, key
    return json_response(401, {"fault": {"faultstring": text, "detail": {"errorcode": code}}}), key


# -- paging -------------------------------------------------------------------------------------
def _paging(ctx: Ctx) -> tuple[int, int]:
    try:
        size = int(ctx.req.arg("size") or 20)
        page = int(ctx.req.arg("page") or 0)
    except ValueError:
        raise BadRequest("DIS1001", "Invalid value for query parameter size or page") from None
    if size > 200:
        raise BadRequest("DIS1036", "Query param size must be less than or equal to 200")
    if size < 1 or page < 0:
        raise BadRequest("DIS1001", "Query params size and page must be positive")
    if size * page >= 1000:
        raise BadRequest(
            "DIS1035", "API Limits Exceeded: Max paging depth exceeded. (page * size) must be less than 1,000"
        )
    return size, page


def hal_page(
    ctx: Ctx, kind: str, path: str, chunk: list[dict[str, object]], total: int, size: int, page: int
) -> Response:
    pages = math.ceil(total / size)

    def href(n: int) -> str:
        # Relative and without the apikey, as Ticketmaster writes them: clients add the key back.
        params = with_params(
            ctx.req.query, {"apikey", "page", "size"}, [("page", str(n)), ("size", str(size))]
        )
        return f"{_PREFIX}/{path}?{query_string(params)}"

    body: dict[str, object] = {}
    if chunk:  # an empty result has no _embedded at all
        body["_embedded"] = {kind: chunk}
    links: dict[str, object] = {"self": {"href": href(page)}}
    if pages:
        links["first"] = {"href": href(0)}
        if page > 0:
            links["prev"] = {"href": href(page - 1)}
        if page + 1 < pages:
            links["next"] = {"href": href(page + 1)}
        links["last"] = {"href": href(pages - 1)}
    body["_links"] = links
    body["page"] = {"size": size, "totalElements": total, "totalPages": pages, "number": page}
    return json_response(200, body)


def _guarded(handler):  # type: ignore[no-untyped-def]
    def wrapped(ctx: Ctx, *args: str) -> Response:
        try:
            return handler(ctx, *args)
        except BadRequest as exc:
            return errors(400, exc.code, exc.detail)

    return wrapped


def _when(ctx: Ctx, name: str) -> datetime | None:
    raw = ctx.req.arg(name)
    if raw is None:
        return None
    if not _DATE.match(raw):
        raise BadRequest(
            "DIS1015",
            "Query param with date must be of valid format YYYY-MM-DDTHH:mm:ssZ {example: 2020-08-01T14:00:00Z }",
        )
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _csv(ctx: Ctx, name: str) -> list[str] | None:
    raw = ctx.req.arg(name)
    return [v.strip() for v in raw.split(",") if v.strip()] if raw else None


# -- handlers -----------------------------------------------------------------------------------
@_guarded
def events(ctx: Ctx) -> Response:
    start, end = _when(ctx, "startDateTime"), _when(ctx, "endDateTime")
    size, page = _paging(ctx)
    keep = event_filter(ctx, start, end)
    matches = [e for e in ctx.live.events if keep(e)]
    ordered = sort_events(matches, ctx.req.arg("sort"))
    chunk = [event_json(ctx, e) for e in ordered[page * size : (page + 1) * size]]
    return hal_page(ctx, "events", "events.json", chunk, len(ordered), size, page)


@_guarded
def get_event(ctx: Ctx, event_id: str) -> Response:
    e = ctx.live.events_by_id.get(event_id)
    if e is None:
        return errors(
            404, "DIS1004", f"Resource not found with provided criteria (locale=en-us, id={event_id})"
        )
    return json_response(200, event_json(ctx, e))


@_guarded
def attractions(ctx: Ctx) -> Response:
    size, page = _paging(ctx)
    found = attraction_search(ctx)
    chunk = [attraction_json(ctx, a) for a in found[page * size : (page + 1) * size]]
    return hal_page(ctx, "attractions", "attractions.json", chunk, len(found), size, page)


@_guarded
def get_attraction(ctx: Ctx, attraction_id: str) -> Response:
    a = ctx.live.attractions.get(attraction_id)
    if a is None:
        return errors(
            404, "DIS1004", f"Resource not found with provided criteria (locale=en-us, id={attraction_id})"
        )
    return json_response(200, attraction_json(ctx, a))


@_guarded
def venues(ctx: Ctx) -> Response:
    size, page = _paging(ctx)
    found = venue_search(ctx)
    chunk = [venue_json(ctx, v) for v in found[page * size : (page + 1) * size]]
    return hal_page(ctx, "venues", "venues.json", chunk, len(found), size, page)


@_guarded
def get_venue(ctx: Ctx, venue_id: str) -> Response:
    v = ctx.live.venues_by_tm_id.get(venue_id)
    if v is None:
        return errors(
            404, "DIS1004", f"Resource not found with provided criteria (locale=en-us, id={venue_id})"
        )
    return json_response(200, venue_json(ctx, v))


_ROUTES = (
    (f"/events{_SUFFIX}", "ticketmaster:events", events),
    (rf"/events/([^/]+?){_SUFFIX}", "ticketmaster:event", get_event),
    (f"/attractions{_SUFFIX}", "ticketmaster:attractions", attractions),
    (rf"/attractions/([^/]+?){_SUFFIX}", "ticketmaster:attraction", get_attraction),
    (f"/venues{_SUFFIX}", "ticketmaster:venues", venues),
    (rf"/venues/([^/]+?){_SUFFIX}", "ticketmaster:venue", get_venue),
)
