"""Explicit wiring: importing the code changes nothing, the sync sensors get the jobs definitions.py
passes them, and job behaviour comes from the jobs' own tags (lib/steps.py), not from job names."""

from __future__ import annotations

import json
import subprocess
import sys

import dagster as dg
import psycopg

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
