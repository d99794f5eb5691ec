"""Ticketmaster search semantics: which events, attractions and venues a query matches, in what order."""

from __future__ import annotations

from datetime import datetime

from .context import Ctx
from .ids import fold, hexid, words
from .shows import MUSIC_SEGMENT, Attraction, Event, Venue


def _csv(ctx: Ctx, name: str) -> list[str]:
    raw = ctx.req.arg(name)
    return [v.strip() for v in raw.split(",") if v.strip()] if raw else []


def _prefix_match(query: str, *texts: str) -> bool:
    have = [w for t in texts for w in words(t)]
    return all(any(w.startswith(q) for w in have) for q in words(query))


def _classified(ctx: Ctx, genre: str) -> bool:
    """`classificationName=music` (or a genre) keeps matching items; a leading `-` excludes."""
    names = {"music", fold(genre)}
    for value in _csv(ctx, "classificationName"):
        negative = value.startswith("-")
        hit = fold(value.lstrip("-")) in names
        if hit == negative:
            return False
    segments = _csv(ctx, "segmentId")
    return not segments or MUSIC_SEGMENT["id"] in segments


def event_filter(ctx: Ctx, e: Event, start: datetime | None, end: datetime | None) -> bool:
    live = ctx.live
    if (ids := _csv(ctx, "attractionId")) and not set(ids) & set(e.attraction_ids):
        return False
    if (ids := _csv(ctx, "venueId")) and e.venue.tm_id not in ids:
        return False
    if (ids := _csv(ctx, "id")) and e.id not in ids:
        return False
    if (kw := ctx.req.arg("keyword")) and not _prefix_match(
        kw, e.name, *(live.attractions[a].name for a in e.attraction_ids)
    ):
        return False
    if (cc := ctx.req.arg("countryCode")) and e.venue.cc != cc.upper():
        return False
    if (sc := ctx.req.arg("stateCode")) and e.venue.state_code != sc.upper():
        return False
    if (cities := _csv(ctx, "city")) and fold((e.venue.city or "").strip()) not in {fold(c) for c in cities}:
        return False
    if not _classified(ctx, live.attractions[e.attraction_ids[0]].genre):
        return False
    if (ctx.req.arg("includeTBD") or "no").lower() == "only":
        return False  # the data has no TBD events
    include_tba = (ctx.req.arg("includeTBA") or "no").lower()
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
    found = [
        a
        for a in ctx.live.attractions.values()
        if (not ids or a.id in ids) and _prefix_match(keyword, a.name) and _classified(ctx, a.genre)
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
