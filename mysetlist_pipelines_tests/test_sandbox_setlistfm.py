"""The setlist.fm fake over HTTP: x-api-key, Accept negotiation, 404-for-empty, pages of 20, shapes."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests

from mysetlist_pipelines_tests.sandbox_calls import TIMEOUT, fm, urls
from mysetlist_sandbox.server import SandboxServer


def test_api_key_is_required(sandbox_env: SandboxServer) -> None:
    url = urls(sandbox_env.base_url)["setlistfm"] + "/search/artists"
    params = {"artistName": "Echo Valley"}
    for headers in ({"Accept": "application/json"}, {"Accept": "application/json", "x-api-key": "wrong"}):
        r = requests.get(url, params=params, headers=headers, timeout=TIMEOUT)
        assert r.status_code == 401 and r.json()["code"] == 401


def test_accept_header_decides_the_format(sandbox_env: SandboxServer) -> None:
    mbid = sandbox_env.artist("echo-valley").mbid
    as_json = fm(sandbox_env.base_url, f"/artist/{mbid}")
    assert as_json.headers["Content-Type"].startswith("application/json") and as_json.json()["mbid"] == mbid
    for accept in (None, "*/*", "application/xml"):
        r = fm(sandbox_env.base_url, f"/artist/{mbid}", accept=accept)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
        assert r.text.startswith("<?xml") and f'mbid="{mbid}"' in r.text
    assert fm(sandbox_env.base_url, f"/artist/{mbid}", accept="text/plain").status_code == 406


def test_artist_setlists_page_by_20_newest_first(sandbox_env: SandboxServer) -> None:
    mbid = sandbox_env.artist("velvet-static").mbid
    pages = [fm(sandbox_env.base_url, f"/artist/{mbid}/setlists", p=p).json() for p in (1, 2, 3)]
    assert [len(p["setlist"]) for p in pages] == [20, 20, 7]
    assert all(p["itemsPerPage"] == 20 and p["total"] == 47 for p in pages)
    assert [p["page"] for p in pages] == [1, 2, 3]
    dates = [datetime.strptime(s["eventDate"], "%d-%m-%Y").date() for p in pages for s in p["setlist"]]
    assert dates == sorted(dates, reverse=True) and dates[0] == sandbox_env.today - timedelta(days=2)
    beyond = fm(sandbox_env.base_url, f"/artist/{mbid}/setlists", p=4)
    assert beyond.status_code == 404 and beyond.json()["message"] == "not found"
    assert fm(sandbox_env.base_url, f"/artist/{mbid}/setlists", p=0).status_code == 400


def test_no_results_is_404(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    no_setlists = fm(base, f"/artist/{sandbox_env.artist('paper-satellites').mbid}/setlists")
    assert no_setlists.status_code == 404 and no_setlists.json()["code"] == 404
    assert fm(base, "/artist/00000000-0000-0000-0000-000000000000").status_code == 404
    assert fm(base, "/search/artists", artistName="No Such Artist Anywhere").status_code == 404
    assert fm(base, "/setlist/deadbeef").status_code == 404
    assert fm(base, "/search/artists").status_code == 400


def test_search_artists_with_decoys(sandbox_env: SandboxServer) -> None:
    found = fm(sandbox_env.base_url, "/search/artists", artistName="Echo Valley", sort="relevance").json()
    assert found["type"] == "artists" and found["itemsPerPage"] == 30
    echo = [(a["name"], a["disambiguation"]) for a in found["artist"]]
    assert sorted(echo) == [("Echo Valley", "Americana band from Tulsa"), ("Echo Valley", "UK folk duo")]
    paper = fm(
        sandbox_env.base_url, "/search/artists", artistName="Paper Satellites", sort="relevance"
    ).json()
    assert [a["name"] for a in paper["artist"]] == ["Paper Satellites", "Paper Satellite"]
    ghosts = fm(sandbox_env.base_url, "/search/artists", artistName="ghost arcade", sort="relevance").json()[
        "artist"
    ]
    assert [a["name"] for a in ghosts] == ["Ghost Arcade", "Ghost Arcade Tribute"]
    assert ghosts[0]["mbid"] == sandbox_env.artist("ghost-arcade").mbid


def test_setlist_shapes(sandbox_env: SandboxServer) -> None:
    mbid = sandbox_env.artist("velvet-static").mbid
    setlists = fm(sandbox_env.base_url, f"/artist/{mbid}/setlists").json()["setlist"]
    empty, full = setlists[0], setlists[1]
    assert empty["sets"] == {"set": []} and empty["info"] == "Warm-up show"
    main, encore = full["sets"]["set"]
    assert main["song"][0] == {"name": "Intro", "tape": True}
    cover = next(s for s in main["song"] if "cover" in s)
    assert (
        cover["name"] == "Heroes"
        and cover["cover"]["name"] == "David Bowie"
        and len(cover["cover"]["mbid"]) == 36
    )
    assert encore["encore"] == 1 and [s["name"] for s in encore["song"]] == [
        "Lanterns",
        "Neon Saints",
        "Static Bloom",
    ]
    venue = full["venue"]
    assert venue["name"] == "Bridgestone Arena" and venue["city"]["country"]["code"] == "US"
    assert isinstance(venue["city"]["coords"]["lat"], float)
    assert full["url"].startswith("https://www.setlist.fm/setlist/the-velvet-static/")
    assert full["lastUpdated"].endswith(".000+0000") and full["versionId"]
    by_id = fm(sandbox_env.base_url, f"/setlist/{full['id']}").json()
    assert by_id == full


def test_odd_setlists(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    echo = fm(base, f"/artist/{sandbox_env.artist('echo-valley').mbid}/setlists").json()["setlist"]
    assert [len(s["sets"]["set"]) for s in echo[:3]] == [0, 0, 0]
    songs = [song for s in echo for part in s["sets"]["set"] for song in part["song"]]
    assert any(song["name"] == "" for song in songs)
    guest = next(song for song in songs if "with" in song)
    assert guest["with"]["mbid"] == sandbox_env.artist("hollow-pines").mbid
    hollow = fm(base, f"/artist/{sandbox_env.artist('hollow-pines').mbid}/setlists").json()["setlist"]
    assert any("city" not in s["venue"] for s in hollow)
    zoe = fm(base, f"/artist/{sandbox_env.artist('zoe-marlowe').mbid}/setlists").json()["setlist"]
    same_day = [s for s in zoe if s.get("info") in ("Matinee show", "Evening show")]
    assert len(same_day) == 2 and same_day[0]["eventDate"] == same_day[1]["eventDate"]
    assert same_day[0]["id"] != same_day[1]["id"]
    encores = [p["encore"] for s in zoe for p in s["sets"]["set"] if "encore" in p]
    assert 2 in encores
    fjord = fm(base, f"/artist/{sandbox_env.artist('melodie-fjord').mbid}/setlists").json()["setlist"]
    assert all(
        "state" not in s["venue"]["city"] or s["venue"]["city"]["country"]["code"] != "IS" for s in fjord
    )


def test_search_setlists_incrementally(sandbox_env: SandboxServer) -> None:
    mbid = sandbox_env.artist("velvet-static").mbid
    since = (sandbox_env.today - timedelta(days=13)).strftime("%Y%m%d000000")
    recent = fm(sandbox_env.base_url, "/search/setlists", artistMbid=mbid, lastUpdated=since).json()
    assert recent["total"] == 3  # days -2, -5 and -12
    assert (
        fm(sandbox_env.base_url, "/search/setlists", artistMbid=mbid, lastUpdated="2026-01-01").status_code
        == 400
    )
    assert fm(sandbox_env.base_url, "/search/setlists").status_code == 400
    day = (sandbox_env.today - timedelta(days=50)).strftime("%d-%m-%Y")
    twice = fm(
        sandbox_env.base_url, "/search/setlists", artistMbid=sandbox_env.artist("zoe-marlowe").mbid, date=day
    ).json()
    assert twice["total"] == 2


def test_429_has_no_retry_after(sandbox_env: SandboxServer) -> None:
    sandbox_env.add_fault("setlistfm", "quota_exceeded")
    r = fm(sandbox_env.base_url, f"/artist/{sandbox_env.artist('echo-valley').mbid}")
    assert r.status_code == 429 and "Retry-After" not in r.headers
