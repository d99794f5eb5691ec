"""What every per-artist asset shares: the loop over the run's artists, its tracking, metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.dagster_tags import DEFER_ASSET_EVENTS_TAG
from mysetlist_pipelines.lib.db.write_counts import WriteCounts
from mysetlist_pipelines.lib.failures import is_permanent
from mysetlist_pipelines.lib.fleet.batches import batch_members, batch_range
from mysetlist_pipelines.lib.fleet.failure_records import recorded_error
from mysetlist_pipelines.lib.http import ProviderError
from mysetlist_pipelines.lib.redaction import redact_error
from mysetlist_pipelines.lib.steps import FULL_SYNC_TAG, JOB_ASSETS, STEP_BY_ASSET
from mysetlist_pipelines.lib.sync import ArtistNotFound, StepReport
from mysetlist_pipelines.lib.sync.prefetch import SetlistsParams, ShowsParams
from mysetlist_pipelines.lib.tracking import BATCH_TAG
from mysetlist_pipelines.lib.tracking.run_tags import FAILURE_RECORD_TAG

from ..resources import AppDatabase, AppSettings, ProviderClients
from ..tracking.tracked_step import tracked_step

GROUP = "artists"
# Every step needs only the profile (who the artist is), so a provider that is down fails its own step
# and the others still land (a `partial` job). Within a run they still go in this order (higher first:
# Dagster's step priority), which gives the best first pass: setlists link to the shows just synced
# and match songs to the catalog just synced. Any other order converges on the next run: the catalog
# adopts songs created from setlists, the shows sync adopts venues and shows created from setlists.
STEP_ORDER = {"catalog": "40", "shows": "30", "setlists": "20", "predictions": "10"}
# Set on batch runs (defs/schedules/fleet.run_request). Dagster 1.13 otherwise records, for a run over
# a partition range, a planned and a materialization event for *every* partition of the range from
# the step's one output, whatever each artist's outcome. With this system tag (honoured by the 1.13
# run creation and step output code, dagster==1.13.27 pinned; test_schedules pins the behaviour) it
# records none, and run_step logs one materialization per artist actually synced: the partition
# view then matches sync_jobs (synced: materialized; failed: missing, or its last real sync; skipped
# in the range: untouched).
PER_PARTITION_EVENTS_TAG = DEFER_ASSET_EVENTS_TAG
# A step of one artist: (connection, providers, partition key) -> report.
StepFn = Callable[[psycopg.Connection, ProviderClients, str], StepReport]


def today() -> date:
    return datetime.now(UTC).date()


def is_full_sync(context: dg.AssetExecutionContext) -> bool:
    """Whether this run refreshes everything about its artists (the job's tag, lib/steps.py)."""
    return context.run.tags.get(FULL_SYNC_TAG) == "true"


def artist_id_for(conn: psycopg.Connection, partition_key: str) -> str:
    """The artists row behind a partition (the profile step links it first)."""
    identity = artist_keys.lookup(conn, partition_key)
    if identity.artist_id is None:
        # ArtistNotFound: in a batch it fails this artist alone; on its own, the step, unretried.
        raise ArtistNotFound(
            f"artist {partition_key!r} has no artists row yet: its profile step must succeed first"
        )
    return identity.artist_id


@contextmanager
def _connection(app_db: AppDatabase) -> Iterator[psycopg.Connection]:
    with app_db.connect() as conn:
        # The run's shared connection, autocommit: reads and provider calls happen outside any
        # transaction; each step's writes are one explicit transaction (no idle-in-transaction
        # connection while a provider answers, and none open when the tracking writes on it).
        conn.autocommit = True
        yield conn


def run_step(
    context: dg.AssetExecutionContext,
    asset_name: str,
    app_db: AppDatabase,
    providers: ProviderClients,
    settings: AppSettings,
    step: StepFn,
) -> dg.MaterializeResult:
    """Run `step` for every artist of the run (one partition, or a batch), each in its own
    transaction. In a batch an artist that fails, whatever the exception, does not stop the others,
    nor their later steps: the step succeeds, naming the failed artists (their own sync_jobs rows
    say failed), and fails only when every artist did, so that Dagster's retry runs it again."""
    record = context.run.tags.get(FAILURE_RECORD_TAG)
    if record:
        _fail_as_recorded(context, asset_name, app_db, record)
    outcome: dict[str, Any] = {"reports": []}
    # The step's progress rows (defs/tracking/tracked_step.py); `outcome` receives the step's reports.
    hook = tracked_step(
        context,
        app_db,
        asset_name,
        outcome,
        retry_backoff_seconds=settings.get().run_retry_backoff_seconds,
    )
    reports: list[tuple[str, StepReport]] = []
    failures: dict[str, str] = {}
    providers_of: dict[str, str | None] = {}
    permanent: set[str] = set()
    with hook, _connection(app_db) as conn:
        keys = run_partition_keys(context, conn)
        outcome["partition_keys"] = keys  # the tracking hook's artists (defs/tracking/tracked_step.py)
        members, skipped = _batch_filter(context, conn, keys)
        for key in members:
            try:
                report = step(conn, providers, key)
            except (ArtistNotFound, ProviderError, artist_keys.UnknownArtistKey) as exc:
                if len(keys) == 1:
                    # Permanent (lib/failures.py): the tracking hook keeps Dagster's run retries off.
                    raise dg.Failure(str(exc), allow_retries=not is_permanent(exc)) from exc
                if is_permanent(exc):
                    permanent.add(key)
                failures[key] = str(exc)
                providers_of[key] = getattr(exc, "provider", None)
                context.log.error(f"{asset_name} failed for {key}: {exc}")
                continue
            except Exception as exc:
                # Anything else (a psycopg DataError from a value out of range, a ValueError in a
                # parser, a bug met by one artist's data): on its own it fails the step as before;
                # in a batch it fails this artist alone. Its transaction has rolled back, so the
                # connection serves the next artist, unless the connection itself is gone: that is
                # no artist's fault, and the whole step fails (and is retried) as before.
                if len(keys) == 1 or conn.broken or conn.closed:
                    raise
                failures[key] = redact_error(f"{type(exc).__name__}: {exc}") or type(exc).__name__
                providers_of[key] = None
                context.log.error(f"{asset_name} failed for {key}: {failures[key]}")
                continue
            reports.append((key, report))
            if len(keys) == 1:
                context.log.info(f"{key}: {report.message}")
        if len(keys) > 1:
            # One line for the batch, not one per artist: every log line is an event-log write (a
            # Postgres connection each), a third of a batch's per-artist cost (BENCHMARKS.md, fleet).
            # Each artist's line is in the materialization's `summary` metadata.
            context.log.info(f"{asset_name}: {len(reports)} of {len(members)} artists synced")
        outcome["reports"] = [r.summary() for _, r in reports]
        summary = f"{asset_name} failed for {len(failures)} of {len(members)} artists: " + "; ".join(
            f"{k}: {v}" for k, v in failures.items()
        )
        if failures and not reports:
            raise dg.Failure(
                summary,
                metadata={"failed": dg.MetadataValue.json(failures)},
                allow_retries=permanent != set(failures),  # all failed for good: no retry helps
            )
        outcome["failed"] = failures
        outcome["failed_providers"] = providers_of
    meta = metadata(reports, not_in_batch=skipped)
    if failures:
        context.log.warning(summary)
        meta["failed"] = dg.MetadataValue.json(failures)
    if context.run.tags.get(PER_PARTITION_EVENTS_TAG) == "true":
        # Also for a batch of one (a range of one partition): the tag has silenced the output's event.
        for key, report in reports:
            # The batch's totals, as on the step's output, plus this artist's own line.
            context.log_event(
                dg.AssetMaterialization(
                    asset_key=context.asset_key,
                    partition=key,
                    metadata={
                        **meta,
                        "artist": report.message,
                        "details": dg.MetadataValue.json(report.summary()),
                    },
                )
            )
    return dg.MaterializeResult(metadata=meta)


# The executors that run every step in the run's process: the jobs' own (defs/jobs.py) and the one
# `execute_in_process` substitutes (tests, benchmarks/import_child.py).
IN_PROCESS_EXECUTORS = frozenset({"in_process", "execute_in_process_executor"})


def start_prefetch(
    context: dg.AssetExecutionContext, app_db: AppDatabase, providers: ProviderClients
) -> None:
    """After the profile step of a one-artist run: start the later steps' Ticketmaster and setlist.fm
    fetches (lib/sync/prefetch.py) so that they overlap the catalog's Spotify pacing instead of
    following it. Only where the steps share this process and will run: the jobs' in-process
    executor (a process per step would tear the fetch down with the profile's process), one artist
    (a batch's steps go artist by artist; its later steps fetch themselves), and the steps the run
    executes, with the run config those steps get (so they take exactly what was fetched)."""
    if context.has_partition_key_range or context.job_def.executor_def.name not in IN_PROCESS_EXECUTORS:
        return
    will_run = set(JOB_ASSETS.get(context.job_name, ()))
    if context.run.asset_selection:  # (None or empty: the whole job)
        will_run &= {key.to_user_string() for key in context.run.asset_selection}
    ops = (context.run.run_config or {}).get("ops") or {}

    def config(asset: str) -> dict[str, Any]:
        return dict((ops.get(asset) or {}).get("config") or {})

    from .assets import SetlistsConfig, ShowsConfig  # (assets.py imports this module)

    shows = setlists = None
    if "artist_shows" in will_run:
        shows = ShowsParams(ShowsConfig(**config("artist_shows")).past_days)
    if "artist_setlists" in will_run:
        c = SetlistsConfig(**config("artist_setlists"))
        setlists = SetlistsParams(c.max_pages, c.years_back, c.force)
    if shows is None and setlists is None:
        return
    try:
        with _connection(app_db) as conn:
            artist_id = artist_keys.lookup(conn, context.partition_key).artist_id
            if artist_id is None:
                return
            started = providers.prefetch().start(
                conn, artist_id, today=today(), shows=shows, setlists=setlists
            )
    except Exception as exc:
        # Only a head start: the profile has landed, and each later step fetches for itself.
        context.log.warning(f"not fetching ahead: {redact_error(f'{type(exc).__name__}: {exc}')}")
        return
    if started:
        context.log.info(f"fetching ahead for the {' and '.join(started)} step(s) while the next steps run")


def _fail_as_recorded(
    context: dg.AssetExecutionContext, asset_name: str, app_db: AppDatabase, job_id: str
) -> None:
    """A failure record (lib/fleet/failure_records.py): fail at once with the error the batch recorded for
    this artist's step; no provider call, no write, no tracking, no retry."""
    step = STEP_BY_ASSET.get(asset_name)
    with _connection(app_db) as conn:
        error = recorded_error(conn, job_id, step.step) if step else None
    batch = context.run.tags.get("mysetlist/failure_of_batch", "a batch")
    raise dg.Failure(
        f"{asset_name} failed for {context.partition_key} in {batch} (sync job {job_id}): {error or 'see its row'}",
        allow_retries=False,
    )


def run_partition_keys(context: dg.AssetExecutionContext, conn: psycopg.Connection) -> list[str]:
    """Every partition of the run, without resolving a range against all of Dagster's artist
    partitions (what `context.partition_keys` does: a list that grows with the fleet, per step):
    one partition from its tag; a fleet batch's range from its `pipelines.fleet_batches` row (its
    members and the partitions skipped between them, in partition order). Only a range launched
    by hand (the UI) or a batch whose record is gone is resolved by Dagster."""
    if not context.has_partition_key_range:
        return [context.partition_key]
    batch = context.run.tags.get(BATCH_TAG)
    opened = batch_range(conn, batch) if batch else None
    if opened is None:
        return list(context.partition_keys)
    members, skipped = opened
    span = context.partition_key_range
    if span.start not in members or span.end not in members:
        return list(context.partition_keys)  # not the range this batch was opened with (a re-run by hand)
    return members + skipped  # the members first, then the others of the range, each in partition order


def _batch_filter(
    context: dg.AssetExecutionContext, conn: psycopg.Connection, keys: list[str]
) -> tuple[list[str], list[str]]:
    """(partitions to sync, partitions skipped). A fleet batch run covers a partition range (ranges
    follow insertion order); only the artists its sync_jobs rows were opened for are synced, the
    others in the range are skipped at no provider cost (lib/fleet/batches.py). Without rows for
    the batch (deleted since), the whole range is synced."""
    batch = context.run.tags.get(BATCH_TAG) if len(keys) > 1 else None
    if not batch:
        return keys, []
    members = batch_members(conn, batch)
    if not members:
        context.log.warning(f"batch {batch} has no sync_jobs rows: syncing every artist of the range")
        return keys, []
    skipped = [k for k in keys if k not in members]
    if skipped:
        context.log.info(f"{len(skipped)} partition(s) of the range are not in batch {batch}: not synced")
    return [k for k in keys if k in members], skipped


def metadata(reports: list[tuple[str, StepReport]], not_in_batch: list[str] | None = None) -> dict[str, Any]:
    """Totals over the run's artists: rows inserted/updated/unchanged per table, items skipped and
    why, provider calls by endpoint, and each artist's one-line summary."""
    writes: dict[str, WriteCounts] = {}
    skipped: dict[str, int] = {}
    calls: dict[str, int] = {}
    for _, report in reports:
        for table, counts in report.writes.items():
            writes.setdefault(table, WriteCounts()).__iadd__(counts)
        for reason, n in report.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
        for endpoint, n in report.calls.items():
            calls[endpoint] = calls.get(endpoint, 0) + n
    meta: dict[str, Any] = {
        "rows_inserted": sum(c.inserted for c in writes.values()),
        "rows_updated": sum(c.updated for c in writes.values()),
        "rows_unchanged": sum(c.unchanged for c in writes.values()),
        "provider_calls": sum(calls.values()),
        "writes": dg.MetadataValue.json({t: c.as_dict() for t, c in sorted(writes.items())}),
        "skipped": dg.MetadataValue.json(dict(sorted(skipped.items()))),
        "calls": dg.MetadataValue.json(dict(sorted(calls.items()))),
        "artists": len(reports),
    }
    if not_in_batch:
        # Say which artists of the run's range were not synced (a range run without
        # PER_PARTITION_EVENTS_TAG, e.g. one launched from the UI, still materializes them all).
        meta["artists_skipped"] = dg.MetadataValue.json(
            {
                "reason": "in the run's partition range, not in its batch: not synced, no provider call",
                "partitions": not_in_batch,
            }
        )
    if len(reports) == 1 and not not_in_batch:
        ((_, report),) = reports
        meta["summary"] = report.message
        meta["details"] = dg.MetadataValue.json(report.summary())
    else:
        lines = [f"- **{k}**: {r.message}" for k, r in reports]
        if not_in_batch:
            lines.append(f"- not synced (in the range, not in this batch): {', '.join(not_in_batch)}")
        meta["summary"] = dg.MetadataValue.md("\n".join(lines))
    return meta
