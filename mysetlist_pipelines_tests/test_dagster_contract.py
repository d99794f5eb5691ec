"""What the package relies on from Dagster beyond its exported names (lib/dagster_tags.py,
defs/dagster_compat.py), checked against the installed Dagster.

These tests are the alarm for a Dagster upgrade: the package itself imports nothing private, so a
renamed tag, a new step key format or a reworded crash note would otherwise break the tracking in
silence. Only this file reaches into `dagster._...`, to compare with Dagster's own values.
"""

from __future__ import annotations

import inspect
import os
import re
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.remote_origin import (
    InProcessCodeLocationOrigin,
    RemoteInstigatorOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.scheduler.instigation import (
    InstigatorState,
    InstigatorStatus,
    InstigatorType,
    SensorInstigatorData,
)
from dagster._core.storage import tags as dagster_tags_private
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._grpc.server import DagsterApiServer
from dagster._utils import get_run_crash_explanation

import mysetlist_pipelines
from mysetlist_pipelines.defs import dagster_compat
from mysetlist_pipelines.lib import dagster_tags
from mysetlist_pipelines.lib.steps import STEP_BY_ASSET

# Our constant -> the name of Dagster's own constant for the same tag.
DAGSTER_NAME = {
    "RUN_KEY_TAG": "RUN_KEY_TAG",
    "PARTITION_TAG": "PARTITION_NAME_TAG",
    "ASSET_PARTITION_RANGE_START_TAG": "ASSET_PARTITION_RANGE_START_TAG",
    "ASSET_PARTITION_RANGE_END_TAG": "ASSET_PARTITION_RANGE_END_TAG",
    "RETRY_NUMBER_TAG": "RETRY_NUMBER_TAG",
    "WILL_RETRY_TAG": "WILL_RETRY_TAG",
    "AUTO_RETRY_RUN_ID_TAG": "AUTO_RETRY_RUN_ID_TAG",
    "BACKFILL_TAG": "BACKFILL_ID_TAG",
    "SCHEDULE_NAME_TAG": "SCHEDULE_NAME_TAG",
    "SENSOR_NAME_TAG": "SENSOR_NAME_TAG",
    "PRIORITY_TAG": "PRIORITY_TAG",
    "MAX_RETRIES_TAG": "MAX_RETRIES_TAG",
    "RETRY_STRATEGY_TAG": "RETRY_STRATEGY_TAG",
    "RETRY_ON_STEP_FAILURE_TAG": "RETRY_ON_ASSET_OR_OP_FAILURE_TAG",
    "DEFER_ASSET_EVENTS_TAG": "EXTERNALLY_MANAGED_ASSETS_TAG",
}


def test_every_tag_constant_is_dagsters_own_value() -> None:
    ours = {name for name in vars(dagster_tags) if name.endswith("_TAG")}
    assert ours == set(DAGSTER_NAME), "a tag in lib/dagster_tags.py without its Dagster counterpart here"
    for name, dagster_name in DAGSTER_NAME.items():
        assert getattr(dagster_tags, name) == getattr(dagster_tags_private, dagster_name), name


def test_no_dagster_tag_literal_outside_the_tags_module() -> None:
    """Every `dagster/...` tag the package names goes through lib/dagster_tags.py."""
    root = Path(mysetlist_pipelines.__file__).parent
    literal = re.compile(r"""["']dagster/[a-z_]+["']""")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if path.name != "dagster_tags.py" and "sandbox" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []


def test_a_failed_steps_key_names_its_asset() -> None:
    """The tracking finds the failed asset from the STEP_FAILURE event's step key."""

    def failing(name: str) -> dg.AssetsDefinition:
        @dg.asset(name=name)
        def _a() -> None:
            try:
                raise KeyError("inner")
            except KeyError as exc:
                raise RuntimeError("HTTP 503 from the service") from exc

        return _a

    names = sorted(STEP_BY_ASSET)
    with dg.instance_for_test() as instance:
        result = dg.materialize([failing(n) for n in names], instance=instance, raise_on_error=False)
        failures = [
            e.dagster_event
            for e in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            if e.dagster_event
        ]
    assert sorted(dagster_compat.asset_of_step(f.step_key) for f in failures) == names  # type: ignore[type-var]
    assert dagster_compat.asset_of_step("some_op") is None
    assert dagster_compat.asset_of_step(None) is None
    # The innermost cause, without Dagster's wrapper or the class path.
    assert dagster_compat.error_message(failures[0].step_failure_data.error) == "'inner'"


def test_the_code_servers_crash_note_is_recognised() -> None:
    """The code server reports a dead run worker only in an engine event's text: the prefix it uses
    and the text Dagster builds are the ones matched here, as stored in a real instance."""
    source = inspect.getsource(DagsterApiServer._check_for_orphaned_runs)
    assert 'prefix=f"Run execution process for {run.run_id}"' in source
    assert dagster_compat.WORKER_CRASH_PREFIX == "Run execution process for "

    with dg.instance_for_test() as instance:
        result = dg.materialize([dg.asset(name="artist_profile")(lambda: None)], instance=instance)
        run = instance.get_run_by_id(result.run_id)
        assert run is not None
        note = get_run_crash_explanation(prefix=f"Run execution process for {run.run_id}", exit_code=-9)
        instance.report_engine_event(note, run, cls=DagsterApiServer)
        other = "Executing steps in process (pid: 1)"
        found = [
            dagster_compat.worker_crash(e.message)
            for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
        ]
    assert f"Run execution process for {run.run_id} was terminated by signal 9 (SIGKILL)." in found
    assert sum(1 for f in found if f) == 1
    assert dagster_compat.worker_crash(other) is None
    assert dagster_compat.worker_crash(None) is None


def test_the_run_workers_pid_is_in_its_engine_events_metadata() -> None:
    with dg.instance_for_test() as instance:
        result = dg.materialize([dg.asset(name="artist_profile")(lambda: None)], instance=instance)
        pids = {
            dagster_compat.worker_pid(e)
            for e in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
        }
        steps = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
    # materialize runs in this process: every engine event naming a pid names this one.
    assert pids - {None} == {os.getpid()}
    assert {dagster_compat.worker_pid(e) for e in steps} == {None}


@pytest.mark.parametrize("status", [InstigatorStatus.STOPPED, InstigatorStatus.RUNNING])
def test_a_stopped_sensor_is_seen(status: InstigatorStatus) -> None:
    with dg.instance_for_test() as instance:
        assert not dagster_compat.sensor_is_stopped(instance, "sync_jobs_sensor")
        location = InProcessCodeLocationOrigin(LoadableTargetOrigin(module_name="mysetlist_pipelines"))
        origin = RemoteInstigatorOrigin(
            RemoteRepositoryOrigin(location, "__repository__"), "sync_jobs_sensor"
        )
        data = SensorInstigatorData(cursor=str(uuid.uuid4()))
        instance.add_instigator_state(InstigatorState(origin, InstigatorType.SENSOR, status, data))
        stopped = dagster_compat.sensor_is_stopped(instance, "sync_jobs_sensor")
        assert not dagster_compat.sensor_is_stopped(instance, "another_sensor")
    assert stopped is (status == InstigatorStatus.STOPPED)
