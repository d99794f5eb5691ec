"""The provider models on the quirks the docs and observers report (no HTTP here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mysetlist_pipelines.lib.http import BadProviderResponse
from mysetlist_pipelines.lib.providers.base import parse
from mysetlist_pipelines.lib.providers.setlistfm.client import setlists_cost
from mysetlist_pipelines.lib.providers.setlistfm.models import Setlist
from mysetlist_pipelines.lib.providers.spotify.client import catalog_cost
from mysetlist_pipelines.lib.providers.spotify.models import Album, Artist, SimplifiedAlbum
from mysetlist_pipelines.lib.providers.ticketmaster.client import events_cost, tm_datetime
from mysetlist_pipelines.lib.providers.ticketmaster.models import Attraction, Event, Venue


def test_ticketmaster_venue_string_coordinates_missing_state_and_stray_whitespace() -> None:
    venue = Venue.model_validate(
        {
            "id": "KovZpZA",
            "name": "Vega",
            "city": {"name": "  København   V "},
            "country": {"name": "Denmark", "countryCode": "DK"},
            "location": {"longitude": "12.5489", "latitude": "55.6685"},
            "somethingNew": {"x": 1},
        }
    )
    assert venue.location is not None
    assert venue.location.longitude == pytest.approx(12.5489) and venue.location.latitude == pytest.approx(
        55.6685
    )
    assert venue.state is None and venue.city is not None and venue.city.name == "København V"
    assert Venue.model_validate({"id": "x", "location": {"longitude": "", "latitude": 1.5}}).location == type(
        venue.location
    )(longitude=None, latitude=1.5)


@pytest.mark.parametrize("spelling", ["canceled", "cancelled", "CANCELLED"])
def test_ticketmaster_event_status_spellings(spelling: str) -> None:
    event = Event.model_validate({"id": "e", "name": "n", "dates": {"status": {"code": spelling}}})
    assert event.status == "cancelled"


def test_ticketmaster_event_without_time_timezone_or_embedded() -> None:
    event = Event.model_validate(
        {
            "id": "e",
            "name": "n",
            "dates": {"start": {"localDate": "2026-07-01", "noSpecificTime": True, "dateTBA": False}},
            "sales": {"public": {"startDateTime": "1900-01-01T18:00:00Z"}},
        }
    )
    assert event.dates.start.local_time is None and event.dates.start.date_time is None
    assert event.dates.start.local_date == date(2026, 7, 1)
    assert (
        event.sales is not None
        and event.sales.public is not None
        and event.sales.public.start_date_time is None
    )
    assert (
        event.venue is None
        and event.attractions == []
        and event.timezone is None
        and event.price_ranges == []
    )
    with_venue = Event.model_validate(
        {"id": "e", "name": "n", "_embedded": {"venues": [{"id": "v", "timezone": "Europe/Oslo"}]}}
    )
    assert with_venue.timezone == "Europe/Oslo"


def test_ticketmaster_attraction_external_links() -> None:
    attraction = Attraction.model_validate(
        {
            "id": "K8",
            "name": "Band",
            "upcomingEvents": {"_total": 3, "ticketmaster": 3},
            "externalLinks": {
                "spotify": [{"url": "https://open.spotify.com/artist/4Z8W4fKeB5YxbusRsdQVPb?si=abc"}],
                "musicbrainz": [{"id": " a74b1b7f-71a5-4011-9441-d0b5e4122711 "}],
                "youtube": [{"url": "https://youtube.com/x"}],
            },
        }
    )
    assert attraction.spotify_id == "4Z8W4fKeB5YxbusRsdQVPb"
    assert attraction.mbid == "a74b1b7f-71a5-4011-9441-d0b5e4122711"
    assert attraction.upcoming_total == 3
    bare = Attraction.model_validate({"id": "K9", "name": "No Links"})
    assert bare.spotify_id is None and bare.mbid is None and bare.upcoming_total == 0


def test_ticketmaster_date_format_is_strict() -> None:
    assert tm_datetime(datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)) == "2026-05-01T12:30:15Z"
    assert (
        tm_datetime(datetime(2026, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
        == "2026-05-01T12:00:00Z"
    )
    assert tm_datetime(date(2026, 5, 1)) == "2026-05-01T00:00:00Z"


def test_spotify_models_in_development_mode_shape() -> None:
    artist = Artist.model_validate({"id": "a", "name": "A", "images": [], "genres": []})
    assert artist.popularity is None and artist.followers is None
    album = SimplifiedAlbum.model_validate(
        {"id": "x", "name": "X", "album_type": "album", "release_date": "1981-12"}
    )
    assert album.release_day == date(1981, 12, 1)
    full = Album.model_validate(
        {"id": "x", "name": "X", "album_type": "single", "release_date": "1981-12-15"}
    )
    assert full.tracks.items == [] and full.release_day == date(1981, 12, 15)


def test_setlistfm_setlist_shapes() -> None:
    setlist = Setlist.model_validate(
        {
            "id": "63de4613",
            "eventDate": "23-08-1964",
            "lastUpdated": "2013-10-20T05:18:08.000+0000",
            "artist": {"mbid": "b10bbbfc", "name": "The Beatles"},
            "venue": {"name": "Hollywood Bowl"},
            "set": [{"song": [{"name": ""}, {"name": "Intro", "tape": True}]}, {"encore": 1, "song": []}],
        }
    )
    assert setlist.event_date == date(1964, 8, 23)
    assert setlist.last_updated == datetime(2013, 10, 20, 5, 18, 8, tzinfo=UTC)
    assert [s.name for s in setlist.songs] == ["", "Intro"] and setlist.songs[1].tape
    assert setlist.sets.set[1].encore == 1 and setlist.venue is not None and setlist.venue.city is None
    empty = Setlist.model_validate(
        {"id": "1", "eventDate": "01-01-2020", "artist": {"mbid": "m", "name": "n"}, "sets": {"set": []}}
    )
    assert empty.songs == []


def test_a_wrong_shape_is_a_bad_provider_response_without_values() -> None:
    with pytest.raises(BadProviderResponse) as caught:
        parse(
            Setlist,
            {"id": "1", "eventDate": "secret-looking-value", "artist": {}},
            "setlistfm",
            "setlistfm:setlist",
        )
    assert "eventDate" in str(caught.value) and "secret-looking-value" not in str(caught.value)
    assert caught.value.endpoint == "setlistfm:setlist"


def test_cost_formulas() -> None:
    assert catalog_cost([12] * 120) == 132  # the docs' example: 12 pages + 120 albums
    assert catalog_cost([]) == 1
    assert catalog_cost([10, 51, 120]) == 1 + 3 + 1 + 2
    assert events_cost(0) == 1 and events_cost(200) == 1 and events_cost(201) == 2
    assert setlists_cost(0) == 1 and setlists_cost(41) == 3
