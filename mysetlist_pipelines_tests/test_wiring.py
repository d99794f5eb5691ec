"""Explicit wiring: importing the code changes nothing, the sync sensors get the jobs definitions.py
passes them, and job behaviour comes from the jobs' own tags (lib/steps.py), not from job names."""

from __future__ import annotations

import json
import subprocess
import sys

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.jobs import JOBS
from mysetlist_pipelines.lib.steps import FULL_SYNC_JOB_TYPES, FULL_SYNC_TAG, JOB_TYPES
from mysetlist_pipelines_tests.artist_support import Sandbox, register, run_job

IMPORT_EVERYTHING = """
import json, os, pkgutil, importlib
before = dict(os.environ)
import mysetlist_pipelines
names = [m.name for m in pkgutil.walk_packages(mysetlist_pipelines.__path__, "mysetlist_pipelines.")]
for name in names:
    importlib.import_module(name)
from mysetlist_pipelines.definitions import defs
defs()
changed = sorted(k for k in {*before, *os.environ} if before.get(k) != os.environ.get(k))
print(json.dumps({"modules": len(names), "changed": changed}))
"""


def test_importing_and_loading_the_code_changes_no_environment() -> None:
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING], capture_output=True, text=True, timeout=300, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["modules"] > 50 and result["changed"] == []


def test_the_sync_sensors_target_every_job_type(definitions: dg.Definitions) -> None:
    sensor = definitions.get_sensor_def("sync_jobs_sensor")
    assert sorted(j.name for j in sensor.jobs) == sorted(JOB_TYPES)
    for name in JOB_TYPES:
        assert (JOBS[name].tags.get(FULL_SYNC_TAG) == "true") is (name in FULL_SYNC_JOB_TYPES)


def _full_sync_stamp(db_url: str, name: str) -> object:
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT last_full_sync_at FROM artists WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return row[0]


def test_only_a_full_sync_stamps_the_full_sync_time(
    app_env: str, artist_sandbox: Sandbox, definitions: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    ref = artist_sandbox.server.artist("velvet-static")
    key = register(app_env, instance, name=ref.name)
    assert run_job(definitions, instance, "catalog_only", key).success
    assert _full_sync_stamp(app_env, ref.name) is None
    assert run_job(definitions, instance, "full_sync", key).success
    stamped = _full_sync_stamp(app_env, ref.name)
    assert stamped is not None
    assert run_job(definitions, instance, "update", key).success
    assert _full_sync_stamp(app_env, ref.name) == stamped


def _sessions(db_url: str) -> int:
    """Sessions Postgres has established on the database so far (this one included)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_run_shares_one_app_connection(app_env: str, instance: dg.DagsterInstance) -> None:
    """The stand-in full_sync: five tracked steps (each one's progress rows written at its start and
    end) over the real resources open one connection to the app database, not one per step and
    tracking writer (benchmarks/connections.py counts the real job: 15 before, 2 now)."""
    from . import standin_location

    instance.add_dynamic_partitions("artists", ["wired-band"])
    job = standin_location.defs.resolve_job_def("full_sync")
    before = _sessions(app_env)
    assert job.execute_in_process(instance=instance, partition_key="wired-band").success
    assert _sessions(app_env) - before - 1 == 1  # minus the second counting session


def test_the_resources_hold_no_secret_in_their_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the UI shows of a resource is its config: the database URL is the variable's name, the
    provider credentials are no config at all (read when a run or tick sets the resource up)."""
    from mysetlist_pipelines.defs.resources import AppSettings, ProviderClients, build_resources

    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2secret@127.0.0.1:5432/app")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "s" * 32)
    built = build_resources()
    assert isinstance(built["app_db"].url, dg.EnvVar) and built["app_db"].url == "DATABASE_URL"
    assert isinstance(built["providers"].database_url, dg.EnvVar)
    assert set(AppSettings.model_fields) == set() and set(ProviderClients.model_fields) == {"database_url"}
    shown = json.dumps({key: resource.model_dump() for key, resource in built.items()})
    assert "hunter2secret" not in shown and "s" * 32 not in shown


def test_every_refresh_schedule_has_its_route(definitions: dg.Definitions) -> None:
    """The refresh routes are one literal table (defs/schedules/refresh.ROUTES), not filled in by
    imports: each refresh schedule's route is a row of it, and each row has its schedule."""
    from mysetlist_pipelines.defs.schedules.planning import fleet_refresh, routes

    scheduled = {
        s.tags["mysetlist/schedule"] for s in definitions.schedules if s.job_name == fleet_refresh.name
    }
    assert scheduled == set(routes())
