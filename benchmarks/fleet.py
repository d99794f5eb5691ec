"""Fleet throughput: a refresh (`update`, nothing new) of N synthetic sandbox artists under
`mysetlist dev` (sandbox without rate limits, clients at 100/s), batched vs one run per artist.

1. Seed (not timed as a figure): the N artists registered and imported by the lib/sync step
   functions directly (worker processes, no Dagster), then their sync timestamps set two days back,
   so master-sync finds them all due.
2. Batched, the real path of the fleet schedules: a master-sync tick is planned against the
   deployment's instance and app database as its `fleet_refresh` run does (selection, budget plan,
   partition registration, one sync_jobs row per artist, batch records: lib/fleet), and the run
   requests the `refresh_batches` sensor makes of them (one partition range per batch, tag
   `mysetlist/batch_id`) are launched by that sensor of the deployment (its 30-s interval is in
   the figure); the daemon runs them (at most 2 batch runs at once: dagster.yaml).
   Throughput = artists / (tick start -> the last batch row completed).
3. One run per artist, on a sample: app-style `update` sync_jobs rows for `sample` of the same
   artists, picked up by the pending-jobs sensor, one run each (at most 6 at once). Throughput =
   sample / (first insert -> last row completed), extrapolated to N.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import Any

import dagster as dg
import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.types.json import Jsonb

from mysetlist_pipelines.lib import artist_keys
from mysetlist_sandbox.server import SandboxServer
from mysetlist_sandbox.synthetic import synthetic_key

from .devstack import DevStack, dev_stack
from .env import FAST_RATES, BenchEnv, figure, poll, settings_env

GOAL_PER_MINUTE = 100
FINAL = ("completed", "partial", "failed")


def seed_chunk(app_url: str, sandbox_url: str, keys: list[str]) -> int:
    """Import `keys` (registered partitions) with the step functions; runs in a worker process."""
    from mysetlist_pipelines.lib.http import ProviderLimits
    from mysetlist_pipelines.lib.providers.clients import PROVIDERS, Providers
    from mysetlist_pipelines.lib.settings import Settings
    from mysetlist_pipelines.lib.sync.artist_catalog import sync_catalog
    from mysetlist_pipelines.lib.sync.artist_profile import sync_profile
    from mysetlist_pipelines.lib.sync.artist_setlists import sync_setlists
    from mysetlist_pipelines.lib.sync.artist_shows import sync_shows
    from mysetlist_pipelines.lib.sync.predicted_setlists import sync_predictions
    from mysetlist_sandbox import sandbox_env

    # Setup, not a figure: commits need not wait for the disk (every step and paced call commits).
    app_url = make_conninfo(app_url, options="-c synchronous_commit=off")
    env = {k: v for variables in sandbox_env(sandbox_url).values() for k, v in variables.items()}
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})  # type: ignore[arg-type]
    limits = {p: ProviderLimits(1e6, 10**9) for p in PROVIDERS}  # seeding is not what is measured
    today = datetime.now(UTC).date()
    with (
        psycopg.connect(app_url, autocommit=True) as conn,
        Providers.from_settings(settings, app_url, limits=limits) as providers,
    ):
        for key in keys:
            artist_id = sync_profile(conn, providers, key).artist_id
            assert artist_id is not None
            sync_catalog(conn, providers, artist_id)
            sync_shows(conn, providers, artist_id, today=today)
            sync_setlists(conn, providers, artist_id, today=today)
            sync_predictions(conn, artist_id, today=today)
    return len(keys)


class Seeding:
    """The seed in worker processes, started now and awaited later (the run overlaps it with a
    section that only counts calls)."""

    def __init__(self, app_url: str, sandbox: SandboxServer, artists: int, workers: int = 3) -> None:
        self.app_url, self.workers, self.started = app_url, workers, time.perf_counter()
        self.result: dict[str, Any] | None = None
        refs = [sandbox.artist(synthetic_key(i)) for i in range(1, artists + 1)]
        with psycopg.connect(app_url, autocommit=True) as conn:
            # With the Ticketmaster id, as a refreshed fleet is known (an attraction by id, not a search).
            keys = artist_keys.register(
                conn,
                [artist_keys.ArtistRequest(name=r.name, tm_attraction_id=r.tm_attraction_id) for r in refs],
            )
        self.keys = keys
        self.pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
        self.futures = [
            self.pool.submit(seed_chunk, app_url, sandbox.base_url, keys[i::workers]) for i in range(workers)
        ]

    def wait(self) -> dict[str, Any]:
        if self.result is not None:
            return self.result
        try:
            done = sum(f.result() for f in self.futures)
        finally:
            self.pool.shutdown(cancel_futures=True)
        with psycopg.connect(self.app_url, autocommit=True) as conn:
            # Imported two days ago, as far as master-sync can tell (the profile stays fresh: no call).
            conn.execute(
                "UPDATE pipelines.artist_sync_state SET catalog_synced_at = catalog_synced_at - interval '2 days', "
                "shows_synced_at = shows_synced_at - interval '2 days', "
                "setlists_synced_at = setlists_synced_at - interval '2 days' WHERE artist_id IN "
                "(SELECT artist_id FROM pipelines.artist_keys WHERE partition_key = ANY(%s))",
                (self.keys,),
            )
        self.result = {
            "artists": done,
            "seconds": round(time.perf_counter() - self.started, 1),
            "workers": self.workers,
        }
        return self.result


def seed(app_url: str, sandbox: SandboxServer, artists: int, workers: int = 3) -> dict[str, Any]:
    return Seeding(app_url, sandbox, artists, workers).wait()


def db_now(conn: psycopg.Connection) -> datetime:
    return conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]


def rows_done(
    conn: psycopg.Connection, where: str, params: tuple[Any, ...]
) -> tuple[int, int, datetime | None]:
    """(rows, rows ended, last completed_at) of the sync_jobs rows matching `where`."""
    row = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE j.status IN ('completed', 'partial', 'failed')), "
        f"max(j.completed_at) FROM sync_jobs j WHERE {where}",
        params,
    ).fetchone()
    return int(row[0]), int(row[1]), row[2]  # type: ignore[index]


def rows_settled(
    stack: DevStack, conn: psycopg.Connection, where: str, params: tuple[Any, ...], timeout: float, what: str
) -> tuple[int, datetime, dict[str, int]]:
    """Wait until every sync_jobs row matching `where` has ended: (rows, last completed_at, statuses)."""

    def settled() -> tuple[int, int, datetime | None] | None:
        stack.alive()
        total, ended, last = rows_done(conn, where, params)
        return (total, ended, last) if total and ended == total else None

    total, _, last = poll(settled, timeout, what, interval=1)
    statuses = dict(
        conn.execute(f"SELECT status, count(*) FROM sync_jobs j WHERE {where} GROUP BY 1", params).fetchall()
    )  # type: ignore[arg-type]
    return total, last, statuses  # type: ignore[return-value]


_last_tick: list[datetime] = []


def _next_tick() -> datetime:
    """This minute, as a scheduler's tick; a later minute than the previous tick (a tick's batches
    are named by its minute, and a re-evaluated tick resumes its batches rather than plan new ones)."""
    tick = datetime.now(UTC).replace(second=0, microsecond=0)
    if _last_tick and tick <= _last_tick[-1]:
        tick = _last_tick[-1] + timedelta(minutes=1)
    _last_tick.append(tick)
    return tick


def batched(stack: DevStack, artists: int, timeout: float, batch_size: int | None = None) -> dict[str, Any]:
    """One master-sync tick (with MYSETLIST_FLEET_BATCH_SIZE=`batch_size`, else the setting) whose
    runs go to the deployment's queue; timed from the tick to the last of its rows completed."""
    from mysetlist_pipelines.defs.schedules.planning import planned_requests
    from mysetlist_pipelines.lib.settings import get_settings

    size_env = {"MYSETLIST_FLEET_BATCH_SIZE": str(batch_size)} if batch_size else {}
    with psycopg.connect(stack.app_url, autocommit=True) as conn:
        t0 = db_now(conn)
        started = time.perf_counter()
        with settings_env(size_env):
            setting = get_settings().fleet_batch_size
            # master-sync's tick planned here (its fleet_refresh run's work); the sensor's requests
            requests = planned_requests(stack.instance, "master-sync", _next_tick())
        tick_seconds = time.perf_counter() - started
        batches = [q.tags["mysetlist/batch_id"] for q in requests]

        def launched() -> list[str] | None:
            """The deployment's refresh_batches sensor launches the batches (the real path)."""
            runs = [
                stack.instance.get_runs(dg.RunsFilter(tags={"mysetlist/batch_id": b}), limit=1)
                for b in batches
            ]
            return [r[0].run_id for r in runs] if all(runs) else None

        run_ids = poll(launched, 120, "the refresh_batches sensor to launch the batches", interval=0.5)
        launch_seconds = time.perf_counter() - started - tick_seconds
        where = "j.id IN (SELECT job_id FROM pipelines.sync_job_targets WHERE batch_id = ANY(%s))"
        total, last, statuses = rows_settled(stack, conn, where, (batches,), timeout, "the batch rows to end")
        sizes = [r[0] for r in conn.execute(
            "SELECT cardinality(partition_keys) FROM pipelines.fleet_batches WHERE batch_id = ANY(%s)", (batches,)
        )]  # fmt: skip
    elapsed = (last - t0).total_seconds()  # type: ignore[operator]
    # A row completes with its last step; the run still has its asset checks to run, and the
    # run-status sensor (5 runs a tick) then closes the batch's targets, which master-sync skips.
    durations = poll(lambda: _run_seconds(stack.instance, run_ids), 300, "the batch runs to end", interval=1)
    with psycopg.connect(stack.app_url, autocommit=True) as conn:
        poll(
            lambda: (
                not conn.execute(
                    "SELECT 1 FROM pipelines.sync_job_targets WHERE batch_id = ANY(%s) "
                    "AND status IN ('queued', 'running', 'retrying') LIMIT 1",
                    (batches,),
                ).fetchone()
            ),
            300,
            "the batch targets to settle",
            interval=1,
        )
    return {
        "artists": total,
        "runs": len(requests),
        "batch_size": max(sizes, default=0),
        "batch_size_setting": setting,
        "tick_seconds": round(tick_seconds, 2),
        "launch_seconds": round(launch_seconds, 2),  # the planning's end -> every batch run launched
        "seconds": round(elapsed, 1),
        "per_minute": round(total / elapsed * 60, 1),
        "statuses": statuses,
        "run_seconds": {
            "sum": round(sum(durations), 1),
            "mean": round(sum(durations) / max(len(durations), 1), 1),
            "max": round(max(durations, default=0), 1),
        },
        "all_selected": total == artists,
    }


