"""Postgres write rate: the catalog's song upsert (lib/db/upsert.upsert, as lib/db/songs.write_catalog
calls it) against a plain COPY of the very same rows into the same table on the same server.

Rows are song rows as the catalog writes them (lib/db/songs.song_values columns), generated
deterministically. Each variant starts from a fresh migrated database (same indexes: the primary
key and the unique spotify_id) and runs in one transaction, commit included in the time:

- COPY: `COPY songs (...) FROM STDIN` of all rows, the floor for getting rows into the table.
- upsert, new rows: upsert of all rows (stage by COPY, INSERT ... ON CONFLICT DO UPDATE ...
  WHERE IS DISTINCT FROM, then the key -> id join the caller needs).
- upsert, unchanged rows: the same rows again into the filled table (a refresh: nothing written).
- upsert in artist-sized chunks: the first fifth of the rows as separate transactions of `chunk` rows,
  as per-artist imports write them (context: per-transaction overhead).
- the floor of a staged write: the same stage, then a bare INSERT ... SELECT (context: what the
  upsert's conflict handling, lock order and ids cost on top).
Goal: upsert rate >= 0.5 x COPY rate (new rows).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg import sql

from mysetlist_pipelines.lib.db.songs import SONG_COLUMNS
from mysetlist_pipelines.lib.db.staging import stage
from mysetlist_pipelines.lib.db.upsert import upsert

from .env import BenchEnv, figure

GOAL_RATIO = 0.5


def song_rows(n: int) -> list[tuple[Any, ...]]:
    base = date(2001, 1, 1)
    rows = []
    for i in range(n):
        album = i // 12
        rows.append(
            (
                f"sp{i:020d}", f"Benchmark Song {i}", f"Benchmark Album {album}", f"Benchmark Artist {i // 120}",
                f"al{album:020d}", i % 12 + 1, 1, "album", f"https://i.scdn.co/image/{album:040x}",
                base + timedelta(days=album % 7000), 180_000 + i % 120_000, f"spotify:track:sp{i:020d}",
                json.dumps({"spotify": f"https://open.spotify.com/track/sp{i:020d}"}), i % 7 == 0, False, False,
            )
        )  # fmt: skip
    return rows


def _timed(url: str, work: Any) -> float:
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        with conn.transaction():
            work(conn)
        return time.perf_counter() - started


def copy_rows(conn: psycopg.Connection, rows: list[tuple[Any, ...]]) -> None:
    cols = sql.SQL(", ").join(map(sql.Identifier, SONG_COLUMNS))
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY songs ({}) FROM STDIN").format(cols)) as copy:
        for row in rows:
            copy.write_row(row)


def measure(
    env: BenchEnv, rows_count: int = 100_000, chunk: int = 100, rounds: int = 3
) -> list[dict[str, Any]]:
    rows = song_rows(rows_count)
    counts: dict[str, Any] = {}
    samples: dict[str, list[float]] = {"copy": [], "upsert": [], "unchanged": [], "floor": []}

    def first(conn: psycopg.Connection) -> None:
        written, ids = upsert(conn, "songs", SONG_COLUMNS, rows, key=("spotify_id",))
        counts["new"] = {**written.as_dict(), "ids": len(ids)}

    def again(conn: psycopg.Connection) -> None:
        written, _ = upsert(conn, "songs", SONG_COLUMNS, rows, key=("spotify_id",))
        counts["unchanged"] = written.as_dict()

    def floor(conn: psycopg.Connection) -> None:
        # What any staged write costs at least: the same stage, then a bare INSERT ... SELECT (no
        # conflict handling, no lock order, no ids back).
        staged = stage(conn, "songs", SONG_COLUMNS, rows)
        cols = sql.SQL(", ").join(map(sql.Identifier, SONG_COLUMNS))
        conn.execute(sql.SQL("INSERT INTO songs ({0}) SELECT {0} FROM {1}").format(cols, staged))

    # COPY and upsert alternate, `rounds` times (the median of each is the figure): the machine is
    # shared, and one slow second in either would swing the ratio.
    for _ in range(rounds):
        samples["copy"].append(_timed(env.database("writes_copy"), lambda c: copy_rows(c, rows)))
        upsert_url = env.database("writes_upsert")
        samples["upsert"].append(_timed(upsert_url, first))
        samples["unchanged"].append(_timed(upsert_url, again))
        samples["floor"].append(_timed(env.database("writes_floor"), floor))
    copy_s, upsert_s, unchanged_s, floor_s = (
        statistics.median(samples[k]) for k in ("copy", "upsert", "unchanged", "floor")
    )

    # Context: the first fifth of the rows again, in artist-sized transactions.
    chunked_rows = rows[: max(rows_count // 5, chunk)]
    started = time.perf_counter()
    with psycopg.connect(env.database("writes_chunked")) as conn:
        for i in range(0, len(chunked_rows), chunk):
            with conn.transaction():
                upsert(conn, "songs", SONG_COLUMNS, chunked_rows[i : i + chunk], key=("spotify_id",))
    chunked_s = time.perf_counter() - started

    rate = {
        name: rows_count / s
        for name, s in {
            "copy": copy_s,
            "upsert": upsert_s,
            "unchanged": unchanged_s,
            "floor": floor_s,
        }.items()
    }
    rate["chunked"] = len(chunked_rows) / chunked_s
    ratio = rate["upsert"] / rate["copy"]
    ok = (
        ratio >= GOAL_RATIO
        and counts["new"]["inserted"] == rows_count
        and counts["unchanged"]["unchanged"] == rows_count
    )
    return [
        figure(
            "Postgres write rate (catalog upsert vs COPY)",
            f">= {GOAL_RATIO} x COPY",
            f"{ratio:.2f} x COPY: upsert {rate['upsert']:,.0f} rows/s ({upsert_s:.2f} s), COPY {rate['copy']:,.0f} "
            f"rows/s ({copy_s:.2f} s) for {rows_count:,} song rows; same rows unchanged: "
            f"{rate['unchanged']:,.0f} rows/s ({rate['unchanged'] / rate['copy']:.2f} x COPY, nothing written); "
            f"{len(chunked_rows):,} rows in transactions of {chunk}: {rate['chunked']:,.0f} rows/s ({rate['chunked'] / rate['copy']:.2f} x COPY); "
            f"floor of any staged write (stage + bare INSERT ... SELECT): {rate['floor']:,.0f} rows/s "
            f"({rate['floor'] / rate['copy']:.2f} x COPY)",
            "lib/db/upsert.upsert into `songs` on spotify_id (as the catalog writes them) vs `COPY songs FROM STDIN` of "
            "the same rows, each into a fresh migrated database on the same server, one transaction, commit "
            f"included; median of {rounds} alternating rounds",
            ok,
            {
                "rows": rows_count,
                "chunk": chunk,
                "seconds": {
                    "copy": copy_s,
                    "upsert": upsert_s,
                    "unchanged": unchanged_s,
                    "chunked": chunked_s,
                    "floor": floor_s,
                },
                "samples": samples,
                "rows_per_second": rate,
                "ratio": ratio,
                "counts": counts,
            },
        )
    ]
