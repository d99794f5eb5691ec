"""Ticketmaster search semantics: which events, attractions and venues a query matches, in what order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..context import Ctx
from ..ids import fold, hexid, words
from .events import MUSIC_SEGMENT, Attraction, Event, Venue


def _csv(ctx: Ctx, name: str) -> list[str]:
    raw = ctx.req.arg(name)
    return [v.strip() for v in raw.split(",") if v.strip()] if raw else []


def _prefix_match(query: str, *texts: str) -> bool:
    have = [w for t in texts for w in words(t)]
    return all(any(w.startswith(q) for w in have) for q in words(query))


def _classifier(ctx: Ctx) -> Callable[[str], bool]:
    """`classificationName=music` (or a genre) keeps matching items; a leading `-` excludes."""
    wanted = [(v.startswith("-"), fold(v.lstrip("-"))) for v in _csv(ctx, "classificationName")]
    segments = _csv(ctx, "segmentId")
    segment_ok = not segments or MUSIC_SEGMENT["id"] in segments

    def classified(genre: str) -> bool:
        if not wanted:
            return segment_ok
        names = {"music", fold(genre)}
        return segment_ok and all((value in names) != negative for negative, value in wanted)

    return classified


def event_filter(ctx: Ctx, start: datetime | None, end: datetime | None) -> Callable[[Event], bool]:
    """The events.json query as a predicate (parameters parsed once, not per event)."""
    live = ctx.live
    attraction_ids = set(_csv(ctx, "attractionId"))
    venue_ids = set(_csv(ctx, "venueId"))
    event_ids = set(_csv(ctx, "id"))
    keyword = ctx.req.arg("keyword")
    cc = (ctx.req.arg("countryCode") or "").upper()
    sc = (ctx.req.arg("stateCode") or "").upper()
    cities = {fold(c) for c in _csv(ctx, "city")}
    classified = _classifier(ctx)
    tbd_only = (ctx.req.arg("includeTBD") or "no").lower() == "only"
    include_tba = (ctx.req.arg("includeTBA") or "no").lower()

    def keep(e: Event) -> bool:
        if attraction_ids and not attraction_ids.intersection(e.attraction_ids):
            return False
        if (venue_ids and e.venue.tm_id not in venue_ids) or (event_ids and e.id not in event_ids):
            return False
        if (cc and e.venue.cc != cc) or (sc and e.venue.state_code != sc):
            return False
        if cities and fold((e.venue.city or "").strip()) not in cities:
            return False
        if keyword and not _prefix_match(
            keyword, e.name, *(live.attractions[a].name for a in e.attraction_ids)
        ):
            return False
        if tbd_only or not classified(live.attractions[e.attraction_ids[0]].genre):
            return False  # the data has no TBD events
        if e.tba:
            return include_tba in ("yes", "only")
        if include_tba == "only":
            return False
        begins = e.start_utc()
        assert begins is not None and e.local_date is not None
        if start is None and e.local_date < live.today:
            return False  # without startDateTime Ticketmaster lists from now on
        if start is not None and begins < start:
            return False
        return end is None or begins <= end

    return keep


def sort_events(events: list[Event], sort: str | None) -> list[Event]:
    sort = (sort or "relevance,desc").replace(" ", "")
    if sort in ("date,asc", "date,desc"):
        dated = sorted(
            (e for e in events if not e.tba),
            key=lambda e: (e.start_utc(), e.name, e.id),
            reverse=sort.endswith("desc"),
        )
        return dated + sorted((e for e in events if e.tba), key=lambda e: e.id)
    if sort in ("name,asc", "name,desc"):
        return sorted(events, key=lambda e: (fold(e.name), e.id), reverse=sort.endswith("desc"))
    if sort in ("id,asc", "id,desc"):
        return sorted(events, key=lambda e: e.id, reverse=sort.endswith("desc"))
    # relevance: a stable order that is neither by date nor by id (clients must ask for a sort)
    return sorted(events, key=lambda e: hexid("relevance:" + e.id))


def attraction_search(ctx: Ctx) -> list[Attraction]:
    keyword = ctx.req.arg("keyword") or ""
    ids = _csv(ctx, "id")
    classified = _classifier(ctx)
    found = [
        a
        for a in ctx.live.attractions.values()
        if (not ids or a.id in ids) and _prefix_match(keyword, a.name) and classified(a.genre)
    ]
    sort = (ctx.req.arg("sort") or "relevance,desc").replace(" ", "")
    if sort in ("name,asc", "name,desc"):
        return sorted(found, key=lambda a: (fold(a.name), a.id), reverse=sort.endswith("desc"))
    if sort in ("id,asc", "id,desc"):
        return sorted(found, key=lambda a: a.id, reverse=sort.endswith("desc"))
    exact = words(keyword)
    return sorted(found, key=lambda a: (words(a.name) != exact, len(a.name), fold(a.name), a.id))


def venue_search(ctx: Ctx) -> list[Venue]:
    keyword = ctx.req.arg("keyword") or ""
    cc, sc = ctx.req.arg("countryCode"), ctx.req.arg("stateCode")
    found = [
        v
        for v in ctx.live.venues.values()
        if v.tm_id
        and _prefix_match(keyword, v.name, v.city or "")
        and (not cc or v.cc == cc.upper())
        and (not sc or v.state_code == sc.upper())
    ]
    return sorted(found, key=lambda v: (fold(v.name), v.tm_id or ""))
