"""The `mysetlist status` facts as the `provider_budgets` asset's observation and checks
(defs/provider_budgets.py) against a real Postgres: a provider whose breaker is open and one whose day's
budget is spent warn, the third passes; the sensor reports without a run, the checks also run as
a check execution."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.provider_budgets import (
    KEY,
    provider_budget_checks,
    provider_budgets,
    provider_status,
)
from mysetlist_pipelines.defs.resources import build_resources
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines.lib.status import collect, provider_warning

from .fleet_helpers import open_circuit, use_quota
from .ticks import sensor_tick


@pytest.fixture
def small_quota(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MYSETLIST_TICKETMASTER_DAILY_QUOTA", "5")
    get_settings.cache_clear()
    yield app_env
    get_settings.cache_clear()


def test_the_checks_warn_for_an_open_breaker_and_a_spent_budget(
    small_quota: str, db: psycopg.Connection
) -> None:
    open_circuit(db, "spotify", "5 consecutive failures (503 Service Unavailable)")
    use_quota(db, "ticketmaster", 5)
    warnings = {p.provider: provider_warning(p) for p in collect(db, get_settings()).providers}
    assert warnings["setlistfm"] is None
    assert (warnings["spotify"] or "").startswith("breaker open (failures) until ")
    assert warnings["ticketmaster"] == "today's budget is spent: 5 of 5 calls"

    with dg.instance_for_test() as instance:
        data = sensor_tick(provider_status, instance=instance)
    assert not data.run_requests  # reported, not run
    (observation,) = [e for e in data.asset_events if isinstance(e, dg.AssetObservation)]
    assert observation.asset_key == KEY and observation.metadata["ticketmaster_calls_left"].value == 0
    checks = {e.check_name: e for e in data.asset_events if isinstance(e, dg.AssetCheckEvaluation)}
    assert {k: c.passed for k, c in checks.items()} == {
        "spotify_budget": False,
        "ticketmaster_budget": False,
        "setlistfm_budget": True,
    }
    assert all(c.severity == dg.AssetCheckSeverity.WARN for c in checks.values())
    assert "503 Service Unavailable" in (checks["spotify_budget"].description or "")

    # executed from the asset's page: the same verdicts, stored by Dagster
    with dg.instance_for_test() as instance:
        job = dg.Definitions(
            assets=[provider_budgets], asset_checks=[provider_budget_checks], resources=build_resources()
        ).resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=instance)
        assert result.success  # a warning is no failure
        evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {"spotify_budget": False, "ticketmaster_budget": False, "setlistfm_budget": True}
