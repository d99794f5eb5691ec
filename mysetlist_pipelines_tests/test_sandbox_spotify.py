"""The Spotify fake over HTTP: tokens, Development-Mode limits, shapes, paging and market semantics."""

from __future__ import annotations

import base64

import pytest
import requests

from mysetlist_pipelines_tests.sandbox_calls import SP_ID, SP_SECRET, TIMEOUT, Spotify, token, urls
from mysetlist_sandbox.server import SandboxServer


def _post_token(
    sandbox: SandboxServer, data: dict[str, str], auth: tuple[str, str] | None = None, **kw: object
):
    return requests.post(urls(sandbox.base_url)["token"], data=data, auth=auth, timeout=TIMEOUT, **kw)


def test_token_with_basic_auth(sandbox_env: SandboxServer) -> None:
    r = _post_token(sandbox_env, {"grant_type": "client_credentials"}, (SP_ID, SP_SECRET))
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"] and "refresh_token" not in body
    assert sandbox_env.counters()["calls"] == {"spotify:token": 1}


def test_token_credentials_in_form_body_also_work(sandbox_env: SandboxServer) -> None:
    form = {"grant_type": "client_credentials", "client_id": SP_ID, "client_secret": SP_SECRET}
    assert _post_token(sandbox_env, form).status_code == 200


@pytest.mark.parametrize(
    ("data", "auth", "error", "description"),
    [
        (
            {"grant_type": "client_credentials"},
            (SP_ID, "wrong-secret"),
            "invalid_client",
            "Invalid client secret",
        ),
        (
            {"grant_type": "client_credentials"},
            ("someone-else", SP_SECRET),
            "invalid_client",
            "Invalid client",
        ),
        ({"grant_type": "client_credentials"}, None, "invalid_client", "Invalid client"),
        ({}, (SP_ID, SP_SECRET), "unsupported_grant_type", "grant_type parameter is missing"),
        ({"grant_type": "password"}, (SP_ID, SP_SECRET), "unsupported_grant_type", None),
    ],
)
def test_token_refusals(sandbox_env: SandboxServer, data, auth, error, description) -> None:
    r = _post_token(sandbox_env, data, auth)
    assert r.status_code == 400
    assert r.json()["error"] == error
    if description:
        assert r.json()["error_description"] == description


