"""lib/fleet without a database: the cost model, budget planning and batching rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mysetlist_pipelines.lib.fleet import WORK, Allowance, Candidate, group, plan
from mysetlist_pipelines.lib.fleet.work import IMPORT_CALLS, catalog_calls

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def cand(
    name: str,
    *,
    refreshed_days: float | None = 1,
    profile_days: float | None = 1,
    catalog: bool = True,
    setlists: bool = True,
    releases: int = 5,
    events: int = 3,
    spotify: str | None = "sp",
    tm: str | None = "tm",
    mbid: str | None = "mb",
) -> Candidate:
    def ago(days: float | None) -> datetime | None:
        return NOW - timedelta(days=days) if days is not None else None

    return Candidate(
        artist_id=f"id-{name}",
        partition_key=name,
        name=name,
        spotify_id=spotify,
        tm_attraction_id=tm,
        mbid=mbid,
        profile_synced_at=ago(profile_days),
        catalog_synced_at=ago(1) if catalog else None,
        shows_synced_at=ago(1),
        setlists_synced_at=ago(1) if setlists else None,
        releases=releases,
        recent_events=events,
        refreshed_at=ago(refreshed_days),
    )


def allowance(provider: str, remaining: int, *, quota: int = 1000, reserve: int = 0, committed: int = 0,
              open_for: timedelta | None = None) -> Allowance:  # fmt: skip
    until = NOW + open_for if open_for else None
    return Allowance(provider, quota, remaining, reserve, committed, until, "5 failures" if until else None)


def plenty() -> dict[str, Allowance]:
    return {p: allowance(p, 10_000) for p in ("spotify", "ticketmaster", "setlistfm")}


def test_cost_of_each_work_from_what_is_stored() -> None:
    known = cand("known", releases=25, events=250)
    # update of a known artist, profile fresh: album pages ceil(26/10)=3 + 1 new release, 2 event
    # pages of 200, 1 setlist page; no profile lookup.
    assert WORK["update"].calls(known, NOW) == {"spotify": 4, "ticketmaster": 2, "setlistfm": 1}
    # a stale profile adds the identity lookups (one per service)
    stale = cand("stale", profile_days=8, releases=25, events=250)
    assert WORK["update"].calls(stale, NOW) == {"spotify": 5, "ticketmaster": 3, "setlistfm": 2}
    # never synced: an assumed catalog of 20 releases (2 pages + 20 albums), 3 setlist pages
    new = cand("new", profile_days=None, catalog=False, setlists=False, releases=0, events=0)
    assert catalog_calls(None) == 22
    assert WORK["update"].calls(new, NOW) == {"spotify": 23, "ticketmaster": 2, "setlistfm": 4}
    # the shows work touches Ticketmaster only (profile fresh, predictions cost nothing)
    assert WORK["shows"].calls(known, NOW) == {"ticketmaster": 2}
    # a forced profile always looks the artist up; setlists need only setlist.fm
    assert WORK["profile"].calls(known, NOW) == {"ticketmaster": 1, "spotify": 1, "setlistfm": 1}
    assert WORK["setlists"].calls(known, NOW) == {"setlistfm": 1}
    # a service the artist is not known to costs nothing
    assert WORK["catalog"].calls(cand("nospotify", spotify=None), NOW) == {}
    assert IMPORT_CALLS == {"spotify": 23, "ticketmaster": 2, "setlistfm": 4}


def test_work_selects_assets_and_steps() -> None:
    assert WORK["update"].whole_job and WORK["catalog"].whole_job
    assert not WORK["shows"].whole_job
    assert [s.step for s in WORK["shows"].steps()] == [
        "fetching_artist",
        "importing_shows",
        "creating_setlists",
    ]
    assert [s.step for s in WORK["profile"].steps()] == ["fetching_artist"]
    assert WORK["profile"].run_config() == {"ops": {"artist_profile": {"config": {"force": True}}}}
    assert WORK["update"].run_config() == {}


def test_plan_takes_the_least_recently_refreshed_until_a_budget_is_spent() -> None:
    # ordered as the selection returns them: oldest first
    cands = [cand(f"a{i}", refreshed_days=10 - i) for i in range(6)]
    allowed = {**plenty(), "setlistfm": allowance("setlistfm", 13, reserve=5, committed=5)}  # 3 left
    result = plan(cands, lambda c: WORK["update"].calls(c, NOW), allowed, NOW, batch_size=10)
    assert [c.name for c in result.selected] == ["a0", "a1", "a2"]
    assert [d.candidate.name for d in result.deferred] == ["a3", "a4", "a5"]
    assert result.deferred_by_reason() == {"budget:setlistfm": 3}
    assert (
        "setlistfm: 0 calls left for this tick (13 left today, 5 kept for the app's imports, 5 expected"
        in (result.deferred[0].detail)
    )
    # one Spotify token for the (single) batch, plus 2 album-list calls per artist
    assert result.spend == {"spotify": 3 * 2 + 1, "ticketmaster": 3, "setlistfm": 3}
    assert result.calls["id-a0"] == {"spotify": 2, "ticketmaster": 1, "setlistfm": 1}


def test_plan_stops_at_the_first_that_does_not_fit_so_it_goes_first_next_time() -> None:
    big = cand("big", refreshed_days=9, releases=95)  # 10 album pages + 1
    small = cand("small", refreshed_days=1)
    allowed = {**plenty(), "spotify": allowance("spotify", 8)}
    result = plan([big, small], lambda c: WORK["catalog"].calls(c, NOW), allowed, NOW, batch_size=10)
    assert result.selected == []  # `small` would fit, but does not overtake `big`
    assert [d.reason for d in result.deferred] == ["budget:spotify", "budget:spotify"]


def test_plan_defers_an_artist_that_can_never_fit_without_blocking_the_others() -> None:
    huge = cand("huge", refreshed_days=9, releases=990)  # 100 pages: more than the day's allowance
    small = cand("small", refreshed_days=1)
    allowed = {**plenty(), "spotify": allowance("spotify", 50, quota=60, reserve=10)}
    result = plan([huge, small], lambda c: WORK["catalog"].calls(c, NOW), allowed, NOW, batch_size=10)
    assert [c.name for c in result.selected] == ["small"]
    assert result.deferred_by_reason() == {"over_daily_budget:spotify": 1}


def test_plan_launches_nothing_that_needs_a_provider_whose_circuit_is_open() -> None:
    cands = [cand("with-tm"), cand("no-tm", tm=None), cand("with-tm-2")]
    allowed = {**plenty(), "ticketmaster": allowance("ticketmaster", 1000, open_for=timedelta(minutes=5))}
    shows = plan(cands, lambda c: WORK["shows"].calls(c, NOW), allowed, NOW, batch_size=10)
    # the shows of an artist unknown to Ticketmaster cost nothing there: it may still go
    assert [c.name for c in shows.selected] == ["no-tm"]
    assert shows.deferred_by_reason() == {"circuit:ticketmaster": 2}
    assert "ticketmaster circuit open until" in shows.deferred[0].detail
    assert "5 failures" in shows.deferred[0].detail
    # work that does not touch Ticketmaster is not held back
    catalog = plan(cands, lambda c: WORK["catalog"].calls(c, NOW), allowed, NOW, batch_size=10)
    assert len(catalog.selected) == 3
    # a circuit that closed in the past holds nothing back
    closed = {**plenty(), "ticketmaster": allowance("ticketmaster", 1000, open_for=timedelta(minutes=-1))}
    assert len(plan(cands, lambda c: WORK["shows"].calls(c, NOW), closed, NOW, 10).selected) == 3


def test_plan_counts_one_spotify_token_per_batch() -> None:
    cands = [cand(f"a{i}") for i in range(5)]
    result = plan(cands, lambda c: WORK["catalog"].calls(c, NOW), plenty(), NOW, batch_size=2)
    assert result.spend["spotify"] == 5 * 2 + 3  # three batches of at most 2


@pytest.mark.parametrize(
    ("selected", "size", "want"),
    [
        # contiguous: plain chunks of `size`
        (["a", "b", "c", "d", "e"], 2, [(["a", "b"], []), (["c", "d"], []), (["e"], [])]),
        # gaps inside a range are skipped partitions; selection order does not matter
        (["f", "a", "c"], 3, [(["a", "c", "f"], ["b", "d", "e"])]),
        # the span cap (2 x size partitions): a sparse selection gets smaller runs
        (["a", "e", "j"], 2, [(["a"], []), (["e"], []), (["j"], [])]),
        (["a", "d", "h"], 2, [(["a", "d"], ["b", "c"]), (["h"], [])]),
    ],
)
def test_group_follows_partition_order(
    selected: list[str], size: int, want: list[tuple[list[str], list[str]]]
) -> None:
    order = list("abcdefghij")
    got = [(members, [k for k in span if k not in members]) for members, span in group(selected, order, size)]
    assert got == want
    for members, span in group(selected, order, size):
        assert span[0] == members[0] and span[-1] == members[-1]


def test_group_refuses_keys_that_are_not_partitions() -> None:
    with pytest.raises(ValueError, match="not registered"):
        group(["a", "zz"], ["a", "b"], 5)


def test_plan_launches_at_most_the_tick_capacity() -> None:
    cands = [cand(f"a{i}") for i in range(5)]
    result = plan(cands, lambda c: WORK["shows"].calls(c, NOW), plenty(), NOW, batch_size=2, limit=3)
    assert [c.name for c in result.selected] == ["a0", "a1", "a2"]
    assert result.deferred_by_reason() == {"tick_capacity": 2}
