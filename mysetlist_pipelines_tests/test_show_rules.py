from __future__ import annotations

from datetime import date

import pytest

from mysetlist_pipelines.lib.shows import (
    TmEvent,
    TmVenue,
    as_float,
    headliners,
    show_status,
    timezone_for,
    venue_row,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("code", "on", "status"),
    [
        ("canceled", date(2026, 7, 1), "cancelled"),
        ("Cancelled", date(2026, 5, 1), "cancelled"),
        ("onsale", date(2026, 7, 1), "upcoming"),
        ("postponed", date(2026, 8, 1), "upcoming"),
        ("rescheduled", date(2026, 8, 1), "upcoming"),
        ("offsale", date(2026, 5, 31), "completed"),
        ("onsale", TODAY, "upcoming"),
        (None, None, "upcoming"),  # date-less (TBA)
    ],
)
def test_show_status(code: str | None, on: date | None, status: str) -> None:
    assert show_status(code, on, TODAY) == status


def test_venue_row_numbers_trimmed_city_and_timezone_fallbacks() -> None:
    venue = TmVenue(
        "KovZ1",
        " Harpa ",
        city=" Reykjavík ",
        country="Iceland",
        country_code="IS",
        latitude="64.15",
        longitude="-21.93",
    )
    row = venue_row(venue)
    assert (row.name, row.city, row.state, row.latitude, row.longitude) == (
        "Harpa",
        "Reykjavík",
        None,
        64.15,
        -21.93,
    )
    assert row.timezone == "Atlantic/Reykjavik"  # no zone on the venue or the event: the country's
    assert venue_row(venue, "Europe/London").timezone == "Europe/London"  # the event's
    own = TmVenue("KovZ2", "MSG", city="New York", country_code="US", timezone="America/New_York")
    assert venue_row(own, "Europe/London").timezone == "America/New_York"  # the venue's first
    assert timezone_for("US", -118.2) == "America/Los_Angeles"
    assert timezone_for("US", -87.6) == "America/Chicago"
    assert timezone_for("XX", 10.0) == "UTC"
    assert as_float("") is None and as_float("abc") is None and as_float("nan") is None


def test_co_headliners_are_the_acts_the_event_is_named_after() -> None:
    event = TmEvent(
        "e1",
        "The Velvet Static & Neon Harbor: Double Bill",
        date(2026, 7, 1),
        None,
        attraction_ids=("a", "b", "c"),
        attraction_names=("The Velvet Static", "Neon Harbor", "The Openers"),
    )
    assert headliners(event) == (True, True, False)