def _run_seconds(instance: dg.DagsterInstance, run_ids: list[str]) -> list[float] | None:
    """Each run's wall time, once every run has ended."""
    records = instance.get_run_records(dg.RunsFilter(run_ids=run_ids))
    if len(records) < len(run_ids) or any(r.end_time is None or r.start_time is None for r in records):
        return None
    return [r.end_time - r.start_time for r in records]  # type: ignore[operator]


def one_run_each(stack: DevStack, sandbox: SandboxServer, keys: list[int], timeout: float) -> dict[str, Any]:
    with psycopg.connect(stack.app_url, autocommit=True) as conn:
        t0 = db_now(conn)
        ids = []
        for i in keys:
            ref = sandbox.artist(synthetic_key(i))
            ids.append(
                conn.execute(
                    "INSERT INTO sync_jobs (entity_type, entity_id, spotify_id, job_type, priority, metadata) "
                    "VALUES ('artist', gen_random_uuid()::text, %s, 'update', 3, %s) RETURNING id",
                    (ref.spotify_id, Jsonb({"artist_name": ref.name})),
                ).fetchone()[0]  # type: ignore[index]
            )
        where = "j.id = ANY(%s)"
        total, last, statuses = rows_settled(
            stack, conn, where, (ids,), timeout, "the per-artist rows to end"
        )
    elapsed = (last - t0).total_seconds()  # type: ignore[operator]
    return {"artists": total, "runs": total, "seconds": round(elapsed, 1),
            "per_minute": round(total / elapsed * 60, 1), "statuses": statuses}  # fmt: skip


