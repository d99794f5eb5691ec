"""The benchmark suite (benchmarks/, `make bench`) at tiny sizes, so it never rots: every benchmark's
code path runs against the session's Postgres server and real sandboxes, and each figure comes out
whole. No goal is asserted (speed goals are benchmarks, not tests); what is asserted is that the
measured work happened (runs succeeded, rows were written, calls were counted)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks import calls, connections, executor, fleet, latency, pacing, report, run, scale, writes
from benchmarks.devstack import dev_stack
from benchmarks.env import BenchEnv, bench_env
from mysetlist_pipelines.lib.providers.clients import limits_from_settings
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_sandbox.server import SandboxServer

pytestmark = pytest.mark.bench

FIELDS = {"figure", "goal", "measured", "how", "pass", "note", "raw"}


@pytest.fixture(scope="module")
def env(pg_server: str) -> Iterator[BenchEnv]:
    with bench_env(server_url=pg_server) as bench:
        yield bench


def whole(figures: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Every figure has its row's fields and renders (a miss, at these sizes, renders its why)."""
    assert len(figures) == count
    for f in figures:
        assert set(f) == FIELDS and f["measured"] and f["how"]
        assert isinstance(report.why_missed(f), str)
    return figures


def test_write_rate(env: BenchEnv) -> None:
    (f,) = whole(writes.measure(env, rows_count=500, chunk=100), 1)
    assert f["raw"]["counts"]["new"] == {"inserted": 500, "updated": 0, "unchanged": 0, "ids": 500}
    assert f["raw"]["counts"]["unchanged"] == {"inserted": 0, "updated": 0, "unchanged": 500}
    assert all(s > 0 for s in f["raw"]["seconds"].values())


def test_provider_calls(env: BenchEnv) -> None:
    imported, refreshed = whole(calls.measure(env, ["echo-valley"]), 2)
    row = imported["raw"]["artists"]["echo-valley"]
    assert row["success"] and row["total"] == sum(row["calls"].values()) > 0 and row["minimum_total"] > 0
    again = refreshed["raw"]["artists"]["echo-valley"]
    assert again["success"] and again["by_provider"]["ticketmaster"] >= 1


def test_pacing_and_memory(env: BenchEnv) -> None:
    paced, memory = whole(pacing.measure(env, "echo-valley", tuned=False), 2)
    assert paced["raw"]["success"] and sum(paced["raw"]["by_provider"].values()) > 0
    assert paced["raw"]["run_seconds"] > 0 and paced["raw"]["status"].get("429", 0) == 0
    assert memory["raw"]["peak_rss_mb"] > 0


def test_spotify_burst_reaches_the_pacer() -> None:
    assert limits_from_settings(Settings(_env_file=None))["spotify"].burst == 1  # type: ignore[call-arg]
    tuned = Settings(_env_file=None, spotify_rate_burst=20)  # type: ignore[call-arg]
    assert limits_from_settings(tuned)["spotify"].burst == 20


def test_executors(env: BenchEnv) -> None:
    (f,) = whole(executor.measure(env, "echo-valley", job="catalog_only", prepare=False), 1)
    assert [(r["executor"], r["success"]) for r in f["raw"]["runs"]] == [
        ("in_process", True),
        ("multiprocess", True),
    ]


def test_latency_and_fleet_under_mysetlist_dev(env: BenchEnv) -> None:
    """One `mysetlist dev` for both (each has its own in the full run): an app-style import, then a
    fleet of 3 synthetic artists seeded, refreshed by master_sync's batches (of 2, then 2 of them at the
    default size) and one run per artist."""
    with (
        SandboxServer(synthetic_artists=3) as sandbox,
        dev_stack(env, sandbox, "smoke", fleet.FAST_ENV) as stack,
    ):
        results = latency.run_jobs(stack, sandbox, jobs=1, job_type="full_sync", log=False, warmup=False)
        raw = fleet.run_fleet(
            stack, sandbox, artists=3, sample=1, timeout=240, batch_size=2, before_artists=2
        )
    (lat,) = whole([latency.latency_figure(results, "full_sync", stack.ready_seconds)], 1)
    assert [r["status"] for r in lat["raw"]["results"]] == ["completed"]
    tuned, default = whole(fleet.fleet_figures(raw), 2)
    assert tuned["raw"]["seed"]["artists"] == 3
    assert tuned["raw"]["batched"]["statuses"] == {"completed": 3} and tuned["raw"]["batched"]["runs"] == 2
    assert default["raw"]["statuses"] == {"completed": 2} and default["raw"]["runs"] == 1
    assert tuned["raw"]["one_run_per_artist"]["statuses"] == {"completed": 1}


def test_scale(env: BenchEnv) -> None:
    reg, ui, ticks, events = whole(scale.measure(env, 300, 30, 50, pending=10, materialized=10), 4)
    assert reg["raw"]["partitions"] == 300 and reg["raw"]["seconds"] > 0
    pages = ui["raw"]["partitions page"]
    assert pages["partition_keys"] == 300 and pages["materialized"] == 10
    assert ui["raw"]["asset page"]["partition_stats"]["numPartitions"] == 300
    assert all(t["seconds"] and t["max"] > 0 for t in ticks["raw"]["ticks"].values())
    assert events["raw"]["update_rows"] > 0
    days = events["raw"]["days"]
    assert sum(d["deleted"] for d in days) > 0 and days[-1]["event_rows"] == days[-2]["event_rows"]


def test_run_writes_the_report(env: BenchEnv, tmp_path: Path) -> None:
    results = run.run(env, run.SMOKE, ["writes"], log=lambda _: None)
    assert not results["sections"]["writes"].get("error")
    md, raw = run.write(results, tmp_path)
    text = md.read_text()
    assert "| figure | goal | measured | how measured | pass/miss |" in text
    assert "Postgres write rate" in text and raw.exists()


def test_freshness_sections_render(env: BenchEnv, tmp_path: Path) -> None:
    """Issue 15's sections at smoke size: the simulation (200 artists, 2 days), the timer model, the
    imports under fleet load, and BENCHMARKS.md's freshness tables."""
    results = run.run(env, run.SMOKE, ["freshness", "imports_under_fleet"], log=lambda _: None)
    assert not any(s.get("error") for s in results["sections"].values()), results["sections"]
    names = [f["figure"] for f in results["figures"]]
    assert "fleet freshness, 200 artists (feed)" in names and "imports under fleet load" in names
    results.update(postgres={"embedded": True, "version": "x"}, machine=run.machine(), commit="x",
                   notes=[], wall_seconds=1.0, load={"before": [0, 0, 0], "after": [0, 0, 0]})  # fmt: skip
    md, _ = run.write(results, tmp_path)
    text = md.read_text()
    assert "## Fleet freshness on free keys (issue 15)" in text
    assert "| shows, artist with a show in the next 60 days | 24.0 h |" in text


def test_connections(env: BenchEnv) -> None:
    (f,) = whole(connections.measure(env), 1)
    assert f["raw"]["success"] and f["raw"]["connections"] >= 1
