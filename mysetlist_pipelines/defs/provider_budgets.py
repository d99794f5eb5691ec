"""The `mysetlist status` facts in the Dagster UI: the `provider_budgets` asset and one asset check
per provider (lib/status.py).

The `provider_status` sensor reports them every 5 minutes without a run: an observation of
`provider_budgets` whose metadata is the whole status (per provider the calls made and left today,
the rate, the breaker; the queue), and one check evaluation per provider (`spotify_budget`,
`ticketmaster_budget`, `setlistfm_budget`) that warns while the provider's breaker is open or its
day's budget is spent. The same checks can be executed from the asset's page (a small run).
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg

from mysetlist_pipelines.lib.providers import registry
from mysetlist_pipelines.lib.status import ProviderState, Status, collect, provider_warning

from .evaluation import sync_sensor
from .resources import AppDatabase, AppSettings

KEY = dg.AssetKey("provider_budgets")
SENSOR_NAME = "provider_status"
INTERVAL_SECONDS = 300

provider_budgets = dg.AssetSpec(
    KEY,
    group_name="operations",
    description="The providers' day: calls made and left, rate, breaker; the sync queue (mysetlist status). "
    "Observed by the provider_status sensor every 5 minutes.",
)


def check_name(provider: str) -> str:
    return f"{provider}_budget"


def _status(app_db: AppDatabase, settings: AppSettings) -> Status:
    with app_db.connect() as conn:
        return collect(conn, settings.get())


def _check_metadata(p: ProviderState) -> dict[str, object]:
    return {
        "calls_today": p.calls_today,
        "calls_left": p.calls_left,
        "daily_quota": p.daily_quota,
        "rate_per_second": p.rate_per_second,
        "breaker": p.breaker,
        "open_until": p.open_until.isoformat() if p.open_until else "-",
        "last_error": (p.last_error or "-")[:300],
    }


def _evaluation(p: ProviderState) -> dg.AssetCheckEvaluation:
    warning = provider_warning(p)
    return dg.AssetCheckEvaluation(
        asset_key=KEY,
        check_name=check_name(p.provider),
        passed=warning is None,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{registry.label(p.provider)}: {warning or 'within budget, breaker closed'}",
        metadata=_check_metadata(p),
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            check_name(p), asset=KEY, description=f"{registry.label(p)}: breaker closed, budget left"
        )
        for p in registry.names()
    ],
    description="The providers' breakers and daily budgets (the provider_status sensor reports the same).",
)
def provider_budget_checks(app_db: AppDatabase, settings: AppSettings) -> Iterator[dg.AssetCheckResult]:
    for p in _status(app_db, settings).providers:
        e = _evaluation(p)
        yield dg.AssetCheckResult(
            asset_key=KEY,
            check_name=e.check_name,
            passed=e.passed,
            severity=e.severity,
            description=e.description,
            metadata=_check_metadata(p),
        )


@sync_sensor(
    name=SENSOR_NAME,
    minimum_interval_seconds=INTERVAL_SECONDS,
    description="The mysetlist status facts -> an observation of provider_budgets and its checks (no run).",
)
def provider_status(
    context: dg.SensorEvaluationContext, app_db: AppDatabase, settings: AppSettings
) -> dg.SensorResult:
    status = _status(app_db, settings)
    observation = dg.AssetObservation(
        asset_key=KEY,
        metadata={
            "status": dg.MetadataValue.json(status.model_dump(mode="json")),
            **{f"{p.provider}_calls_left": p.calls_left for p in status.providers},
            **{f"{p.provider}_breaker": p.breaker for p in status.providers},
            "pending_jobs": status.queue.pending_jobs,
        },
    )
    return dg.SensorResult(asset_events=[observation, *(_evaluation(p) for p in status.providers)])