def test_token_rejects_garbled_basic_header(sandbox_env: SandboxServer) -> None:
    r = _post_token(sandbox_env, {"grant_type": "client_credentials"}, headers={"Authorization": "Basic %%%"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client"
    good = base64.b64encode(f"{SP_ID}:{SP_SECRET}".encode()).decode()
    r = _post_token(
        sandbox_env, {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {good}"}
    )
    assert r.status_code == 200


def test_api_needs_a_valid_unexpired_token(sandbox_env: SandboxServer) -> None:
    api = urls(sandbox_env.base_url)["spotify"]
    artist = sandbox_env.artist("velvet-static").spotify_id
    missing = requests.get(f"{api}/artists/{artist}", timeout=TIMEOUT)
    assert missing.status_code == 401
    assert missing.json() == {"error": {"status": 401, "message": "No token provided"}}
    assert "invalid_token" in missing.headers["WWW-Authenticate"]
    unknown = requests.get(
        f"{api}/artists/{artist}", headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT
    )
    assert unknown.status_code == 401 and unknown.json()["error"]["message"] == "Invalid access token"

    sandbox_env.configure(token_ttl_seconds=0)  # every token is born expired
    expired = token(sandbox_env.base_url)
    r = requests.get(
        f"{api}/artists/{artist}", headers={"Authorization": f"Bearer {expired}"}, timeout=TIMEOUT
    )
    assert r.status_code == 401
    assert r.json() == {"error": {"status": 401, "message": "The access token expired"}}

    sandbox_env.configure(token_ttl_seconds=3600)
    fresh = token(sandbox_env.base_url)
    r = requests.get(f"{api}/artists/{artist}", headers={"Authorization": f"Bearer {fresh}"}, timeout=TIMEOUT)
    assert r.status_code == 200
    assert sandbox_env.counters()["status_by_provider"]["spotify"] == {"200": 3, "401": 3}


def test_artist_shape_has_no_popularity_or_followers(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    ref = sandbox_env.artist("melodie-fjord")
    artist = sp.get(f"/artists/{ref.spotify_id}").json()
    assert artist["name"] == "Mélodie Fjörd"
    assert artist["id"] == ref.spotify_id and artist["uri"] == f"spotify:artist:{ref.spotify_id}"
    assert "popularity" not in artist and "followers" not in artist
    widths = [i["width"] for i in artist["images"]]
    assert widths == sorted(widths, reverse=True) and len(widths) == 3
    assert sp.get("/artists/" + "0" * 22).status_code == 404
    assert sp.get("/artists/not-an-id").status_code == 400


def test_artist_albums_paging_limits_and_groups(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    artist = sandbox_env.artist("velvet-static").spotify_id
    path = f"/artists/{artist}/albums"
    first = sp.get(path, include_groups="album,single", market="US", limit=10).json()
    assert first["total"] == 41 and len(first["items"]) == 10 and first["previous"] is None
    assert first["next"].startswith(sandbox_env.base_url + "/v1/")  # absolute, on the host we called
    assert "include_groups=album,single" in first["next"] and "market=US" in first["next"]
    items, calls = sp.all_pages(path, include_groups="album,single", market="US", limit=10)
    assert (len(items), calls) == (41, 5)
    assert len({a["id"] for a in items}) == 41
    for album in items:
        assert {"album_group", "popularity", "available_markets", "label"}.isdisjoint(album)
        assert album["album_type"] in ("album", "single")
        assert (
            album["release_date_precision"] == {4: "year", 7: "month", 10: "day"}[len(album["release_date"])]
        )

    assert len(sp.get(path, market="US").json()["items"]) == 5  # Development Mode default limit
    bad = sp.get(path, market="US", limit=11)
    assert bad.status_code == 400 and bad.json() == {"error": {"status": 400, "message": "Invalid limit"}}
    everything = sp.get(path, market="US", limit=10).json()["total"]
    appears_on, _ = sp.all_pages(path, include_groups="appears_on", market="US", limit=10)
    compilations, _ = sp.all_pages(path, include_groups="compilation", market="US", limit=10)
    assert (len(appears_on), len(compilations), everything) == (2, 2, 45)
    assert {a["name"] for a in appears_on} == {
        "Indie Summer 2015",
        "Northern Lights (feat. The Velvet Static)",
    }
    assert sp.get(path, include_groups="album,bogus").status_code == 400


def test_without_market_releases_come_back_once_per_market(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    path = f"/artists/{sandbox_env.artist('velvet-static').spotify_id}/albums"
    us, _ = sp.all_pages(path, include_groups="album,single", market="US", limit=10)
    gb, _ = sp.all_pages(path, include_groups="album,single", market="GB", limit=10)
    anywhere, _ = sp.all_pages(path, include_groups="album,single", limit=10)
    assert (len(us), len(gb), len(anywhere)) == (41, 41, 43)
    names = [a["name"] for a in anywhere]
    assert names.count("Paper Crowns") == 3  # album in US, its GB twin, and the single
    assert {a["id"] for a in us} != {a["id"] for a in gb}
    assert sp.get(path, market="usa").status_code == 400


def test_album_embeds_first_50_tracks_then_pages(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    path = f"/artists/{sandbox_env.artist('velvet-static').spotify_id}/albums"
    items, _ = sp.all_pages(path, include_groups="album", market="US", limit=10)
    box = next(a for a in items if a["name"] == "The Complete Sessions")
    assert box["total_tracks"] == 64
    album = sp.get(f"/albums/{box['id']}", market="US").json()
    assert album["genres"] == [] and album["external_ids"]["upc"] and album["copyrights"]
    tracks = album["tracks"]
    assert (len(tracks["items"]), tracks["total"], tracks["limit"]) == (50, 64, 50)
    assert (
        tracks["next"] == f"{sandbox_env.base_url}/v1/albums/{box['id']}/tracks?offset=50&limit=50&market=US"
    )
    rest = sp.get(tracks["next"]).json()
    assert len(rest["items"]) == 14 and rest["next"] is None
    assert [t["track_number"] for t in tracks["items"] + rest["items"]] == list(range(1, 65))
    first = tracks["items"][0]
    assert "external_ids" not in first and first["preview_url"] is None and first["is_playable"] is True
    assert sp.get(f"/albums/{box['id']}/tracks", limit=51).status_code == 400
    small = next(a for a in items if a["name"] == "First Light")
    embedded = sp.get(f"/albums/{small['id']}", market="US").json()["tracks"]
    assert embedded["next"] is None and embedded["total"] == 10


def test_isrc_only_on_the_track_endpoint(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    path = f"/artists/{sandbox_env.artist('zoe-marlowe').spotify_id}/albums"
    items, _ = sp.all_pages(path, include_groups="album,single", market="US", limit=10)
    album = sp.get(f"/albums/{items[0]['id']}", market="US").json()
    track = sp.get(f"/tracks/{album['tracks']['items'][0]['id']}", market="US").json()
    assert len(track["external_ids"]["isrc"]) == 12
    assert track["album"]["id"] == album["id"] and "tracks" not in track["album"]
    assert sp.get("/tracks/" + "1" * 22).status_code == 404


def test_same_song_on_album_single_and_remaster(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    path = f"/artists/{sandbox_env.artist('velvet-static').spotify_id}/albums"
    items, _ = sp.all_pages(path, include_groups="album,single", market="US", limit=10)
    titles: dict[str, list[int]] = {}
    for release in items:
        album = sp.get(f"/albums/{release['id']}", market="US").json()
        for t in album["tracks"]["items"]:
            titles.setdefault(t["name"], []).append(t["duration_ms"])
    # First Light, the "Alive" single, and Live at the Roundhouse (a live album whose titles carry no
    # suffix): the two studio copies within a second or two, the live take clearly longer.
    studio_copies, live_take = sorted(titles["Alive"])[:2], max(titles["Alive"])
    assert len(titles["Alive"]) == 3
    assert abs(studio_copies[0] - studio_copies[1]) <= 2000 and live_take - studio_copies[1] >= 20_000
    assert "Alive - 2021 Remaster" in titles and "Alive - Radio Edit" in titles
    for tricky in ("Oliver", "Live Forever", "Livewire", "Deliverance"):
        assert tricky in titles
    assert "Live Forever (Club Remix)" in titles and "Northern Wires [Live]" in titles


def test_search_is_fuzzy_folded_and_can_be_ambiguous(sandbox_env: SandboxServer) -> None:
    sp = Spotify(sandbox_env.base_url)
    hits = sp.get("/search", q='artist:"Echo Valley"', type="artist", limit=10).json()["artists"]
    names = [a["name"] for a in hits["items"]]
    assert names[:2] == ["Echo Valley", "Echo Valley"] and "The Echo Valley Band" in names
    assert hits["items"][0]["id"] != hits["items"][1]["id"]
    folded = sp.get("/search", q="melodie fjord", type="artist").json()["artists"]["items"]
    assert [a["name"] for a in folded] == ["Mélodie Fjörd"]
    paged = sp.get("/search", q="static", type="artist", limit=1).json()["artists"]
    assert paged["total"] == 2 and paged["next"].startswith(
        sandbox_env.base_url + "/v1/search?offset=1&limit=1"
    )
    assert sp.get("/search", q="x", type="artist", limit=11).json()["error"]["message"] == "Invalid limit"
    assert sp.get("/search", q="x").status_code == 400
    assert sp.get("/search", type="artist").status_code == 400
    assert sp.get("/search", q="zzzz-nothing", type="artist").json()["artists"]["total"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/albums?ids=a,b",
        "/artists?ids=a,b",
        "/tracks?ids=a,b",
        "/artists/{artist}/top-tracks?market=US",
        "/artists/{artist}/related-artists",
        "/browse/new-releases",
        "/browse/featured-playlists",
        "/browse/categories",
        "/browse/categories/rock/playlists",
        "/recommendations?seed_artists={artist}",
        "/audio-features?ids=a",
        "/audio-features/{artist}",
        "/audio-analysis/{artist}",
    ],
)
def test_removed_endpoints_answer_403(sandbox_env: SandboxServer, path: str) -> None:
    sp = Spotify(sandbox_env.base_url)
    r = sp.get(path.format(artist=sandbox_env.artist("velvet-static").spotify_id))
    assert r.status_code == 403
    assert r.json() == {"error": {"status": 403, "message": "Forbidden"}}
    assert sandbox_env.counters()["calls"]["spotify:removed"] == 1


def test_unknown_path_is_404(sandbox_env: SandboxServer) -> None:
    r = Spotify(sandbox_env.base_url).get("/me/playlists")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404
