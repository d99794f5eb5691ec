"""Recorded answers of the real APIs (../shared/realdata, provenance in its SOURCES.md) through the
models, rows (lib/providers/<name>/rows.py) and pure rules: what each answer really holds, and the old formats refused.

Read from beside the project, never copied into it; skipped (saying why) where that folder is absent.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mysetlist_pipelines.lib.http.errors import BadProviderResponse
from mysetlist_pipelines.lib.providers.base import malformed_note, parse, parse_items
from mysetlist_pipelines.lib.providers.setlistfm import models as fm
from mysetlist_pipelines.lib.providers.setlistfm import rows as setlistfm_rows
from mysetlist_pipelines.lib.providers.spotify import models as sp
from mysetlist_pipelines.lib.providers.ticketmaster import models as tm
from mysetlist_pipelines.lib.providers.ticketmaster import rows as ticketmaster_rows
from mysetlist_pipelines.lib.rules.encores import encore_numbers
from mysetlist_pipelines.lib.rules.setlist_songs import played_songs
from mysetlist_pipelines.lib.rules.show_rows import venue_row
from mysetlist_pipelines.lib.sync.setlist_links import venue_row as fm_venue_row

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no recorded answers at {REALDATA}")


def load(name: str) -> Any:
    return json.loads((REALDATA / name).read_text(encoding="utf-8"))


def fm_page(name: str) -> list[fm.Setlist]:
    page = parse(fm.SetlistPage, load(name), "setlistfm", "setlistfm:artist_setlists")
    skipped: Counter[str] = Counter()
    items = parse_items(fm.Setlist, page.setlist, "setlistfm", "setlistfm:artist_setlists", noun="setlist",
                        skipped=skipped)  # fmt: skip
    assert not skipped, skipped  # every current-format recorded setlist parses
    return items


def tm_events(name: str) -> list[tm.Event]:
    page = parse(tm.Page, load(name), "ticketmaster", "ticketmaster:events")
    skipped: Counter[str] = Counter()
    events = parse_items(tm.Event, page.embedded.events, "ticketmaster", "ticketmaster:events", noun="event",
                         skipped=skipped)  # fmt: skip
    assert not skipped, skipped
    return events


def test_phish_2025_encores_named_without_a_number_are_encores() -> None:
    setlists = fm_page("setlistfm/artist-setlists-phish-2025.json")
    named = [(sl, st) for sl in setlists for st in sl.sets.set if st.name in ("Encore", "Encore:")]
    assert len(named) == 2 and all(st.encore is None for _, st in named)
    for item, _ in named:
        played = played_songs(setlistfm_rows.setlist_row(item))
        encore_songs = [s for s in played.songs if s.notes and s.notes.startswith("encore")]
        assert encore_songs, item.id
        assert 0 not in encore_numbers(setlistfm_rows.setlist_row(item).sets)[-1:]


def test_numbered_encores_tape_and_empty_names_of_the_recorded_setlists() -> None:
    compaq = [
        setlistfm_rows.setlist_row(s) for s in fm_page("setlistfm/venue-setlists-compaq-center-2017.json")
    ]
    notes = [s.notes or "" for sl in compaq for s in played_songs(sl).songs]
    assert any(n.startswith("encore 2") for n in notes)
    assert sum(played_songs(sl).skipped.get("tape", 0) for sl in compaq) > 0
    # "Intermission" is a set, not an encore.
    assert all(
        n == 0 for sl in compaq for st, n in zip(sl.sets, encore_numbers(sl.sets), strict=True)
        if st.name == "Intermission"
    )  # fmt: skip
    fotos = setlistfm_rows.setlist_row(
        parse(fm.Setlist, load("setlistfm/setlist-fotos-2008-empty-song.json"), "setlistfm", "x")
    )
    played = played_songs(fotos)
    assert played.skipped == {"empty name": 1}
    assert [s.name for s in played.songs if s.notes == "encore"] == ["Giganten", "Remmidemmi"]


def test_setlistfm_venues_get_the_zone_of_their_city_coordinates() -> None:
    fotos = setlistfm_rows.setlist_row(
        parse(fm.Setlist, load("setlistfm/setlist-fotos-2008-empty-song.json"), "setlistfm", "x")
    )
    row = fm_venue_row(fotos)
    assert (row.city, row.state, row.timezone, row.timezone_source) == (
        "Krefeld", "North Rhine-Westphalia", "Europe/Berlin", "coordinates"
    )  # fmt: skip
    for name in (
        "setlistfm/artist-setlists-phish-2023.json",
        "setlistfm/artist-setlists-stereophonics-p2-2022.json",
    ):
        for item in fm_page(name):
            sl = setlistfm_rows.setlist_row(item)
            if sl.venue and sl.venue.latitude is not None:
                assert fm_venue_row(sl).timezone_source == "coordinates"
                assert fm_venue_row(sl).timezone != "UTC"


def test_old_setlistfm_formats_are_refused_naming_what_came() -> None:
    with pytest.raises(BadProviderResponse) as old_root:
        parse(fm.SetlistPage, load("setlistfm/artist-setlists-of-montreal-2015-api01.json"), "setlistfm",
              "setlistfm:artist_setlists")  # fmt: skip
    text = str(old_root.value)
    assert text.startswith("setlist.fm (setlistfm:artist_setlists):") and "got keys: setlists" in text
    with pytest.raises(BadProviderResponse) as array_root:
        parse(fm.SetlistPage, load("setlistfm/setlists-metallica-2016-api01.json"), "setlistfm",
              "setlistfm:artist_setlists")  # fmt: skip
    assert "JSON array" in str(array_root.value)
    # API 0.1 setlists inside a good page: each is malformed (sets.set a single object), skipped, counted.
    skipped: Counter[str] = Counter()
    items = load("setlistfm/setlists-metallica-2016-api01.json")
    kept = parse_items(
        fm.Setlist, items, "setlistfm", "setlistfm:artist_setlists", noun="setlist", skipped=skipped
    )
    assert sum(skipped.values()) + len(kept) == len(items) and sum(skipped.values()) > 0
    assert "malformed provider items" in malformed_note(skipped)


def test_an_error_body_is_not_an_empty_page() -> None:
    body = {"code": 404, "status": "Not Found", "message": "not found", "timestamp": "2017-10-08T00:00:00"}
    with pytest.raises(BadProviderResponse, match="got keys: code, message, status, timestamp"):
        parse(fm.SetlistPage, body, "setlistfm", "setlistfm:artist_setlists")
    with pytest.raises(BadProviderResponse, match=r"Ticketmaster \(ticketmaster:events\).*page"):
        parse(tm.Page, {"fault": {"faultstring": "Invalid ApiKey"}}, "ticketmaster", "ticketmaster:events")
    with pytest.raises(BadProviderResponse, match=r"Spotify \(spotify:artist_albums\).*items"):
        parse(sp.Paging[Any], {"error": {"status": 400, "message": "x"}}, "spotify", "spotify:artist_albums")


def test_one_malformed_event_of_a_good_page_is_skipped_and_counted() -> None:
    page = parse(tm.Page, load("ticketmaster/events-lady-gaga-sf-2017.json"), "ticketmaster", "t")
    good = page.embedded.events[0]
    broken = {k: v for k, v in good.items() if k != "id"}
    skipped: Counter[str] = Counter()
    kept = parse_items(tm.Event, [broken, good], "ticketmaster", "t", noun="event", skipped=skipped)
    assert [e.id for e in kept] == [good["id"]] and skipped == {"malformed event (id)": 1}


def test_ticketmaster_state_code_only_venue_keeps_its_state_and_gets_its_zone() -> None:
    events = tm_events("ticketmaster/events-2016-mixed-sources.json")
    austin = next(e for e in events if e.venue and e.venue.state and e.venue.state.name is None)
    row = venue_row(ticketmaster_rows.venue_row(austin.venue), austin.dates.timezone)  # type: ignore[arg-type]
    assert row.state == "TX"
    assert row.timezone == "America/Chicago"  # the event's zone; its venue names none
    without_event_zone = venue_row(ticketmaster_rows.venue_row(austin.venue))  # type: ignore[arg-type]
    assert (without_event_zone.timezone, without_event_zone.timezone_source) == (
        "America/Chicago",
        "coordinates",
    )


@pytest.mark.parametrize(
    "name",
    [
        "ticketmaster/events-2016-mixed-sources.json",
        "ticketmaster/events-2016-page2-size5.json",
        "ticketmaster/events-docs-size1-2016.json",
        "ticketmaster/events-lady-gaga-sf-2017.json",
        "ticketmaster/events-metallica-worldwired-2017.json",
        "ticketmaster/events-ny-music-2020.json",
        "ticketmaster/events-pl-2024.json",
        "ticketmaster/events-us-2020.json",
    ],
)
def test_every_recorded_venue_gets_a_real_zone(name: str) -> None:
    rows = [
        venue_row(ticketmaster_rows.venue_row(e.venue), e.dates.timezone) for e in tm_events(name) if e.venue
    ]
    assert rows
    for row in rows:
        if row.latitude is not None or row.timezone_source == "provider":
            assert row.timezone != "UTC" and row.timezone_source in ("provider", "coordinates"), row


def test_ticketmaster_venues_with_coordinates_agree_with_their_named_zone() -> None:
    # Where Ticketmaster names the zone, the coordinates lookup gives the same one (its own answers as
    # the check of tzfpy); Cancún's 2016 answer says Mexico_City, the zone Cancún left in 2015.
    from mysetlist_pipelines.lib.rules.show_rows import zone_at

    checked = 0
    for name in ("ticketmaster/events-us-2020.json", "ticketmaster/events-ny-music-2020.json"):
        for e in tm_events(name):
            v = e.venue
            if v and v.timezone and v.location and v.location.latitude is not None:
                assert zone_at(v.location.latitude, v.location.longitude) == v.timezone, v.name
                checked += 1
    assert checked > 10


def test_spotify_2014_beta_album_is_refused_and_current_albums_parse() -> None:
    with pytest.raises(BadProviderResponse, match="release_date"):
        parse(sp.Album, load("spotify/album-shes-so-unusual-2014-beta.json"), "spotify", "spotify:album")
    album = parse(
        sp.Album, load("spotify/album-shes-so-unusual-precision-year.json"), "spotify", "spotify:album"
    )
    assert album.release_date == "1983" and album.release_day is not None
