"""The recorded real answers test_realdata_rules.py does not use, through the provider models: each model
must keep what the raw answer really holds (ids, names, counts, paging), or refuse the old format.

Recorded answers live in ../shared/realdata (provenance in its SOURCES.md), never copied here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mysetlist_pipelines.lib.providers.base import parse
from mysetlist_pipelines.lib.providers.setlistfm import models as fm
from mysetlist_pipelines.lib.providers.spotify import models as sp
from mysetlist_pipelines.lib.providers.ticketmaster import models as tm

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no recorded answers at {REALDATA}")


def load(name: str) -> Any:
    return json.loads((REALDATA / name).read_text(encoding="utf-8"))


def _try(model: Any, raw: Any, name: str) -> Any:
    return parse(model, raw, name.split("/")[0], name)


SP_ARTISTS = ["spotify/artist-arctic-monkeys-2014.json", "spotify/artist-band-of-horses.json",
              "spotify/artist-katatonia-2023.json"]  # fmt: skip
SP_SEARCH = ["spotify/search-artist-arctic-limit10-2017.json", "spotify/search-artist-arctic-offset10-2017.json",
             "spotify/search-artist-muse-offset5.json", "spotify/search-artist-tania-bowra.json"]  # fmt: skip
SP_PAGES = ["spotify/album-tracks-69-love-songs-offset50-2017.json", "spotify/album-tracks-shes-so-unusual.json",
            "spotify/album-tracks-sky-void-of-stars-2023.json", "spotify/artist-albums-arctic-monkeys-2014.json",
            "spotify/artist-albums-avicii-singles-limit2-2019.json"]  # fmt: skip
SP_ALBUMS = ["spotify/album-69-love-songs-2017.json", "spotify/album-am-2019.json",
             "spotify/album-sky-void-of-stars-2023.json"]  # fmt: skip


@pytest.mark.parametrize("name", SP_ARTISTS)
def test_spotify_artists_keep_id_name_and_genres(name: str) -> None:
    raw = load(name)
    artist = _try(sp.Artist, raw, name)
    assert (artist.id, artist.name) == (raw["id"], raw["name"])
    assert list(artist.genres) == raw.get("genres", [])


@pytest.mark.parametrize("name", SP_SEARCH)
def test_spotify_artist_searches_keep_paging_and_items(name: str) -> None:
    raw = load(name)["artists"]
    page = _try(sp.ArtistSearch, load(name), name).artists
    assert (page.total, page.offset, page.next) == (raw["total"], raw["offset"], raw["next"])
    names = [_try(sp.Artist, item, name).name for item in page.items]
    assert names == [item["name"] for item in raw["items"]] and names


@pytest.mark.parametrize("name", SP_PAGES)
def test_spotify_pages_keep_paging_and_every_item(name: str) -> None:
    raw = load(name)
    page = _try(sp.Paging[Any], raw, name)
    assert (page.total, page.offset, page.next) == (raw["total"], raw.get("offset", 0), raw.get("next"))
    assert len(page.items) == len(raw["items"]) > 0


@pytest.mark.parametrize("name", SP_ALBUMS)
def test_spotify_albums_keep_their_tracks(name: str) -> None:
    raw = load(name)
    album = _try(sp.Album, raw, name)
    assert (album.id, album.name) == (raw["id"], raw["name"])


FM_PAGES = ["setlistfm/artist-setlists-babymetal-p1-2017.json", "setlistfm/artist-setlists-babymetal-p2-2017.json",
            "setlistfm/artist-setlists-pearl-jam-2018.json", "setlistfm/search-setlists-foo-fighters-2022.json"]  # fmt: skip


@pytest.mark.parametrize("name", FM_PAGES)
def test_setlistfm_setlist_pages_keep_page_total_and_ids(name: str) -> None:
    raw = load(name)
    page = _try(fm.SetlistPage, raw, name)
    assert (page.page, page.total) == (raw["page"], raw["total"])
    ids = [_try(fm.Setlist, item, name).id for item in page.setlist]
    assert ids == [item["id"] for item in raw["setlist"]] and ids


@pytest.mark.parametrize(
    "name",
    ["setlistfm/search-artists-babymetal-2017.json", "setlistfm/search-artists-metal-2017.json",
     "setlistfm/search-artists-stereophonics-2022.json"],
)  # fmt: skip
def test_setlistfm_artist_searches_keep_page_and_total(name: str) -> None:
    raw = load(name)
    page = _try(fm.ArtistPage, raw, name)
    assert (page.page, page.total, len(page.artist)) == (raw["page"], raw["total"], len(raw["artist"]))


@pytest.mark.parametrize(
    "name", ["setlistfm/artist-babymetal-2017.json", "setlistfm/artist-stereophonics-2022.json"]
)
def test_setlistfm_artists_keep_mbid_and_name(name: str) -> None:
    raw = load(name)
    artist = _try(fm.Artist, raw, name)
    assert (artist.mbid, artist.name) == (raw["mbid"], raw["name"])


def test_setlistfm_beatles_1964_setlist_keeps_its_id_and_venue() -> None:
    name = "setlistfm/setlist-beatles-hollywood-bowl-1964.json"
    raw = load(name)
    setlist = _try(fm.Setlist, raw, name)
    assert setlist.id == raw["id"] and setlist.venue.name == raw["venue"]["name"]


@pytest.mark.parametrize(
    "name",
    ["ticketmaster/attraction-docs-2016.json", "ticketmaster/attraction-susquehanna-breakdown-2016.json"],
)
def test_ticketmaster_attractions_keep_id_and_name(name: str) -> None:
    raw = load(name)
    attraction = _try(tm.Attraction, raw, name)
    assert (attraction.id, attraction.name) == (raw["id"], raw["name"])


@pytest.mark.parametrize(
    "name", ["ticketmaster/venue-docs-morrisburg-2016.json", "ticketmaster/venue-pavilion-montage-2016.json"]
)
def test_ticketmaster_venues_keep_id_and_name(name: str) -> None:
    raw = load(name)
    venue = _try(tm.Venue, raw, name)
    assert (venue.id, venue.name) == (raw["id"], raw["name"])


@pytest.mark.parametrize(
    "name",
    ["ticketmaster/attractions-search-2016.json", "ticketmaster/attractions-search-size1-docs-2016.json"],
)
def test_ticketmaster_attraction_searches_keep_paging_and_ids(name: str) -> None:
    raw = load(name)
    page = _try(tm.Page, raw, name)
    assert (page.page.total_elements, page.page.number) == (
        raw["page"]["totalElements"],
        raw["page"]["number"],
    )
    ids = [_try(tm.Attraction, item, name).id for item in page.embedded.attractions]
    assert ids == [item["id"] for item in raw["_embedded"]["attractions"]] and ids


@pytest.mark.parametrize(
    "name",
    ["ticketmaster/event-radiohead-docs-2016.json", "ticketmaster/event-susquehanna-rv-pass-2016.json"],
)
def test_ticketmaster_events_keep_id_name_and_venue(name: str) -> None:
    raw = load(name)
    event = _try(tm.Event, raw, name)
    assert (event.id, event.name) == (raw["id"], raw["name"])
