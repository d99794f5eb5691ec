"""Ticketmaster Discovery v2: typed client and models (see client.py for the cost of each call)."""

from .client import TicketmasterClient, events_cost, tm_datetime
from .models import Attraction, City, Country, Event, EventDates, EventStart, Location, State, Venue

__all__ = [
    "Attraction",
    "City",
    "Country",
    "Event",
    "EventDates",
    "EventStart",
    "Location",
    "State",
    "TicketmasterClient",
    "Venue",
    "events_cost",
    "tm_datetime",
]
