"""BENCHMARKS.md's freshness section (issue 15), from the `freshness` figures' raw results."""

from __future__ import annotations

from typing import Any

from mysetlist_pipelines.lib.providers.clients import PROVIDERS

from .freshness import GOALS, QUOTAS, RESERVE, ROWS

NAMES = {"spotify": "Spotify", "ticketmaster": "Ticketmaster", "setlistfm": "setlist.fm"}


def _h(v: float | None) -> str:
    if v is None:
        return "never"
    return f"{v / 24:.1f} d" if v >= 72 else f"{v:.1f} h"


def _runs(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f["raw"]["freshness"] for f in figures if "freshness" in f.get("raw", {})]


def why(run: dict[str, Any]) -> str:
    """Which rows and limits a run missed, in a sentence."""
    parts = []
    for row, s in run["staleness"].items():
        worst = max(s["max"], s.get("bound_h", 0.0))
        if worst > s["goal_h"]:
            parts.append(f"{row}: {_h(worst)} against {_h(s['goal_h'])}")
    over = {p for d in run["per_day"] for p in PROVIDERS if d["calls"][p] > QUOTAS[p] * (1 - RESERVE)}
    parts += [f"{NAMES[p]} above 80 % of its quota" for p in sorted(over)]
    left = max(d["report"]["spotify"].get("due_left", 0) for d in run["per_day"])
    if left:
        parts.append(
            f"Spotify: up to {left:,} release checks a day did not fit its {int(QUOTAS['spotify'] * (1 - RESERVE)):,} "
            "calls (one call per artist per check: Development Mode lists no releases across artists)"
        )
    if run["setlist_mode"] == "per_show":
        waiting = max(d["report"]["setlistfm"].get("shows_waiting", 0) for d in run["per_day"])
        if waiting:
            parts.append(f"setlist.fm per-show fallback: up to {waiting:,} artists a day still waiting")
        if run["staleness"][ROWS[2]]["max"] > GOALS[ROWS[2]]:
            parts.append(
                "the fallback asks only about shows of the last 3 days (past_days), so a setlist posted later "
                "than that is never read (about 1 in 7 in the world)"
            )
    return "; ".join(parts) or "nothing"


