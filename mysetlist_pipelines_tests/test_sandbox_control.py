"""The sandbox's control side: counters, reset, faults (API, HTTP and CLI), rate enforcement, quotas,
`today`, synthetic artists, and `mysetlist sandbox` as a process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
import requests

from mysetlist_pipelines_tests.sandbox_calls import TIMEOUT, Spotify, fm, tm, token
from mysetlist_sandbox.faults import parse_fault_spec
from mysetlist_sandbox.server import SandboxServer
from mysetlist_sandbox.synthetic import SHAPE


def test_counters_per_endpoint_and_reset(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    sp = Spotify(base)
    ref = sandbox_env.artist("neon-harbor")
    sp.get(f"/artists/{ref.spotify_id}")
    sp.get(f"/artists/{ref.spotify_id}/albums", market="US", limit=10)
    tm(base, f"/attractions/{ref.tm_attraction_id}.json")
    tm(base, "/events.json", attractionId=ref.tm_attraction_id)
    fm(base, f"/artist/{ref.mbid}/setlists")
    fm(base, "/setlist/nope")
    requests.get(f"{base}/_sandbox/counters", timeout=TIMEOUT)  # the control API is not counted
    counters = requests.get(f"{base}/_sandbox/counters", timeout=TIMEOUT).json()
    assert counters["calls"] == {
        "setlistfm:artist_setlists": 1,
        "setlistfm:setlist": 1,
        "spotify:artist": 1,
        "spotify:artist_albums": 1,
        "spotify:token": 1,
        "ticketmaster:attraction": 1,
        "ticketmaster:events": 1,
    }
    assert counters["by_provider"] == {"spotify": 3, "ticketmaster": 2, "setlistfm": 2}
    assert (
        counters["status"]["200"] == 6 and counters["status"]["404"] == 1 and counters["status"]["2xx"] == 6
    )
    assert counters["rate_violations"] == {"spotify": 0, "ticketmaster": 0, "setlistfm": 0}
    assert counters == sandbox_env.counters()

    assert requests.post(f"{base}/_sandbox/reset", timeout=TIMEOUT).json() == {"ok": True}
    after = sandbox_env.counters()
    assert after["calls"] == {} and after["by_provider"] == {"spotify": 0, "ticketmaster": 0, "setlistfm": 0}
    # reset also forgets issued tokens
    assert sp.get(f"/artists/{ref.spotify_id}").status_code == 401


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("spotify:429:2:1", ("spotify", "429", 2, 1.0, None)),
        ("ticketmaster:500:3", ("ticketmaster", "500", 3, None, None)),
        ("setlistfm:latency:2.0", ("setlistfm", "latency", -1, 2.0, None)),
        ("spotify:bad_json@spotify:album", ("spotify", "bad_json", 1, None, "spotify:album")),
        ("spotify:503:-1", ("spotify", "503", -1, None, None)),
    ],
)
def test_fault_specs(spec: str, expected: tuple) -> None:
    f = parse_fault_spec(spec)
    assert (f.provider, f.kind, f.count, f.seconds, f.endpoint) == expected


@pytest.mark.parametrize(
    "spec", ["spotify", "nope:429", "spotify:418", "ticketmaster:token_expired", "spotify:429:0"]
)
def test_bad_fault_specs(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_fault_spec(spec)


def test_faults_by_kind(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    sp = Spotify(base)
    artist = f"/artists/{sandbox_env.artist('echo-valley').spotify_id}"

    sandbox_env.add_fault("spotify", "429", count=2, seconds=3)
    for _ in range(2):
        r = sp.get(artist)
        assert r.status_code == 429 and r.headers["Retry-After"] == "3"
    assert sp.get(artist).status_code == 200

    sandbox_env.add_fault("spotify", "429_no_retry_after")
    r = sp.get(artist)
    assert r.status_code == 429 and "Retry-After" not in r.headers

    for kind in ("500", "503"):
        sandbox_env.add_fault("spotify", kind)
        r = sp.get(artist)
        assert r.status_code == int(kind) and r.json()["error"]["status"] == int(kind)
    sandbox_env.add_fault("spotify", "502")
    r = sp.get(artist)
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")

    sandbox_env.add_fault("spotify", "quota_exceeded")
    r = sp.get(artist)
    assert r.status_code == 429 and r.headers["Retry-After"] == "48925"
    assert r.json()["error"]["reason"] == "QUOTA_EXCEEDED"

    sandbox_env.add_fault("spotify", "bad_json")
    r = sp.get(artist)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()

    sandbox_env.add_fault("spotify", "token_expired")
    r = sp.get(artist)
    assert r.status_code == 401 and r.json()["error"]["message"] == "The access token expired"
    assert sp.get(artist).status_code == 401  # the token stays expired, as a real one would
    assert Spotify(base).get(artist).status_code == 200  # a new token works
    counters = sandbox_env.counters()
    assert counters["calls"]["spotify:token"] == 2  # provider-wide faults never hit the token call
    assert counters["faults_applied"]["spotify:429"] == 2 and sandbox_env.faults() == []


def test_latency_endpoint_filter_and_every_call(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    ref = sandbox_env.artist("ghost-arcade")
    sandbox_env.add_fault("setlistfm", "latency", count=1, seconds=0.4)
    started = time.monotonic()
    assert fm(base, f"/artist/{ref.mbid}").status_code == 200
    assert time.monotonic() - started >= 0.4

    sandbox_env.add_fault("ticketmaster", "500", count=-1, endpoint="ticketmaster:venue")
    for _ in range(3):
        assert tm(base, "/venues/KovZpZnope.json").status_code == 500
    assert tm(base, f"/attractions/{ref.tm_attraction_id}.json").status_code == 200
    assert len(sandbox_env.faults()) == 1
    requests.delete(f"{base}/_sandbox/faults", timeout=TIMEOUT)
    assert tm(base, "/venues/KovZpZnope.json").status_code == 404


def test_faults_over_http(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    r = requests.post(
        f"{base}/_sandbox/faults",
        json=[{"provider": "ticketmaster", "kind": "503", "count": 1}, {"spec": "setlistfm:429:1:7"}],
        timeout=TIMEOUT,
    )
    assert r.status_code == 200 and len(r.json()["faults"]) == 2
    assert tm(base, "/events.json").status_code == 503
    limited = fm(base, "/search/artists", artistName="Echo")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    bad = requests.post(
        f"{base}/_sandbox/faults", json={"provider": "myspace", "kind": "500"}, timeout=TIMEOUT
    )
    assert bad.status_code == 400 and "myspace" in bad.json()["error"]


def test_rate_enforcement_at_documented_rates(sandbox_env: SandboxServer) -> None:
    sandbox_env.configure(enforce_rates=True)
    ref = sandbox_env.artist("echo-valley")
    answers = [fm(sandbox_env.base_url, f"/artist/{ref.mbid}").status_code for _ in range(20)]
    # 20 back-to-back calls cannot fit in setlist.fm's 2/s unless they took 10 s.
    assert answers[:2] == [200, 200] and 429 in answers
    violations = sandbox_env.counters()["rate_violations"]
    assert violations["setlistfm"] == answers.count(429) and violations["spotify"] == 0


@pytest.mark.parametrize("provider", ["spotify", "ticketmaster", "setlistfm"])
def test_rate_window_per_provider(sandbox_env: SandboxServer, provider: str) -> None:
    # A tiny rate makes the window long, so the outcome does not depend on the machine's speed.
    sandbox_env.configure(enforce_rates=True, rates={provider: 0.1})
    ref = sandbox_env.artist("echo-valley")
    base = sandbox_env.base_url
    sp = Spotify(base) if provider == "spotify" else None
    call = {
        "spotify": lambda: sp.get(f"/artists/{ref.spotify_id}"),  # type: ignore[union-attr]
        "ticketmaster": lambda: tm(base, f"/attractions/{ref.tm_attraction_id}.json"),
        "setlistfm": lambda: fm(base, f"/artist/{ref.mbid}"),
    }[provider]
    budget = {"spotify": 3, "ticketmaster": 1, "setlistfm": 1}[provider]  # 30 s * 0.1/s; 1 per 10 s
    assert [call().status_code for _ in range(budget)] == [200] * budget
    refused = call()
    assert refused.status_code == 429
    if provider == "spotify":
        assert 1 <= int(refused.headers["Retry-After"]) <= 30
    else:
        assert "Retry-After" not in refused.headers
    assert sandbox_env.counters()["rate_violations"][provider] == 1


def test_daily_quota(sandbox_env: SandboxServer) -> None:
    sandbox_env.configure(quotas={"ticketmaster": 2})
    base = sandbox_env.base_url
    first = tm(base, "/events.json")
    assert first.headers["Rate-Limit"] == "2" and first.headers["Rate-Limit-Available"] == "1"
    assert tm(base, "/events.json").status_code == 200
    over = tm(base, "/events.json")
    assert over.status_code == 429 and "QuotaViolation" in over.text
    sandbox_env.reset()
    assert tm(base, "/events.json").headers["Rate-Limit"] == "5000"


def test_today_moves_every_date(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    ref = sandbox_env.artist("neon-harbor")
    r = requests.post(f"{base}/_sandbox/config", json={"today": "2030-06-15"}, timeout=TIMEOUT)
    assert r.json()["today"] == "2030-06-15" and sandbox_env.today == date(2030, 6, 15)
    events = tm(base, "/events.json", attractionId=ref.tm_attraction_id, sort="date,asc").json()
    first = events["_embedded"]["events"][0]["dates"]["start"]["localDate"]
    assert first == str(date(2030, 6, 15) + timedelta(days=18))
    setlists = fm(base, f"/artist/{ref.mbid}/setlists").json()["setlist"]
    assert setlists[0]["eventDate"] == (date(2030, 6, 15) - timedelta(days=5)).strftime("%d-%m-%Y")


def test_synthetic_artists() -> None:
    with SandboxServer(synthetic_artists=3) as server:
        refs = [r for r in server.artists() if r.synthetic]
        assert [r.name for r in refs] == [
            "Synthetic Artist 0001",
            "Synthetic Artist 0002",
            "Synthetic Artist 0003",
        ]
        assert len(server.artists(synthetic=False)) == 8
        again = SandboxServer(synthetic_artists=1)
        assert again.artists()[-1] == refs[0]  # deterministic ids
        again._httpd.server_close()
        sp = Spotify(server.base_url)
        releases, calls = sp.all_pages(
            f"/artists/{refs[1].spotify_id}/albums", include_groups="album,single", market="US", limit=10
        )
        assert (len(releases), calls) == (SHAPE["releases"], 1)
        tracks = sum(sp.get(f"/albums/{a['id']}", market="US").json()["total_tracks"] for a in releases)
        assert tracks == SHAPE["tracks"]
        events = tm(
            server.base_url,
            "/events.json",
            attractionId=refs[1].tm_attraction_id,
            startDateTime="2000-01-01T00:00:00Z",
        ).json()
        assert events["page"]["totalElements"] == SHAPE["events"]
        setlists = fm(server.base_url, f"/artist/{refs[1].mbid}/setlists").json()
        assert setlists["total"] == SHAPE["setlists"]
        expected = server.expected(refs[1].key)
        assert expected["spotify"]["studio_songs"] == SHAPE["studio_songs"]
        assert expected["setlistfm"]["songs_played"] == SHAPE["setlist_songs"]
        assert expected["setlistfm"]["tapes"] == SHAPE["tapes"]
        listed = requests.get(f"{server.base_url}/_sandbox/artists?synthetic=0", timeout=TIMEOUT).json()[
            "artists"
        ]
        assert len(listed) == 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serves_until_sigterm() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mysetlist_pipelines.cli",
            "sandbox",
            "--port",
            str(port),
            "--fault",
            "spotify:429:1:2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "LOG_LEVEL": "INFO"},
    )
    try:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()  # printed once the socket listens
        base = f"http://127.0.0.1:{port}"
        assert first_line.strip() == f"sandbox on {base}"
        assert requests.get(f"{base}/_sandbox/health", timeout=TIMEOUT).json()["ok"] is True
        headers = {"Authorization": f"Bearer {token(base)}"}
        artist = requests.get(f"{base}/_sandbox/artists?synthetic=0", timeout=TIMEOUT).json()["artists"][0]
        url = f"{base}/v1/artists/{artist['spotify_id']}"
        limited = requests.get(url, headers=headers, timeout=TIMEOUT)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
        assert requests.get(url, headers=headers, timeout=TIMEOUT).json()["name"] == artist["name"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "sandbox stopped" in out
