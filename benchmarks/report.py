"""BENCHMARKS.md from the raw results (benchmarks/results.json): the table, the formulas, and for every
goal missed, why and what would close it (written from the run's own numbers)."""

from __future__ import annotations

from typing import Any

from . import freshness_report, minimum

FIGURE_ORDER = (
    "provider calls per full import",
    "provider calls per refresh",
    "pacing",
    "pickup and completion latency",
    "fleet throughput",
    "Postgres write rate",
    "memory",
    "one run, in-process",
    "registering",
    "UI with",
    "sensor ticks",
    "Dagster event-log rows",
)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _verdict(passed: bool | None) -> str:
    return {True: "pass", False: "**miss**", None: "(context)"}[passed]


def _order(f: dict[str, Any]) -> int:
    return next((i for i, p in enumerate(FIGURE_ORDER) if f["figure"].startswith(p)), len(FIGURE_ORDER))


def why_missed(f: dict[str, Any]) -> str:
    """What the numbers say about a miss, and what would close it."""
    raw, name = f["raw"], f["figure"]
    if "freshness" in raw:
        return "Missed: " + freshness_report.why(raw["freshness"]) + "."
    if "model" in raw:
        bound = raw["bound"]
        return (
            f"Over 80 % of the quota: {', '.join(raw['over'])}. Development Mode lists no releases across "
            f"artists, so every artist costs a Spotify call per weekly check: at 20,000 a day the plan keeps "
            f"{bound['spotify']:,} artists within the table; 100,000 need MYSETLIST_SPOTIFY_DAILY_QUOTA of "
            f"about {int(raw['model']['spotify'] / 0.8):,} (or a longer cadence for dormant artists). Ticketmaster "
            f"and the setlist.fm feed fit with room to spare; the setlist.fm per-show fallback would bound the "
            f"fleet at {bound['setlist.fm per show']:,}."
        )
    if name.startswith("imports under fleet load"):
        alone = raw["alone"]["p50_ratio"]
        return (
            f"The plan steps aside (its gate), so an import under fleet load takes about what it takes alone "
            f"({alone}x its bound with no plan running); the import's providers already overlap (its shows "
            "and setlists pages are fetched while the catalog waits on Spotify, lib/sync/prefetch.py), so what "
            "is left above 1.2x is its writes and the slowest provider's own pacing: see the raw imports."
        )
    if name.startswith("largest fleet"):
        return "See the freshness section: the provider that bounds each size is named there."
    if name.startswith("pacing"):
        steps = raw.get("step_seconds", {})
        catalog = steps.get("artist_catalog", 0.0)
        after = sum(v for k, v in steps.items() if k not in ("artist_profile", "artist_catalog"))
        bookkeeping = raw.get("run_seconds", 0.0) - sum(steps.values())
        return (
            "The providers of the run already overlap: its shows and setlists pages are fetched while the "
            f"catalog waits on Spotify (lib/sync/prefetch.py), and the catalog step took {catalog:.1f} s "
            f"against a bound of {raw['bound_seconds']:.1f} s (the slowest provider, Spotify; all providers in "
            f"turn would be {raw['serial_bound_seconds']:.2f} s). What is left is not pacing: the steps after the "
            f"catalog (writing what was fetched, predictions, the asset checks) took {after:.1f} s, the profile "
            f"{steps.get('artist_profile', 0.0):.1f} s, and Dagster's own bookkeeping between and around the "
            f"steps {bookkeeping:.1f} s (the run minus its steps), on a machine shared with other work. What "
            "would close it: letting Spotify's calls go back to back within its rolling 30-s window, "
            "`MYSETLIST_SPOTIFY_RATE_BURST=20` (20 + 30 s x 4/s = 140 calls, under the 150 the sandbox allows), "
            "measured in the next row of this same run with zero 429s. It is opt-in, not the default: Spotify "
            "publishes no number for its window, and the cross-process pacing test "
            "(test_pacing_across_processes) holds Spotify calls strictly 1/rate apart."
        )
    if name.startswith("fleet"):
        b = raw.get("batched", raw)
        return (
            f"Batched: {b['runs']} runs of up to {b['batch_size']} artists, at most 2 at a time (dagster.yaml, "
            f"mysetlist/batch_id), {b['run_seconds']['mean']:.0f} s per run on average. What would close it: "
            "larger batches (MYSETLIST_FLEET_BATCH_SIZE) to pay the run start less often, or a higher batch "
            "concurrency limit on a machine with more cores."
        )
    if name.startswith("pickup"):
        s = raw["summary"]
        return (
            f"p50 split: pickup {s['pickup']['p50']:.1f} s (the pending-jobs sensor runs about every 5 s), "
            f"launch {s['launch']['p50']:.1f} s (queue dequeue, a run worker process, loading the code), "
            f"steps {s['steps']['p50']:.1f} s (provider pacing at the settings' rates). The launch is "
            "Dagster's process start; a machine under less load shortens it."
        )
    if name.startswith("Postgres write rate"):
        rate = raw["rows_per_second"]
        return (
            "The upsert stages the rows by COPY into a temporary table, then merges them with INSERT ... ON "
            "CONFLICT in key order (so that concurrent imports sharing songs cannot deadlock) and returns "
            "the new ids the catalog links to. Staging plus a bare INSERT ... SELECT alone reaches "
            f"{rate['floor'] / rate['copy']:.2f} x COPY in this run: the conflict handling, the key order and "
            f"the ids take it to {rate['upsert'] / rate['copy']:.2f} x. Already done: the new rows' ids come "
            "from RETURNING, not from a second join over the stage. What would close it: writing the artist_songs links in SQL from the stage, so no ids "
            "come back at all; or COPY straight into songs for an artist's first import, when none of "
            "its songs can exist yet (only under the artist's lock, with a fallback on conflict)."
        )
    if name.startswith(("UI with", "sensor ticks")):
        return (
            "The raw numbers in results.json name the slowest page or sensor. A page or tick that loads every "
            "partition grows with the fleet: the partitions page lists every key by design (Dagster's own "
            'PartitionHealthQuery); a sensor should never (docs/operations.md, "Dagster at the fleet\'s size").'
        )
    if name.startswith("Dagster event-log"):
        return "Event rows kept growing: check that prune_runs deleted runs each day (raw `days[].deleted`)."
    if name.startswith("memory"):
        return "Most of the resident memory is Dagster and its dependencies, loaded once per run process."
    if name.startswith("provider calls"):
        return "See the per-artist numbers in results.json: the endpoint counts against the minimum's parts."
    return ""


