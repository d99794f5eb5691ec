"""The reconciliation reaches every open job, however many: keyset sweeps kept in its cursor, each
tick bounded (issue 15). Real Postgres, the real sensor through build_sensor_context."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.defs.sensors import reconciliation as reconcile
from mysetlist_pipelines.defs.sensors.reconciliation import RECONCILE_SENSOR_NAME
from mysetlist_pipelines.lib import tracking
from mysetlist_pipelines.lib.tracking.repair.sweep import SweepCursor, next_position

from . import standin_location
from .ticks import sensor_tick

pytestmark = pytest.mark.usefixtures("app_env")
DEFS = standin_location.defs
OPEN_JOBS = 1_200  # more than the old newest-1,000 window, and more than two pages of open targets


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def open_jobs(db: psycopg.Connection) -> list[str]:
    """OPEN_JOBS app requests claimed by the pipelines' own intake (targets queued, run requested
    just now, so the reconciliation leaves them alone): open rows that stay open."""
    db.execute(
        "INSERT INTO sync_jobs (entity_type, entity_id, job_type, priority, metadata) "
        "SELECT 'artist', gen_random_uuid()::text, 'catalog_only', 2, "
        "jsonb_build_object('artist_name', 'Sweep Band ' || i) FROM generate_series(1, %s) AS i",
        (OPEN_JOBS,),
    )
    intake = tracking.claim_pending(db, OPEN_JOBS)
    assert len(intake.launches) == OPEN_JOBS and not intake.rejections
    return [launch.job_id for launch in intake.launches]


def _tick(instance: dg.DagsterInstance, cursor: str | None) -> tuple[str, dict[str, int]]:
    result = sensor_tick(
        DEFS.get_repository_def().get_sensor_def(RECONCILE_SENSOR_NAME),
        instance=instance, instance_ref=instance.get_ref(), cursor=cursor, definitions=DEFS,
        sensor_name=RECONCILE_SENSOR_NAME,
    )  # fmt: skip
    assert result.cursor and result.skip_message
    counts = {k: int(v) for k, v in (part.rsplit(" ", 1) for part in result.skip_message.split(", "))}
    return result.cursor, counts


def test_every_open_target_is_checked_within_the_page_bound(
    db: psycopg.Connection, instance: dg.DagsterInstance, open_jobs: list[str]
) -> None:
    # A few targets whose runs Dagster no longer has, updated last: an oldest-first page of 500
    # would show the same 500 untouched rows every tick and never reach them.
    lost = open_jobs[::400]
    db.execute(
        "UPDATE pipelines.sync_job_targets SET run_id = 'gone-' || job_id, status = 'running', "
        "updated_at = now() + interval '1 hour' WHERE job_id = ANY(%s)",
        (lost,),
    )
    bound = math.ceil(OPEN_JOBS / reconcile.OPEN_PER_TICK) + 1
    cursor, checked, ticks = None, 0, 0
    while ticks < bound:
        cursor, counts = _tick(instance, cursor)
        ticks += 1
        assert counts["open_checked"] <= reconcile.OPEN_PER_TICK
        checked += counts["open_checked"]
        if SweepCursor.parse(cursor, datetime.now(UTC)).open_after is None:
            break  # the sweep came round: every open target was seen once
    assert checked >= OPEN_JOBS and ticks <= bound
    rows = db.execute("SELECT status, error FROM sync_jobs WHERE id = ANY(%s)", (lost,)).fetchall()
    assert len(rows) == len(lost)
    assert {r[0] for r in rows} == {"failed"} and all("no longer exists" in r[1] for r in rows)


def test_drift_of_every_open_job_is_repaired_within_the_page_bound(
    db: psycopg.Connection, instance: dg.DagsterInstance, open_jobs: list[str]
) -> None:
    # Every open row edited behind the pipelines' back; a repaired row becomes the newest, so a
    # newest-1,000 window would keep repairing those and never reach the other 200.
    db.execute("UPDATE sync_jobs SET completed_steps = 7 WHERE id = ANY(%s)", (open_jobs,))
    bound = math.ceil(OPEN_JOBS / reconcile.DRIFT_PER_TICK) + 1
    cursor, repaired = None, 0
    for _ in range(bound):
        cursor, counts = _tick(instance, cursor)
        assert counts["drift_checked"] <= reconcile.DRIFT_PER_TICK
        repaired += counts["repaired"]
    left = db.execute(
        "SELECT count(*) FROM sync_jobs WHERE id = ANY(%s) AND completed_steps = 7", (open_jobs,)
    ).fetchone()
    assert left == (0,) and repaired == OPEN_JOBS


def test_a_tick_out_of_time_stops_and_the_next_goes_on_after_it(
    db: psycopg.Connection,
    instance: dg.DagsterInstance,
    open_jobs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reconcile, "TICK_BUDGET_SECONDS", 0.0)  # every tick is already late
    positions = []
    cursor = None
    for _ in range(3):
        cursor, counts = _tick(instance, cursor)
        # Still one target and one drift chunk a tick: a sweep never stalls.
        assert counts["open_checked"] == 1 and counts["drift_checked"] == reconcile.DRIFT_CHUNK
        positions.append(SweepCursor.parse(cursor, datetime.now(UTC)))
    opened = [p.open_after for p in positions]
    drifted = [p.drift_after for p in positions]
    assert all(opened) and opened == sorted(opened) and len(set(opened)) == 3
    assert all(drifted) and drifted == sorted(drifted) and len(set(drifted)) == 3


def test_cursor_reads_the_older_timestamp_form_and_positions_wrap() -> None:
    old = "2026-11-30T10:00:00+00:00"
    default = datetime(2026, 1, 1, tzinfo=UTC)
    parsed = SweepCursor.parse(old, default)
    assert parsed.runs == datetime.fromisoformat(old) and parsed.open_after is None
    assert SweepCursor.parse("not a cursor", default).runs == default
    assert SweepCursor.parse(parsed.dump(), default) == parsed
    assert next_position(["a", "b", "c"], 3, 3) == "c"  # a full page: go on after it
    assert next_position(["a", "b"], 3, 2) is None  # the end: start over
    assert next_position(["a", "b", "c"], 3, 1) == "a"  # stopped early: go on after the last handled