def tables(figures: list[dict[str, Any]]) -> list[str]:
    runs = _runs(figures)
    if not runs:
        return []
    feed = [r for r in runs if r["setlist_mode"] == "feed"]
    lines = ["", "## Fleet freshness on free keys (issue 15)", ""]
    lines.append(
        "Staleness = when the app's tables show a change minus when it happened in the simulated world "
        "(p50 / p99 / max over the changes of the 7 days; a change still not visible at the end counts at its "
        "age then). Signal plan = lib/fleet/signals, measured against the sandbox with the quotas enforced; "
        "per-artist timers = today's refresh schedules, modelled on the same world from their selection "
        "rules and cost model (benchmarks/freshness_timer.py). Releases: a 7-day run cannot show a 7-day "
        "miss, so the row's max is also bounded by the oldest release check (+ a day)."
    )
    lines += [
        "",
        "| data | fresh means | "
        + " | ".join(f"{r['artists']:,}: signal plan | {r['artists']:,}: timers" for r in feed)
        + " |",
    ]
    lines.append("|---|---|" + "---|---|" * len(feed))
    for row in ROWS:
        cells = []
        for r in feed:
            s = r["staleness"][row]
            worst = max(s["max"], s.get("bound_h", 0.0))
            mark = "" if worst <= s["goal_h"] else " **miss**"
            cells.append(f"{_h(s['p50'])} / {_h(s['p99'])} / {_h(worst)}{mark}")
            t = r["timer"]["staleness"][row]
            tmax = t.get("max")
            tmark = "" if tmax is not None and not t.get("open") and tmax <= t["goal_h"] else " **miss**"
            extra = f" ({t['open']:,} never seen)" if t.get("open") else ""
            cells.append(f"{_h(tmax)}{extra}{tmark}")
        lines.append(f"| {row} | {_h(GOALS[row])} | " + " | ".join(cells) + " |")
    meets = [r["artists"] for r in feed if r["meets"]]
    lines += [
        "",
        f"**Largest fleet that meets the whole table: {max(meets, default=0):,} artists** (of the sizes run).",
    ]
    for r in feed:
        if not r["meets"]:
            lines.append(f"- {r['artists']:,} artists misses: {why(r)}.")
    lines += [
        "",
        "Calls per provider per day (max over the days) against each quota, with 20 % kept for imports:",
        "",
    ]
    lines.append(
        "| artists | mode | "
        + " | ".join(f"{NAMES[p]} (quota {QUOTAS[p]:,})" for p in PROVIDERS)
        + " | 429s | plan per day | wall |"
    )
    lines.append("|---|---|" + "---|" * len(PROVIDERS) + "---|---|---|")
    for r in runs:
        calls = [max(d["calls"][p] for d in r["per_day"]) for p in PROVIDERS]
        n429 = sum(sum(d["status_429"].values()) for d in r["per_day"])
        plan = sum(d["plan_seconds"] for d in r["per_day"]) / len(r["per_day"])
        lines.append(
            f"| {r['artists']:,} | {r['setlist_mode']} | "
            + " | ".join(
                f"{c:,} ({100 * c / QUOTAS[p]:.0f} %)" for c, p in zip(calls, PROVIDERS, strict=True)
            )
            + f" | {n429} | {plan:.0f} s | {r['seconds'] / 60:.1f} min (peak RSS {r['peak_rss_mb']} MB) |"
        )
    fallback = [r for r in runs if r["setlist_mode"] == "per_show"]
    if fallback:
        lines += [
            "",
            "setlist.fm fallback (if `lastUpdated` alone is refused): per-show checks of shows that happened without a setlist:",
            "",
        ]
        for r in fallback:
            s = r["staleness"][ROWS[2]]
            lines.append(
                f"- {r['artists']:,} artists: setlists p50 {_h(s['p50'])}, max {_h(s['max'])} ({s['open']} never seen); "
                f"setlist.fm {max(d['calls']['setlistfm'] for d in r['per_day']):,} calls/day at most"
            )
    for r in feed:
        t = r["timer"]
        cap = t["capacity"]
        lines.append(
            f"- Timers at {r['artists']:,}: {cap['active']:,} active artists; master_sync fits {cap['master_sync_per_day']:,} "
            f"a day (setlist.fm-bound), shows refreshes {cap['shows_refreshes_per_day']:,} a day, catalogs "
            f"{cap['catalogs_per_week']:,} a week."
        )
    return lines


BEGIN, END = "<!-- freshness: benchmarks/freshness_report.splice -->", "<!-- /freshness -->"


def splice(markdown: str, figures: list[dict[str, Any]], how: str) -> str:
    """BENCHMARKS.md with its freshness section (rows + tables) replaced by these figures': for the
    sections run on their own (`how` says how), between the markers; a full `make bench` renders
    the same tables in place."""
    from .report import _cell, _verdict, why_missed

    rows = ["| figure | goal | measured | how measured | pass/miss |", "|---|---|---|---|---|"]
    rows += [
        f"| {_cell(f['figure'])} | {_cell(f['goal'])} | {_cell(f['measured'])} | {_cell(f['how'])} | {_verdict(f['pass'])} |"
        for f in figures
    ]
    missed = [f"- **{f['figure']}**: {why_missed(f)}" for f in figures if f["pass"] is False]
    body = [BEGIN, *tables(figures)[1:], "", how, "", *rows, "", *missed, END]
    text = "\n".join(body)
    if BEGIN in markdown:
        head, rest = markdown.split(BEGIN, 1)
        return head + text + rest.split(END, 1)[1]
    marker = "\n## Goals missed"
    head, _, tail = markdown.partition(marker)
    return head.rstrip("\n") + "\n\n" + text + "\n" + marker + tail