@dataclass
class Prepared:
    sandbox: SandboxServer
    app_url: str
    seeding: Seeding
    artists: int


def prepare(env: BenchEnv, artists: int) -> Prepared:
    """The sandbox with `artists` synthetic artists and their seed, started (see `measure`)."""
    sandbox = SandboxServer(synthetic_artists=artists).start()
    app_url = env.database("fleet_app")
    return Prepared(sandbox, app_url, Seeding(app_url, sandbox, artists), artists)


def measure(
    env: BenchEnv,
    artists: int = 1000,
    sample: int = 15,
    timeout: float = 900,
    prepared: Prepared | None = None,
) -> list[dict[str, Any]]:
    p = prepared or prepare(env, artists)
    try:
        seeded = p.seeding.wait()
        with dev_stack(env, p.sandbox, "fleet", FAST_ENV, app_url=p.app_url) as stack:
            raw = run_fleet(stack, p.sandbox, p.artists, sample, timeout, seeded)
    finally:
        p.sandbox.stop()
    return fleet_figures(raw)


FAST_ENV = {f"{p}_RATE_LIMIT_PER_SECOND": r for p, r in FAST_RATES.items()}


# The tune: larger batch runs pay Dagster's per-run cost (a process, loading the code, nine steps'
# bookkeeping) 4x less often; the setting's default (25) is measured too, on BEFORE_ARTISTS artists.
BATCH_SIZE = 100
BEFORE_ARTISTS = 100


def age(conn: psycopg.Connection, keys: list[str]) -> None:
    """Make these artists due for master-sync again (synced two days ago; the profile stays fresh)."""
    conn.execute(
        "UPDATE pipelines.artist_sync_state SET catalog_synced_at = now() - interval '2 days', "
        "shows_synced_at = now() - interval '2 days', setlists_synced_at = now() - interval '2 days' "
        "WHERE artist_id IN (SELECT artist_id FROM pipelines.artist_keys WHERE partition_key = ANY(%s))",
        (keys,),
    )


