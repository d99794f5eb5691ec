"""`tracked_step`: how an asset reports its step to the app's tracking tables from inside the run.

Wrap the body of a per-artist asset::

    with tracked_step(context, app_db, "artist_catalog", retry_backoff_seconds=30) as step:
        step.update(total=120, processed=40, message="album 4 of 12")   # optional, throttled
        step.skip("no Spotify id known for this artist")                 # the step does not apply
        ...
        step.finish(message="118 songs (6 new)", total=120, processed=120, successful=118, failed=2)

On entry the step's `sync_progress` row turns `in_progress` (and `sync_jobs.current_step`, the
artist's `import_status` stage, `artists.import_status` follow); on a normal exit it is `completed`
with the final message and counts; when the body raises, it is `failed` with the error (redacted) and
the provider named (from the exception's `provider`, or the step's own provider), unless Dagster will
retry the step (a `RetryPolicy` or `RetryRequested`): then it stays `in_progress` saying so. The
exception always propagates.

Run retries: a permanent failure (lib/failures.is_permanent: `PermanentError`, `ArtistNotFound`, a
provider's 400/404, `dg.Failure(allow_retries=False)`) tags the run
`dagster/retry_on_asset_or_op_failure=false` before it propagates, so Dagster's run retries (dagster.yaml
`run_retries`, the row's `dagster/max_retries`) leave the run alone: one run, `retry_count` 0. A retry
run's first step waits out the backoff (lib/failures.retry_backoff_seconds after the failed run ended)
with `dg.RetryRequested`, which frees its slot meanwhile; Dagster's run retries have no delay of their
own.

The step writes through the run's `app_db` (defs/resources.AppDatabase: the connection the run's
steps share); `retry_backoff_seconds` is the deployment's MYSETLIST_RUN_RETRY_BACKOFF_SECONDS (the
`settings` resource). `outcome` is for `defs/artists/step_runner.run_step`, which wraps every artist
asset: the dict the asset fills with `{"reports": [StepReport.summary(), ...]}` before the body ends; its
messages, "not applicable" flags and row counts become the progress row's message and counts.

Safe everywhere: a run with no `sync_jobs` row yet (launched from the UI, a backfill, a schedule) gets
one; a run outside any artist sync, or an asset that is not a sync step, records nothing; a tracking
write that fails is logged and never fails the asset.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
import psycopg

from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.dagster_tags import RETRY_NUMBER_TAG, RETRY_ON_STEP_FAILURE_TAG
from mysetlist_pipelines.lib.failures import PERMANENT_FAILURE_TAG, is_permanent, retry_backoff_seconds
from mysetlist_pipelines.lib.redaction import redact_error
from mysetlist_pipelines.lib.steps import STEP_BY_ASSET
from mysetlist_pipelines.lib.tracking import BATCH_TAG, Counts

from ..resources import AppDatabase
from .settle_run import run_info

_PROGRESS_EVERY_SECONDS = 1.0


class StepReporter:
    """What an asset may say about its step while it runs. Every method is a no-op when the run
    tracks no job."""

    def __init__(
        self,
        context: dg.AssetExecutionContext | None,
        app_db: AppDatabase,
        info: tracking.RunInfo | None,
        step: str | None,
    ):
        self._context = context
        self._app_db = app_db
        self._info = info
        self._step = step
        self._last_progress = 0.0
        self.provider: str | None = None  # who to blame if the step fails, when the error does not say
        self.message: str | None = None
        self.counts = Counts()
        self.skipped = False

    @property
    def active(self) -> bool:
        return self._info is not None and self._step is not None

    def update(
        self,
        *,
        total: int | None = None,
        processed: int | None = None,
        successful: int | None = None,
        failed: int | None = None,
        message: str | None = None,
    ) -> None:
        """Progress within the step (at most one write a second)."""
        self.counts = Counts(total, processed, successful, failed)
        now = time.monotonic()
        if now - self._last_progress >= _PROGRESS_EVERY_SECONDS:
            self._last_progress = now
            self._write(lambda c, i, s: tracking.step_progress(c, i, s, self.counts, message))

    def skip(self, reason: str) -> None:
        """The step does not apply to this artist; it completes with `reason` as its message."""
        self.skipped = True
        self.message = reason

    def finish(self, message: str | None = None, **counts: int) -> None:
        """The final message and counts (total, processed, successful, failed) for a normal exit."""
        self.message = message or self.message
        if counts:
            self.counts = Counts(
                counts.get("total"), counts.get("processed"), counts.get("successful"), counts.get("failed")
            )

    def _write(self, call: Callable[[psycopg.Connection, tracking.RunInfo, str], object]) -> None:
        if not self.active:
            return
        try:
            # The run's shared autocommit connection: each tracking call is its own transaction, and
            # none is written while the step holds one (its writes commit or roll back first).
            with self._app_db.connect() as conn:
                call(conn, self._info, self._step)  # type: ignore[arg-type]
        except Exception as exc:  # tracking must never fail the sync itself
            if self._context is not None:
                self._context.log.warning(
                    f"sync tracking write failed ({type(exc).__name__}): {redact_error(str(exc))}"
                )


def _step_will_retry(context: dg.AssetExecutionContext, exc: BaseException) -> bool:
    """Whether Dagster will run this step again within the same run."""
    attempt = context.retry_number
    if isinstance(exc, dg.RetryRequested):
        return attempt < exc.max_retries
    if isinstance(exc, dg.Failure) and not exc.allow_retries:
        return False
    try:
        policy = context.get_step_execution_context().op_retry_policy
    except Exception:
        return False
    return policy is not None and attempt < policy.max_retries


def _backoff_left(context: dg.AssetExecutionContext, backoff_seconds: float) -> float:
    """Seconds this run retry must still wait (0 for a first run, or once the backoff has passed)."""
    run = context.run
    try:
        retry_number = int(run.tags.get(RETRY_NUMBER_TAG, "0"))
    except ValueError:
        return 0.0
    wait = retry_backoff_seconds(retry_number, backoff_seconds)
    if not wait or not run.parent_run_id or context.retry_number:
        return 0.0
    record = context.instance.get_run_record_by_id(run.parent_run_id)
    if record is None or not record.end_time:
        return 0.0
    return max(0.0, record.end_time + wait - time.time())


def _mark_permanent(context: dg.AssetExecutionContext, step: str, error: str) -> None:
    """Tell Dagster's run retries that this run's step failure will not go away by running it again.
    Written before the run's failure, which is when Dagster decides `dagster/will_retry`."""
    try:
        context.instance.add_run_tags(
            context.run.run_id,
            {
                RETRY_ON_STEP_FAILURE_TAG: "false",
                PERMANENT_FAILURE_TAG: f"{step}: {redact_error(error)}"[:200],
            },
        )
    except Exception as exc:  # never hide the step's own error behind this one
        context.log.warning(f"could not tag the run as failed for good: {type(exc).__name__}")


