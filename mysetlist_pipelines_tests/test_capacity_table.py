"""The operations guide's capacity table is computed from the benchmark's raw numbers
(benchmarks/capacity.py), never typed in: the committed guide matches benchmarks/results.json, the
arithmetic holds on a hand-computed example, and deploy/'s run limit follows the table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks import capacity

ROOT = Path(__file__).resolve().parents[1]


def results(imports: list[dict[str, int]], fleet: dict[str, int], artists: int, p50: float) -> dict[str, Any]:
    return {
        "commit": "abc1234",
        "started_at": "2026-11-29T07:30:00+00:00",
        "figures": [
            {
                "figure": "provider calls per full import",
                "raw": {"artists": {f"a{i}": {"by_provider": c} for i, c in enumerate(imports)}},
            },
            {
                "figure": "fleet throughput (refresh)",
                "raw": {"batched": {"artists": artists, "calls": fleet}},
            },
            {"figure": "pickup and completion latency", "raw": {"summary": {"to_completed": {"p50": p50}}}},
        ],
    }


def test_hand_computed_example() -> None:
    # Two imports: Spotify 10 and 30 calls (mean 20), Ticketmaster 2 each, setlist.fm 1 and 3 (mean 2).
    example = results(
        [
            {"spotify": 10, "ticketmaster": 2, "setlistfm": 1},
            {"spotify": 30, "ticketmaster": 2, "setlistfm": 3},
        ],
        {"spotify": 200, "ticketmaster": 100, "setlistfm": 100},
        100,
        p50=12.0,
    )
    table = capacity.render(example)
    # Spotify: 20,000 / 20 = 1,000 a day; 4/s x 3,600 / 20 = 720 an hour. setlist.fm: 1,440 / 2 = 720 a
    # day, 1,440 / 1 for updates; 1/s x 3,600 / 2 = 1,800 an hour.
    assert "| Spotify | 20,000 (`MYSETLIST_SPOTIFY_DAILY_QUOTA`) | 4/s" in table
    assert "| 20 (30) | 2 | 1,000 / 10,000 | 720 / 7,200 |" in table
    assert "| setlist.fm |" in table and "| 2 (3) | 1 | 720 / 1,440 | 1,800 / 3,600 |" in table
    assert "**720 / 1,440** (setlist.fm / setlist.fm)" in table
    assert "**720 / 3,600** (Spotify / setlist.fm)" in table
    # One run: 3,600 / 12 s = 300 artists an hour; 720 / 300 -> 3 runs.
    assert capacity.saturating_runs(example) == (12.0, 300.0, 3)
    assert "**3 concurrent runs**" in table


def test_guide_matches_the_committed_results() -> None:
    guide = (ROOT / "docs" / "operations.md").read_text()
    fresh = capacity.replace(
        guide, capacity.render(json.loads((ROOT / "benchmarks" / "results.json").read_text()))
    )
    assert fresh == guide, "docs/operations.md's capacity table is stale: run python -m benchmarks.capacity"


def test_deploy_run_limit_follows_the_table() -> None:
    *_, runs = capacity.saturating_runs(json.loads((ROOT / "benchmarks" / "results.json").read_text()))
    instance = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())
    # At least the runs that saturate the rates, and 2 left for the app's imports (the saturating
    # figure moves by one with a run's measured time, so the limit keeps a little headroom).
    assert runs + 2 <= instance["concurrency"]["runs"]["max_concurrent_runs"] <= runs + 3


def test_guide_without_markers_is_an_error() -> None:
    with pytest.raises(ValueError, match="capacity markers"):
        capacity.replace("no table here", "x")
