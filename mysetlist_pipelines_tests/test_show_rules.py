from __future__ import annotations

from datetime import date

import pytest

from mysetlist_pipelines.lib.rules.show_rows import (
    TmEvent,
    TmVenue,
    as_float,
    guessed_zones,
    headliners,
    locate_timezone,
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
    # No zone on the venue or the event: the one at its coordinates.
    assert (row.timezone, row.timezone_source) == ("Atlantic/Reykjavik", "coordinates")
    assert venue_row(venue, "Europe/London").timezone == "Europe/London"  # the event's
    own = TmVenue("KovZ2", "MSG", city="New York", country_code="US", timezone="America/New_York")
    assert venue_row(own, "Europe/London").timezone == "America/New_York"  # the venue's first
    assert timezone_for("US", 34.05, -118.2) == "America/Los_Angeles"
    assert timezone_for("US", 41.88, -87.6) == "America/Chicago"
    assert timezone_for("XX") == "UTC"
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


# Real venues the country table and longitude bands got wrong (issue 13), with the coordinates
# Ticketmaster and setlist.fm send for them; the zone every one of them really keeps.
@pytest.mark.parametrize(
    ("place", "country", "lat", "lng", "zone"),
    [
        ("Cancún", "MX", 21.1743, -86.8466, "America/Cancun"),
        ("Mexico City", "MX", 19.4284, -99.1276, "America/Mexico_City"),
        ("Rio de Janeiro", "BR", -22.9028, -43.2075, "America/Sao_Paulo"),
        ("Moscow", "RU", 55.7522, 37.6156, "Europe/Moscow"),
        ("St Petersburg", "RU", 59.9386, 30.3141, "Europe/Moscow"),
        ("Phoenix", "US", 33.4484, -112.074, "America/Phoenix"),
        ("Glendale AZ", "US", 33.5387, -112.186, "America/Phoenix"),
        ("Nampa ID", "US", 43.5407, -116.5635, "America/Boise"),
        ("Perth", "AU", -31.9522, 115.8614, "Australia/Perth"),
        ("Darwin", "AU", -12.4611, 130.8418, "Australia/Darwin"),
        ("Morrisburg ON", "CA", 44.9, -75.18, "America/Toronto"),
        ("Regina SK", "CA", 50.4452, -104.6189, "America/Regina"),
    ],
)
def test_zone_from_coordinates(place: str, country: str, lat: float, lng: float, zone: str) -> None:
    assert locate_timezone(country, lat, lng) == (zone, "coordinates"), place
    # Coordinates as the providers send them (Ticketmaster: strings) give the same answer.
    row = venue_row(TmVenue("v", place, country_code=country, latitude=str(lat), longitude=str(lng)))
    assert (row.timezone, row.timezone_source) == (zone, "coordinates")


def test_without_coordinates_the_country_then_a_said_guess_then_utc() -> None:
    assert locate_timezone("DE") == ("Europe/Berlin", "country")
    assert locate_timezone("de", None, None) == ("Europe/Berlin", "country")
    assert locate_timezone("US") == ("America/New_York", "guess")
    assert locate_timezone("ZZ") == ("UTC", "none")
    assert locate_timezone(None, 0.0, 0.0) == ("UTC", "none")  # (0, 0) is a placeholder, not a place
    assert locate_timezone("FR", 95.0, 10.0) == ("Europe/Paris", "country")  # out of range
    rows = [
        venue_row(TmVenue("a", "Arena", country="United States", country_code="US")),
        venue_row(TmVenue("b", "Hall", country="Nowhere", country_code="ZZ")),
        venue_row(TmVenue("c", "Club", country_code="DE")),
    ]
    note = guessed_zones(rows)
    assert note.startswith("; 2 venue(s) without coordinates or a zone got a guessed time zone or UTC")
    assert "Arena (United States)" in note and "Hall (Nowhere)" in note and "Club" not in note
    assert guessed_zones(rows[2:]) == ""
