"""Ticketmaster's answers -> the plain rows the show rules work on (lib/rules/show_rows.py), which
stay testable without a provider."""

from __future__ import annotations

from ...rules.show_rows import TmEvent, TmVenue
from . import models


def venue_row(venue: models.Venue) -> TmVenue:
    location = venue.location
    return TmVenue(
        id=venue.id,
        name=venue.name or "Unknown venue",
        city=venue.city.name if venue.city else None,
        # Some venues carry only `state.stateCode` ("NY"): the code is the state then.
        state=(venue.state.name or venue.state.state_code) if venue.state else None,
        country=venue.country.name if venue.country else None,
        country_code=venue.country.country_code if venue.country else None,
        postal_code=venue.postal_code,
        address=venue.address.line1 if venue.address else None,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        timezone=venue.timezone,
    )


def event_row(event: models.Event) -> TmEvent:
    start = event.dates.start
    prices = [p for p in event.price_ranges if p.min is not None or p.max is not None]
    mins = [p.min for p in prices if p.min is not None]
    maxes = [p.max for p in prices if p.max is not None]
    return TmEvent(
        id=event.id,
        name=event.name,
        local_date=None if start.date_tba or start.date_tbd else start.local_date,
        venue=venue_row(event.venue) if event.venue else None,
        attraction_ids=tuple(a.id for a in event.attractions),
        attraction_names=tuple(a.name for a in event.attractions),
        local_time=None if start.no_specific_time or start.time_tba else start.local_time,
        timezone=event.dates.timezone,
        status_code=event.status,
        url=event.url,
        min_price=min(mins) if mins else None,
        max_price=max(maxes) if maxes else None,
        currency=next((p.currency for p in prices if p.currency), None),
    )
