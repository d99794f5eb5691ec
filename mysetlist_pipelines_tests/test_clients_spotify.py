"""The Spotify client against the sandbox: pagination, Development Mode limits, the cost formula."""

from __future__ import annotations

import math

import pytest

from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.providers.spotify.client import catalog_cost
from mysetlist_sandbox.server import SandboxServer

BUNDLED = [
    "echo-valley",
    "ghost-arcade",
    "hollow-pines",
    "melodie-fjord",
    "neon-harbor",
    "paper-satellites",
    "velvet-static",
    "zoe-marlowe",
]


@pytest.mark.parametrize("key", BUNDLED)
def test_catalog_costs_exactly_the_formula(
    sandbox_env: SandboxServer, providers: Providers, key: str
) -> None:
    ref = sandbox_env.artist(key)
    truth = sandbox_env.expected(key)["spotify"]
    releases = providers.spotify.artist_albums(ref.spotify_id)
    assert len(releases) == truth["releases"]  # `market` sent: regional twins are not listed twice
    assert len({r.id for r in releases}) == len(releases)
    albums = [providers.spotify.album(r.id) for r in releases]
    assert all(a is not None and len(a.tracks.items) == a.tracks.total == a.total_tracks for a in albums)
    assert sum(a.tracks.total for a in albums if a) == truth["tracks"]

    calls = providers.calls()
    assert calls == sandbox_env.counters()["calls"]
    spent = sum(n for name, n in calls.items() if name != "spotify:token")
    assert spent == truth["catalog_calls"] == catalog_cost([a.tracks.total for a in albums if a])
    assert calls["spotify:artist_albums"] == max(1, math.ceil(truth["releases"] / 10))
    assert calls.get("spotify:album_tracks", 0) == sum(
        math.ceil((a.tracks.total - 50) / 50) for a in albums if a and a.tracks.total > 50
    )
    assert calls["spotify:token"] == 1
    assert "spotify:removed" not in calls


def test_an_album_over_50_tracks_pages_its_tracks_only_when_asked(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    ref = sandbox_env.artist("velvet-static")
    big = max(providers.spotify.artist_albums(ref.spotify_id), key=lambda a: a.total_tracks)
    assert big.total_tracks > 50
    before = providers.calls()
    first = providers.spotify.album(big.id, all_tracks=False)
    assert first is not None and len(first.tracks.items) == 50 and first.tracks.total == big.total_tracks
    assert providers.calls_since(before) == {"spotify:album": 1}
    before = providers.calls()
    full = providers.spotify.album(big.id)
    assert full is not None and len(full.tracks.items) == big.total_tracks
    assert [t.track_number for t in full.tracks.items if t.disc_number == 1][:3] == [1, 2, 3]
    assert len({t.id for t in full.tracks.items}) == big.total_tracks
    assert providers.calls_since(before) == {
        "spotify:album": 1,
        "spotify:album_tracks": math.ceil((big.total_tracks - 50) / 50),
    }


def test_groups_are_asked_separately(sandbox_env: SandboxServer, providers: Providers) -> None:
    ref = sandbox_env.artist("velvet-static")
    groups = sandbox_env.expected("velvet-static")["spotify"]["groups"]
    for group, count in groups.items():
        assert len(providers.spotify.artist_albums(ref.spotify_id, (group,))) == count


def test_artist_search_track_isrc_and_unknown_ids(sandbox_env: SandboxServer, providers: Providers) -> None:
    ref = sandbox_env.artist("melodie-fjord")
    artist = providers.spotify.artist(ref.spotify_id)
    assert artist is not None and artist.name == "Mélodie Fjörd" and artist.popularity is None
    found = providers.spotify.search_artists("Mélodie Fjörd")
    assert ref.spotify_id in [a.id for a in found]
    ambiguous = providers.spotify.search_artists("Echo Valley")
    assert len([a for a in ambiguous if a.name == "Echo Valley"]) == 2  # the client never picks one

    album = providers.spotify.album(providers.spotify.artist_albums(ref.spotify_id)[0].id)
    assert album is not None
    track = providers.spotify.track(album.tracks.items[0].id or "")
    assert track is not None and track.isrc and track.album is not None and track.album.id == album.id

    assert providers.spotify.artist("0000000000000000000000") is None
    assert providers.spotify.album("0000000000000000000000") is None
    calls = providers.calls()
    assert calls == sandbox_env.counters()["calls"]
    assert calls["spotify:search"] == 2 and calls["spotify:track"] == 1


def test_limits_above_development_mode_are_refused_before_any_call(
    sandbox_env: SandboxServer, providers: Providers
) -> None:
    with pytest.raises(ValueError, match="1..10"):
        providers.spotify.search_artists("x", limit=11)
    with pytest.raises(ValueError, match="1..10"):
        providers.spotify.artist_albums("x", limit=20)
    assert providers.calls() == {} and sandbox_env.counters()["calls"] == {}


def test_smaller_pages_follow_next_links(sandbox_env: SandboxServer, providers: Providers) -> None:
    ref = sandbox_env.artist("ghost-arcade")
    releases = sandbox_env.expected("ghost-arcade")["spotify"]["releases"]
    listed = providers.spotify.artist_albums(ref.spotify_id, limit=3)
    assert len(listed) == releases and len({a.id for a in listed}) == releases
    assert providers.calls()["spotify:artist_albums"] == math.ceil(releases / 3)