def provider_of(exc: BaseException) -> str | None:
    """The provider an exception names, looking through its causes (a dg.Failure often wraps it)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        provider = getattr(current, "provider", None)
        if isinstance(provider, str) and provider:
            return provider
        current = current.__cause__ or current.__context__
    return None


def _failed_partitions(exc: BaseException, keys: tuple[str, ...]) -> dict[str, str]:
    """For a step over several artists: the ones a `dg.Failure` names in its `failed` metadata
    ({partition key: error}, as defs/artists/step_runner.run_step reports them)."""
    if len(keys) < 2 or not isinstance(exc, dg.Failure):
        return {}
    value = exc.metadata.get("failed")
    data = getattr(value, "data", None) if value is not None else None
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if str(k) in keys}


def _apply_outcome(reporter: StepReporter, outcome: dict[str, Any] | None) -> None:
    """Message and counts from the asset's StepReport summaries (defs/artists/step_runner.py)."""
    reports = (outcome or {}).get("reports") or []
    if not reports or reporter.message:
        return
    messages = [str(r.get("message") or "") for r in reports if r.get("message")]
    reporter.message = "; ".join(messages)[:500] if messages else None
    if all(r.get("applicable") is False for r in reports):
        reporter.skipped = True
    rows = 0
    for r in reports:
        for counts in (r.get("writes") or {}).values():
            rows += sum(int(counts.get(k, 0)) for k in ("inserted", "updated", "unchanged"))
    skipped = sum(int(n) for r in reports for n in (r.get("skipped") or {}).values())
    if reporter.counts == Counts() and (rows or skipped):
        reporter.counts = Counts(rows + skipped, rows + skipped, rows, 0)