def run_fleet(
    stack: DevStack,
    sandbox: SandboxServer,
    artists: int,
    sample: int,
    timeout: float,
    seeded: dict[str, Any] | None = None,
    batch_size: int | None = BATCH_SIZE,
    before_artists: int = BEFORE_ARTISTS,
) -> dict[str, Any]:
    """(Seed unless done,) refresh every artist batched (`batch_size`), then `before_artists` of them
    again at the setting's batch size, then a sample one run per artist; the raw numbers."""
    seeded = seeded or seed(stack.app_url, sandbox, artists)
    sandbox.reset(config=False)
    batch = batched(stack, artists, timeout, batch_size)
    batch["calls"] = sandbox.counters()["by_provider"]
    before = None
    if before_artists:
        with psycopg.connect(stack.app_url, autocommit=True) as conn:
            age(conn, [k for (k,) in conn.execute(
                "SELECT partition_key FROM pipelines.artist_keys WHERE name LIKE 'Synthetic Artist %%' "
                "ORDER BY name LIMIT %s", (before_artists,))])  # fmt: skip
        before = batched(stack, before_artists, timeout)
    sandbox.reset(config=False)
    step = max(artists // sample, 1)
    single = one_run_each(stack, sandbox, list(range(1, artists + 1, step))[:sample], timeout)
    single["calls"] = sandbox.counters()["by_provider"]
    extrapolated = artists / single["per_minute"]
    return {"artists": artists, "seed": seeded, "batched": batch, "batched_setting_default": before,
            "one_run_per_artist": single, "extrapolated_minutes_one_run_each": round(extrapolated, 1),
            "ratio": round(batch["per_minute"] / single["per_minute"], 2), "ready_seconds": stack.ready_seconds}  # fmt: skip


def fleet_figures(raw: dict[str, Any]) -> list[dict[str, Any]]:
    batch, single, artists = raw["batched"], raw["one_run_per_artist"], raw["artists"]
    ok = (
        batch["per_minute"] >= GOAL_PER_MINUTE
        and batch["all_selected"]
        and set(batch["statuses"]) == {"completed"}
    )
    how = (
        f"`mysetlist dev` (ready in {raw['ready_seconds']:.0f} s), {artists} synthetic artists already imported "
        f"(seeded in {raw['seed']['seconds']:.0f} s, not timed), sandbox without rate limits, clients at 100/s; "
        "batched = a master-sync tick planned as its fleet_refresh run does, its batch runs launched by the "
        "refresh_batches sensor (at most 2 batch runs at once, dagster.yaml); time from the tick to the last "
        "sync_jobs row completed"
    )
    figures = [
        figure(
            f"fleet throughput (refresh, batched vs one run per artist; MYSETLIST_FLEET_BATCH_SIZE="
            f"{batch['batch_size_setting']})",
            f">= {GOAL_PER_MINUTE} artists/minute batched; the ratio",
            f"batched {batch['per_minute']:.0f} artists/min ({batch['artists']} artists in {batch['seconds']:.0f} s, "
            f"{batch['runs']} runs of <= {batch['batch_size']}); one run per artist {single['per_minute']:.1f} "
            f"artists/min ({single['artists']} artists in {single['seconds']:.0f} s, a sample: {artists} would take "
            f"~{raw['extrapolated_minutes_one_run_each']:.0f} min, extrapolated) -> batched is {raw['ratio']:.1f}x "
            "faster",
            f"{how}; one run per artist = {single['artists']} app-style `update` sync_jobs rows spread over the "
            "fleet (the pending-jobs sensor, one run each, at most 6 at once)",
            ok,
            raw,
        )
    ]
    before = raw.get("batched_setting_default")
    if before:
        figures.append(
            figure(
                f"fleet throughput, before the tune (MYSETLIST_FLEET_BATCH_SIZE={before['batch_size_setting']}, "
                "the default)",
                f">= {GOAL_PER_MINUTE} artists/minute batched",
                f"batched {before['per_minute']:.0f} artists/min ({before['artists']} artists in {before['seconds']:.0f} s, "
                f"{before['runs']} runs of <= {before['batch_size']}); the tuned batch size: {batch['per_minute']:.0f}/min",
                f"the same deployment right after, {before['artists']} of the artists made due again (a smaller "
                "fleet to fit the time budget: the first and last waves of runs weigh a little more)",
                before["per_minute"] >= GOAL_PER_MINUTE and set(before["statuses"]) == {"completed"},
                before,
            )
        )
    return figures