def _merged(results: dict[str, Any]) -> list[str]:
    """Sections measured by a later `--merge` run: said, with their own commit, time and load."""
    later = {n: s for n, s in results["sections"].items() if s.get("merged")}
    return (
        [
            "",
            *(
                f"Section `{n}` measured separately (`python -m benchmarks.run --only {n} --merge`) on "
                f"{s['merged']['started_at']}, commit `{s['merged']['commit']}`, {s['seconds'] / 60:.1f} min, load "
                f"{_load(s['load_before'])} at its start: its rows replace that section's rows of the run above."
                for n, s in later.items()
            ),
        ]
        if later
        else []
    )


def render(results: dict[str, Any]) -> str:
    figures = sorted(results["figures"], key=_order)
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`.venv/bin/python -m benchmarks.run`): every figure below is measured "
        "against the sandbox providers (mysetlist_sandbox) and "
        + (
            "an embedded PostgreSQL"
            if results["postgres"]["embedded"]
            else "DATABASE_URL's PostgreSQL server"
        )
        + f" ({results['postgres']['version']}), from fresh databases. Raw numbers: "
        "[benchmarks/results.json](benchmarks/results.json).",
        "",
        f"Run {results['started_at']} on commit `{results['commit']}`: {results['wall_seconds'] / 60:.1f} min "
        f"in all. Machine: {m['cpus']} cores ({m['cpu_model']}), {m['memory_gb']:.0f} GB RAM, shared with other "
        f"work: load average {_load(results['load']['before'])} at the start, {_load(results['load']['after'])} "
        f"at the end (per section in results.json).",
        *_merged(results),
        "",
        "| figure | goal | measured | how measured | pass/miss |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {_cell(f['figure'])} | {_cell(f['goal'])} | {_cell(f['measured'])} | {_cell(f['how'])} | "
            f"{_verdict(f['pass'])} |"
        )
    lines += freshness_report.tables(figures)
    errors = {name: s["error"] for name, s in results["sections"].items() if s.get("error")}
    if errors:
        lines += ["", "## Benchmarks that failed to run", ""]
        lines += [f"- **{name}**: {_cell(err)}" for name, err in errors.items()]
    missed = [f for f in figures if f["pass"] is False]
    lines += ["", "## Goals missed: why, and what would close them", ""]
    if not missed:
        lines.append("None in this run.")
    for f in missed:
        lines.append(f"- **{f['figure']}**: {why_missed(f)}")
    lines += ["", "## The minimum number of provider calls", "", "```", minimum.__doc__.strip(), "```", ""]
    lines += ["## Notes", ""]
    lines += [f"- {n}" for n in results["notes"]]
    return "\n".join(lines) + "\n"


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values) + " (1/5/15 min)"
