"""`mysetlist status`: the state of the providers and of the sync queue, in one place.

Per provider: today's calls made and left (pipelines.provider_pacing, the counter every process
shares), the configured rate, the breaker (open until when, and why) and the last error a step
reported against it. The queue: tracked runs queued and running by job type (the pipelines' own state,
pipelines.sync_job_targets, so no Dagster instance is needed) and the oldest pending sync_jobs row.
Plain SQL reads only; `--json` prints the same model for scripts.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from pydantic import BaseModel

from .providers import registry
from .providers.clients import limits_from_settings
from .settings import Settings


class ProviderState(BaseModel):
    provider: str
    calls_today: int
    daily_quota: int
    calls_left: int
    rate_per_second: float
    breaker: str  # closed | open
    open_kind: str | None = None  # failures | quota | rate_limited
    open_until: datetime | None = None
    open_reason: str | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None


class QueueState(BaseModel):
    queued: dict[str, int]  # job_type -> runs waiting (requested, queued, or waiting for a retry)
    running: dict[str, int]
    pending_jobs: int
    oldest_pending_id: str | None = None
    oldest_pending_at: datetime | None = None
    oldest_pending_age_seconds: float | None = None


class Status(BaseModel):
    at: datetime
    providers: list[ProviderState]
    queue: QueueState


def collect(conn: psycopg.Connection, settings: Settings) -> Status:
    now = conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
    pacing = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT provider, CASE WHEN quota_day = (clock_timestamp() AT TIME ZONE 'UTC')::date "
            "THEN quota_used ELSE 0 END, open_until > clock_timestamp(), open_kind, open_until, open_reason "
            "FROM pipelines.provider_pacing"
        )
    }
    errors = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT DISTINCT ON (provider) provider, error, COALESCE(ended_at, updated_at) "
            "FROM pipelines.sync_step_state WHERE status = 'failed' AND error IS NOT NULL "
            "AND provider IS NOT NULL ORDER BY provider, COALESCE(ended_at, updated_at) DESC"
        )
    }
    limits = limits_from_settings(settings)
    providers = []
    for p in registry.names():
        used, is_open, kind, until, reason = pacing.get(p, (0, False, None, None, None))
        error, error_at = errors.get(p, (None, None))
        providers.append(
            ProviderState(
                provider=p,
                calls_today=used,
                daily_quota=limits[p].daily_quota,
                calls_left=max(0, limits[p].daily_quota - used),
                rate_per_second=limits[p].rate_per_second,
                breaker="open" if is_open else "closed",
                open_kind=kind if is_open else None,
                open_until=until if is_open else None,
                open_reason=reason if is_open else None,
                last_error=error,
                last_error_at=error_at,
            )
        )
    queued: dict[str, int] = {}
    running: dict[str, int] = {}
    for status, job_type, n in conn.execute(
        "SELECT t.status, j.job_type, count(*) FROM pipelines.sync_job_targets t JOIN sync_jobs j "
        "ON j.id = t.job_id WHERE t.status IN ('queued', 'running', 'retrying') GROUP BY 1, 2 ORDER BY 2"
    ):
        bucket = running if status == "running" else queued
        bucket[job_type] = bucket.get(job_type, 0) + n
    count, oldest_id, oldest_at = conn.execute(
        "SELECT count(*) OVER (), id, created_at FROM sync_jobs WHERE status = 'pending' "
        "ORDER BY created_at, id LIMIT 1"
    ).fetchone() or (0, None, None)
    return Status(
        at=now,
        providers=providers,
        queue=QueueState(
            queued=queued,
            running=running,
            pending_jobs=count,
            oldest_pending_id=oldest_id,
            oldest_pending_at=oldest_at,
            oldest_pending_age_seconds=(now - oldest_at).total_seconds() if oldest_at else None,
        ),
    )


def provider_warning(p: ProviderState) -> str | None:
    """Why an operator should look at this provider now (its breaker open, today's budget spent),
    or None: what the `provider_budgets` asset checks warn with (defs/provider_budgets.py)."""
    if p.breaker == "open":
        return f"breaker open ({p.open_kind}) until {_when(p.open_until)}: {p.open_reason or ''}".rstrip(": ")
    if p.calls_left <= 0:
        return f"today's budget is spent: {p.calls_today} of {p.daily_quota} calls"
    return None


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if at else "-"


def render(status: Status) -> str:
    lines = [f"providers at {_when(status.at)}"]
    lines.append(f"  {'PROVIDER':<13} {'CALLS TODAY':>11} {'LEFT':>7} {'RATE/S':>7}  BREAKER")
    for p in status.providers:
        breaker = "closed"
        if p.breaker == "open":
            breaker = f"open ({p.open_kind}) until {_when(p.open_until)}: {p.open_reason or ''}".rstrip(": ")
        lines.append(
            f"  {registry.label(p.provider):<13} {p.calls_today:>11} {p.calls_left:>7} "
            f"{p.rate_per_second:>7g}  {breaker}"
        )
        if p.last_error:
            lines.append(f"  {'':<13} last error {_when(p.last_error_at)}: {p.last_error[:160]}")
    q = status.queue

    def by_type(counts: dict[str, int]) -> str:
        total = sum(counts.values())
        return f"{total}" + (f" ({', '.join(f'{k} {v}' for k, v in counts.items())})" if counts else "")

    lines.append("queue")
    lines.append(f"  runs queued   {by_type(q.queued)}")
    lines.append(f"  runs running  {by_type(q.running)}")
    oldest = ""
    if q.oldest_pending_id and q.oldest_pending_age_seconds is not None:
        oldest = f"; oldest {q.oldest_pending_id} waiting {q.oldest_pending_age_seconds:.0f} s"
    lines.append(f"  pending jobs  {q.pending_jobs}{oldest}")
    return "\n".join(lines)
