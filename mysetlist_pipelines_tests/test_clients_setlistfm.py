"""The setlist.fm client against the sandbox: pages of 20, incremental stops, 404 as empty, costs."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.providers.setlistfm.client import setlists_cost
from mysetlist_sandbox.server import SandboxServer


@pytest.mark.parametrize("key", ["velvet-static", "ghost-arcade", "echo-valley", "paper-satellites"])
def test_all_setlists_newest_first_at_the_formula_cost(
    sandbox_env: SandboxServer, providers: Providers, key: str
) -> None:
    ref = sandbox_env.artist(key)
    truth = sandbox_env.expected(key)["setlistfm"]
    setlists = providers.setlistfm.artist_setlists(ref.mbid)
    assert len(setlists) == truth["setlists"] and len({s.id for s in setlists}) == truth["setlists"]
    dates = [s.event_date for s in setlists]
    assert dates == sorted(dates, reverse=True)
    assert sum(len(s.songs) for s in setlists) == truth["songs_played"] + truth["tapes"]
    assert sum(1 for s in setlists for song in s.songs if song.tape) == truth["tapes"]
    assert sum(1 for s in setlists for song in s.songs if song.cover and not song.tape) == truth["covers"]
    assert sum(1 for s in setlists if not s.songs) == truth["empty_setlists"]
    assert sum(1 for s in setlists for part in s.sets.set if part.encore) == truth["encore_sets"]
    calls = providers.calls()
    assert calls == sandbox_env.counters()["calls"]
    assert calls["setlistfm:artist_setlists"] == setlists_cost(truth["setlists"]) == max(1, truth["pages"])


def test_incremental_sync_stops_at_a_known_setlist_or_date(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    mbid = sandbox_env.artist("velvet-static").mbid
    every = providers.setlistfm.artist_setlists(mbid)
    assert len(every) > 40
    before = providers.calls()
    newer = providers.setlistfm.artist_setlists(mbid, stop_at_id=every[24].id)
    assert [s.id for s in newer] == [s.id for s in every[:24]]
    assert providers.calls_since(before) == {"setlistfm:artist_setlists": 2}  # floor(24 / 20) + 1

    before = providers.calls()
    since = every[4].event_date
    recent = providers.setlistfm.artist_setlists(mbid, since=since)
    assert [s.id for s in recent] == [s.id for s in every if s.event_date >= since]
    assert providers.calls_since(before) == {"setlistfm:artist_setlists": 1}

    before = providers.calls()
    assert providers.setlistfm.artist_setlists(mbid, stop_at_id=every[0].id) == []
    assert len(providers.setlistfm.artist_setlists(mbid, max_pages=1)) == 20
    assert providers.calls_since(before) == {"setlistfm:artist_setlists": 2}


def test_artist_search_lookup_and_404_as_empty(sandbox_env: SandboxServer, providers: Providers) -> None:
    ref = sandbox_env.artist("zoe-marlowe")
    found = providers.setlistfm.search_artists("Zoë Marlowe")
    assert found[0].mbid == ref.mbid and found[0].name == "Zoë Marlowe"
    decoys = providers.setlistfm.search_artists("Echo Valley")
    assert len([a for a in decoys if a.name == "Echo Valley"]) >= 2 and all(a.mbid for a in decoys)
    assert providers.setlistfm.search_artists("Qwxz Nobody") == []
    artist = providers.setlistfm.artist(ref.mbid)
    assert artist is not None and artist.mbid == ref.mbid
    assert providers.setlistfm.artist("00000000-0000-0000-0000-000000000000") is None
    assert providers.setlistfm.artist_setlists("00000000-0000-0000-0000-000000000000") == []
    assert providers.setlistfm.artist_setlists(sandbox_env.artist("paper-satellites").mbid) == []
    calls = providers.calls()
    assert calls == sandbox_env.counters()["calls"]
    assert calls == {
        "setlistfm:search_artists": 3,
        "setlistfm:artist": 2,
        "setlistfm:artist_setlists": 2,
    }


def test_setlist_by_id_and_two_shows_on_one_date(sandbox_env: SandboxServer, providers: Providers) -> None:
    setlists = providers.setlistfm.artist_setlists(sandbox_env.artist("zoe-marlowe").mbid)
    one = providers.setlistfm.setlist(setlists[0].id)
    assert one == setlists[0]
    assert providers.setlistfm.setlist("0000dead") is None
    by_date: dict[object, list[str]] = {}
    for s in setlists:
        by_date.setdefault((s.event_date, s.venue.id if s.venue else None), []).append(s.id)
    assert any(len(ids) == 2 for ids in by_date.values())  # matinee and evening: the id is the key


def test_search_setlists_updated_since(sandbox_env: SandboxServer, providers: Providers) -> None:
    mbid = sandbox_env.artist("velvet-static").mbid
    every = providers.setlistfm.artist_setlists(mbid)
    stamps = sorted((s.last_updated for s in every if s.last_updated), reverse=True)
    cutoff = stamps[9]
    updated = providers.setlistfm.search_setlists(artist_mbid=mbid, last_updated=cutoff)
    assert {s.id for s in updated} == {s.id for s in every if s.last_updated and s.last_updated >= cutoff}
    far_future = datetime.now(UTC) + timedelta(days=3650)
    assert providers.setlistfm.search_setlists(artist_mbid=mbid, last_updated=far_future) == []
    assert providers.calls()["setlistfm:search_setlists"] == math.ceil(len(updated) / 20) + 1