def _entry_keys(context: dg.AssetExecutionContext) -> tuple[str, ...]:
    """The run's partitions as far as they are known before the step runs: one partition from its
    tag; none yet for a fleet batch (its rows are found by batch id; run_step reads its range from
    the batch's record into the outcome's `partition_keys`, never from every artist partition)."""
    if context.has_partition_key:
        return (context.partition_key,)
    if context.has_partition_key_range:
        return () if context.run.tags.get(BATCH_TAG) else tuple(context.partition_keys)
    return ()


def _run_keys(outcome: dict[str, Any] | None, keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple((outcome or {}).get("partition_keys") or keys)


@contextmanager
def tracked_step(
    context: dg.AssetExecutionContext,
    app_db: AppDatabase,
    asset_name: str | None = None,
    outcome: dict[str, Any] | None = None,
    *,
    retry_backoff_seconds: float,
) -> Iterator[StepReporter]:
    """Report one step of the run (see the module docstring)."""
    name = asset_name or context.asset_key.path[-1]
    step = STEP_BY_ASSET.get(name)
    keys = _entry_keys(context)
    try:
        info = run_info(context.run, context.instance, keys) if step else None
    except Exception:  # a context without a run (direct invocation in a test): nothing to track
        info = None
    wait = _backoff_left(context, retry_backoff_seconds) if info is not None else 0.0
    if wait >= 1:
        context.log.info(f"run retry: waiting {wait:.0f} s (backoff) before {name} runs again")
        raise dg.RetryRequested(max_retries=1, seconds_to_wait=wait)
    reporter = StepReporter(context, app_db, info, step.step if step else None)
    message = f"attempt {context.retry_number + 1}" if context.retry_number else None
    reporter._write(lambda c, i, s: tracking.step_started(c, i, s, message=message))
    try:
        yield reporter
    except Exception as exc:
        keys = _run_keys(outcome, keys)
        error = str(exc) or type(exc).__name__
        if _step_will_retry(context, exc):
            note = f"attempt {context.retry_number + 1} failed, retrying: {error}"
            reporter._write(lambda c, i, s: tracking.step_progress(c, i, s, Counts(), note))
        else:
            if step and is_permanent(exc):
                _mark_permanent(context, step.step, error)
            provider = provider_of(exc) or reporter.provider
            failed = _failed_partitions(exc, keys)
            if failed:  # a batch step: only the artists it names failed, the others are done
                _apply_outcome(reporter, outcome)
                done = [k for k in keys if k not in failed]
                if done:
                    reporter._write(
                        lambda c, i, s: tracking.step_finished(
                            c, i, s, ok=True, message=reporter.message, partition_keys=done
                        )
                    )
                for key, why in failed.items():
                    reporter._write(
                        lambda c, i, s, key=key, why=why: tracking.step_finished(
                            c, i, s, ok=False, error=why, provider=provider, partition_keys=[key]
                        )
                    )
            else:
                reporter._write(
                    lambda c, i, s: tracking.step_finished(c, i, s, ok=False, error=error, provider=provider)
                )
        raise
    else:
        keys = _run_keys(outcome, keys)
        _apply_outcome(reporter, outcome)
        failed: dict[str, str] = (outcome or {}).get("failed") or {}
        blamed: dict[str, str | None] = (outcome or {}).get("failed_providers") or {}
        # A batch step that succeeded for some artists: the others' rows say they failed.
        reporter._write(
            lambda c, i, s: tracking.step_finished(
                c,
                i,
                s,
                ok=True,
                counts=reporter.counts,
                message=reporter.message,
                **({"partition_keys": [k for k in keys if k not in failed]} if failed else {}),
            )
        )
        for key, why in failed.items():
            reporter._write(
                lambda c, i, s, key=key, why=why: tracking.step_finished(
                    c, i, s, ok=False, error=why, provider=blamed.get(key), partition_keys=[key]
                )
            )


__all__ = ["StepReporter", "tracked_step"]
