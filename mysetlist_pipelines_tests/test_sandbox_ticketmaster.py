"""The Ticketmaster fake over HTTP: apikey auth, HAL pages, strict parameters and the observed quirks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mysetlist_pipelines_tests.sandbox_calls import TM_KEY, tm, tm_follow
from mysetlist_sandbox.server import SandboxServer

RATE_HEADERS = ("Rate-Limit", "Rate-Limit-Available", "Rate-Limit-Over", "Rate-Limit-Reset")


def _all_events(sandbox: SandboxServer, **params: Any) -> tuple[list[dict[str, Any]], int]:
    page = tm(sandbox.base_url, "/events.json", **params).json()
    events, calls = list(page.get("_embedded", {}).get("events", [])), 1
    while "next" in page["_links"]:
        page = tm_follow(sandbox.base_url, page["_links"]["next"]["href"]).json()
        events += page["_embedded"]["events"]
        calls += 1
    return events, calls


def _at(sandbox: SandboxServer, days: int) -> str:
    return f"{sandbox.today + timedelta(days=days)}T00:00:00Z"


def test_apikey_is_checked(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    wrong = tm(base, "/events.json", apikey="not-the-key")
    assert wrong.status_code == 401
    assert wrong.json() == {
        "fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
    }
    missing = tm(base, "/events.json", apikey="")
    assert (
        missing.status_code == 401
        and "FailedToResolveAPIKey" in missing.json()["fault"]["detail"]["errorcode"]
    )


def test_events_by_attraction_page_with_relative_next_links(sandbox_env: SandboxServer) -> None:
    ref = sandbox_env.artist("velvet-static")
    first = tm(
        sandbox_env.base_url, "/events.json", attractionId=ref.tm_attraction_id, sort="date,asc", size=4
    )
    assert first.status_code == 200
    body = first.json()
    assert body["page"] == {"size": 4, "totalElements": 11, "totalPages": 3, "number": 0}
    href = body["_links"]["next"]["href"]
    assert href.startswith("/discovery/v2/events.json?") and "apikey" not in href and "page=1" in href
    assert all(h in first.headers for h in RATE_HEADERS)
    events, calls = _all_events(sandbox_env, attractionId=ref.tm_attraction_id, sort="date,asc", size=4)
    assert (len(events), calls) == (11, 3)
    starts = [e["dates"]["start"]["localDate"] for e in events]
    assert starts == sorted(starts) and min(starts) >= str(sandbox_env.today)
    assert int(first.headers["Rate-Limit-Available"]) == 5000 - 1


def test_past_events_need_an_explicit_start_and_tba_needs_include_tba(sandbox_env: SandboxServer) -> None:
    ref = sandbox_env.artist("velvet-static")
    since, _ = _all_events(
        sandbox_env,
        attractionId=ref.tm_attraction_id,
        sort="date,asc",
        size=200,
        startDateTime=_at(sandbox_env, -30),
    )
    assert len(since) == 14
    everything, _ = _all_events(
        sandbox_env,
        attractionId=ref.tm_attraction_id,
        sort="date,asc",
        size=200,
        startDateTime=_at(sandbox_env, -30),
        includeTBA="yes",
    )
    assert len(everything) == 15
    tba = everything[-1]["dates"]["start"]  # date-less events sort last
    assert tba["dateTBA"] is True and "localDate" not in tba and "dateTime" not in tba
    only, _ = _all_events(sandbox_env, attractionId=ref.tm_attraction_id, includeTBA="only")
    assert len(only) == 1
    window, _ = _all_events(
        sandbox_env,
        attractionId=ref.tm_attraction_id,
        startDateTime=_at(sandbox_env, 10),
        endDateTime=_at(sandbox_env, 20),
    )
    assert len(window) == 4  # days 9 (20:00 in New York is 01:00Z on day 10), 11, 14 and 18


def test_empty_result_has_no_embedded(sandbox_env: SandboxServer) -> None:
    ref = sandbox_env.artist("hollow-pines")
    r = tm(
        sandbox_env.base_url,
        "/events.json",
        attractionId=ref.tm_attraction_id,
        startDateTime=_at(sandbox_env, -400),
    )
    body = r.json()
    assert r.status_code == 200 and "_embedded" not in body
    assert body["page"] == {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0}
    assert "next" not in body["_links"]
    attraction = tm(sandbox_env.base_url, f"/attractions/{ref.tm_attraction_id}.json").json()
    assert attraction["upcomingEvents"]["_total"] == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"startDateTime": "2026-01-01T00:00:00.000Z"}, "DIS1015"),
        ({"endDateTime": "2026-01-01 00:00:00"}, "DIS1015"),
        ({"startDateTime": "2026-01-01"}, "DIS1015"),
        ({"size": 201}, "DIS1036"),
        ({"size": 200, "page": 5}, "DIS1035"),
        ({"size": 100, "page": 10}, "DIS1035"),
    ],
)
def test_strict_parameters_answer_400(sandbox_env: SandboxServer, params: dict[str, Any], code: str) -> None:
    r = tm(sandbox_env.base_url, "/events.json", **params)
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["code"] == code and error["status"] == "400 BAD_REQUEST"
    assert not any(h in r.headers for h in RATE_HEADERS)
    assert sandbox_env.counters()["daily_used"]["ticketmaster"] == 1  # 400s still count against the quota


def test_deepest_allowed_page(sandbox_env: SandboxServer) -> None:
    assert tm(sandbox_env.base_url, "/events.json", size=200, page=4).status_code == 200
    assert tm(sandbox_env.base_url, "/events.json", size=199, page=5).status_code == 200


def test_event_and_venue_quirks(sandbox_env: SandboxServer) -> None:
    events, _ = _all_events(
        sandbox_env, size=200, startDateTime=_at(sandbox_env, -400), includeTBA="yes", sort="id,asc"
    )
    assert len(events) == 46
    statuses = {e["dates"]["status"]["code"] for e in events}
    assert {"canceled", "cancelled", "postponed", "rescheduled", "onsale", "offsale"} <= statuses
    no_tz = [e for e in events if "timezone" not in e["dates"]]
    assert len(no_tz) == 4
    placeholders = [e for e in events if e["sales"]["public"]["startDateTime"].startswith("1900-01-01")]
    assert len(placeholders) == 2
    priced = [e for e in events if "priceRanges" in e]
    assert len(priced) == 4  # usually absent
    no_time = [e for e in events if e["dates"]["start"].get("noSpecificTime")]
    assert all(
        "localTime" not in e["dates"]["start"] and "dateTime" not in e["dates"]["start"] for e in no_time
    )
    rescheduled = [e for e in events if e["dates"]["status"]["code"] == "rescheduled"]
    assert all("initialStartDate" in e["dates"] for e in rescheduled)
    venues = {v["id"]: v for e in events for v in e["_embedded"]["venues"]}
    for v in venues.values():
        assert isinstance(v["location"]["latitude"], str) and isinstance(v["location"]["longitude"], str)
        assert ("state" in v) == (v["country"]["countryCode"] in ("US", "CA"))
    assert any(v["city"]["name"] != v["city"]["name"].strip() for v in venues.values())


def test_co_headlined_event_lists_both_attractions(sandbox_env: SandboxServer) -> None:
    vs, nh = sandbox_env.artist("velvet-static"), sandbox_env.artist("neon-harbor")
    shared, _ = _all_events(
        sandbox_env, attractionId=nh.tm_attraction_id, size=200, startDateTime=_at(sandbox_env, -60)
    )
    both = [
        e
        for e in shared
        if {a["id"] for a in e["_embedded"]["attractions"]} >= {vs.tm_attraction_id, nh.tm_attraction_id}
    ]
    assert len(both) == 2 and len(shared) == 6
    embedded = both[0]["_embedded"]["attractions"]
    assert embedded[0]["id"] == vs.tm_attraction_id and "externalLinks" in embedded[0]


def test_attractions_links_and_search(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    vs = tm(base, f"/attractions/{sandbox_env.artist('velvet-static').tm_attraction_id}.json").json()
    spotify_url = vs["externalLinks"]["spotify"][0]["url"]
    assert spotify_url.startswith(
        "https://open.spotify.com/artist/" + sandbox_env.artist("velvet-static").spotify_id + "?si="
    )
    assert vs["externalLinks"]["musicbrainz"][0]["id"] == sandbox_env.artist("velvet-static").mbid
    assert vs["upcomingEvents"]["_total"] == 12  # 11 dated + the TBA one
    bare = tm(base, f"/attractions/{sandbox_env.artist('paper-satellites').tm_attraction_id}").json()
    assert "externalLinks" not in bare
    ghost = tm(base, f"/attractions/{sandbox_env.artist('ghost-arcade').tm_attraction_id}.json").json()
    assert set(ghost["externalLinks"]) == {"spotify", "youtube"}

    found = tm(base, "/attractions.json", keyword="velvet static", classificationName="music").json()
    names = [a["name"] for a in found["_embedded"]["attractions"]]
    assert names == ["The Velvet Static", "Velvet Static Tribute"]
    assert found["_embedded"]["attractions"][0]["upcomingEvents"]["_total"] == 12
    nothing = tm(base, "/attractions.json", keyword="no such band").json()
    assert "_embedded" not in nothing
    assert tm(base, "/attractions/K8vZ91nope.json").status_code == 404
    assert tm(base, "/attractions.json", size=500).json()["errors"][0]["code"] == "DIS1036"


def test_venue_by_id_and_discovery_queries(sandbox_env: SandboxServer) -> None:
    base = sandbox_env.base_url
    gb, _ = _all_events(sandbox_env, countryCode="GB", classificationName="music", sort="date,asc", size=50)
    assert gb and all(e["_embedded"]["venues"][0]["country"]["countryCode"] == "GB" for e in gb)
    assert all("state" not in e["_embedded"]["venues"][0] for e in gb)
    assert not tm(base, "/events.json", classificationName="sports").json().get("_embedded")
    keyword, _ = _all_events(sandbox_env, keyword="Zoë Marlowe", size=50)
    assert len(keyword) == 5
    venue_id = gb[0]["_embedded"]["venues"][0]["id"]
    venue = tm(base, f"/venues/{venue_id}.json").json()
    assert venue["id"] == venue_id and venue["timezone"].startswith("Europe/")
    assert tm(base, "/venues/KovZpZnope.json").status_code == 404


def test_quota_fault_echoes_the_key(sandbox_env: SandboxServer) -> None:
    sandbox_env.add_fault("ticketmaster", "quota_exceeded")
    r = tm(sandbox_env.base_url, "/events.json")
    assert r.status_code == 429
    assert r.json()["fault"]["detail"]["errorcode"] == "policies.ratelimit.QuotaViolation"
    assert TM_KEY in r.text  # the real gateway does this; clients must redact it
    assert tm(sandbox_env.base_url, "/events.json").status_code == 200
