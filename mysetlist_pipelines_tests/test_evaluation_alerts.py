"""An unexpected exception in a sensor's or a schedule's evaluation (defs/evaluation.py) sends one
alert to the local stand-ins for Sentry and the webhook (test_alerts.Receiver), grouped by a
fingerprint of the exception and where it was raised, cooled down through pipelines.alert_cooldown
(or this process's memory when the database is what failed), and is raised again so that Dagster
shows the failed tick. Every sensor of the code location is guarded: with the app database out of
reach, each one's evaluation alerts under its own name."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.definitions import defs
from mysetlist_pipelines.defs.evaluation import alerting, sync_sensor
from mysetlist_pipelines.lib.alerts import cooldown
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines_tests.dagster_stack import poll

from . import test_alerts
from .test_alerts import SECRET, Receiver
from .ticks import run_status_tick, sensor_tick

receiver = test_alerts.receiver  # the fixture: the stand-ins for Sentry and the webhook

# Loaded at collection, before any test's instance: a Definitions load after an instance closed can
# meet Dagster's defs-state storage of that instance (a context variable a nested `with instance`
# leaves behind).
SENSORS = list(defs().sensors)
RUN_STATUS = ("sync_jobs_on_run_success", "sync_jobs_on_run_failure", "sync_jobs_on_run_canceled")


def _flush() -> None:
    import sentry_sdk

    sentry_sdk.flush(10)


def _broken(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    if context.cursor == "other":
        raise KeyError("another cause")
    raise ValueError(f"row 17 is not what the sensor expected ({SECRET})")


flaky_sensor = sync_sensor(name="flaky_sensor", minimum_interval_seconds=30, description="fails")(_broken)


@dg.op
def noop() -> None:
    pass


@dg.job
def tiny() -> None:
    noop()


@alerting("schedule", "flaky_schedule")
def _flaky_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    raise RuntimeError(f"cannot decide at {context.scheduled_execution_time}")


flaky_schedule = dg.schedule(name="flaky_schedule", cron_schedule="0 * * * *", job=tiny)(_flaky_schedule)


def test_a_failing_evaluation_alerts_once_and_still_fails_its_tick(
    app_env: str, db: psycopg.Connection, receiver: Receiver
) -> None:
    # Contexts without an instance: an evaluation that raises inside a `with instance` leaves
    # Dagster's defs-state context variable on that instance once it is closed.
    for _ in range(3):  # the daemon evaluates it again every interval: one alert per cooldown
        with pytest.raises(ValueError, match="row 17"):
            flaky_sensor.evaluate_tick(dg.build_sensor_context())
    with pytest.raises(KeyError):  # another exception (another place): another issue
        flaky_sensor.evaluate_tick(dg.build_sensor_context(cursor="other"))
    with pytest.raises(dg.DagsterUserCodeExecutionError) as caught:  # Dagster's wrapper of it
        flaky_schedule.evaluate_tick(
            dg.build_schedule_context(scheduled_execution_time=datetime(2026, 1, 1, tzinfo=UTC))
        )
    assert isinstance(caught.value.__cause__, RuntimeError)
    _flush()
    poll(lambda: len(receiver.events) >= 3 and len(receiver.hooks) >= 3, 15, "three alerts")
    _flush()
    assert len(receiver.events) == 3 and len(receiver.hooks) == 3  # not 5: the repeats were cooled down
    by_tag = {
        (e["tags"].get("sensor") or e["tags"].get("schedule"), e["tags"]["exception"]): e
        for e in receiver.events
    }
    assert set(by_tag) == {
        ("flaky_sensor", "ValueError"),
        ("flaky_sensor", "KeyError"),
        ("flaky_schedule", "RuntimeError"),
    }
    value = by_tag[("flaky_sensor", "ValueError")]
    assert value["fingerprint"] == [
        "evaluation",
        "sensor",
        "flaky_sensor",
        "ValueError",
        "test_evaluation_alerts:_broken",
    ]
    assert value["tags"]["where"] == "test_evaluation_alerts:_broken"
    assert by_tag[("flaky_sensor", "KeyError")]["fingerprint"] != value["fingerprint"]
    texts = sorted(h["text"] for h in receiver.hooks)
    assert any(t.startswith("sensor flaky_sensor failed: ValueError: row 17") for t in texts)
    assert any(t.startswith("schedule flaky_schedule failed: RuntimeError: cannot decide") for t in texts)
    # the cooldown is the shared table's, keyed by the fingerprint
    keys = {
        k for (k,) in db.execute("SELECT key FROM pipelines.alert_cooldown WHERE key LIKE 'evaluation:%'")
    }
    assert ":".join(value["fingerprint"]) in keys and len(keys) == 3
    assert b"s3cr3tvalue42" not in b"".join(receiver.raw)


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL names a port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app:pw@127.0.0.1:{port}/app")
    get_settings.cache_clear()
    cooldown._local_sent.clear()
    yield f"127.0.0.1:{port}"
    get_settings.cache_clear()
    cooldown._local_sent.clear()


def test_every_sensor_alerts_when_its_evaluation_fails(database_down: str, receiver: Receiver) -> None:
    sensors = {s.name: s for s in SENSORS}
    with dg.instance_for_test() as instance:
        for name, sensor in sensors.items():
            if name in RUN_STATUS:
                continue
            with pytest.raises(psycopg.OperationalError):
                sensor_tick(sensor, instance=instance)
        # a run-status sensor's function, as the daemon calls it for a run that ended
        result = tiny.execute_in_process(instance=instance)
        run = instance.get_run_by_id(result.run_id)
        assert run is not None
        (ended,) = [e for e in result.all_events if e.event_type_value == "PIPELINE_SUCCESS"]
        for name in RUN_STATUS:
            with pytest.raises(psycopg.OperationalError):
                run_status_tick(
                    sensors[name],
                    sensor_name=name,
                    dagster_event=ended,
                    dagster_instance=instance,
                    dagster_run=run,
                )
    _flush()
    poll(lambda: len(receiver.hooks) >= len(sensors), 20, "one webhook message per sensor")
    poll(lambda: len(receiver.events) >= len(sensors), 20, "one Sentry event per sensor")
    assert sorted(e["tags"]["sensor"] for e in receiver.events) == sorted(sensors)
    assert all(e["tags"]["exception"] == "OperationalError" for e in receiver.events)
    assert {h["text"].split(" failed:")[0] for h in receiver.hooks} == {f"sensor {n}" for n in sensors}
    assert not any(b"pw@" in raw for raw in receiver.raw)  # the database URL's password stays home
