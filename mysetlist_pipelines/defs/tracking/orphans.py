"""Runs orphaned by a crash of the whole deployment: `STARTED` in Dagster, their worker gone.

With the default run launcher (`mysetlist dev`: run workers are processes of the local code server)
Dagster's run monitoring cannot check a worker's health (`supports_check_run_worker_health` is false),
and when the code server dies with its workers nobody reports their end: the run stays `STARTED`
until `max_runtime_seconds`. The code server logs each worker's pid as the run launches (an engine
event with the pid in its metadata, defs/dagster_compat.worker_pid); a run whose pid is gone, a
zombie, or a newer process (the pid reused after the restart), and whose log has been quiet for
`QUIET_SECONDS`, is failed here, and Dagster's run retries then retry it or not per its budget
(`dagster/max_retries`), as for a worker killed alone. Other launchers (Kubernetes in production) have run monitoring's own health checks, so nothing
is done for them. The check runs in the code server that evaluates the sensors, which is the one that
launched the workers (same host, same pid namespace) under the default launcher.
"""

from __future__ import annotations

import time

import dagster as dg
import psutil

from ..dagster_compat import worker_pid as pid_of_entry

# A worker starts before its run's RUN_START; a process younger than that (plus slack) is another one.
_START_SLACK_SECONDS = 5.0
# A worker killed alone is reported by its code server within a second or two ("Run execution process
# for ... was terminated"), with the better message: leave it that long after the run's last event.
QUIET_SECONDS = 15.0


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The run worker's pid, from the code server's engine event (the last one: a resumed run)."""
    pid = None
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        pid = pid_of_entry(entry) or pid
    return pid


def worker_alive(pid: int, run_started_at: float | None) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # it exists; someone else's process cannot be ours, but do not guess
    return run_started_at is None or created <= run_started_at + _START_SLACK_SECONDS


def fail_orphaned_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """Fail `run` if it is `STARTED` under the default run launcher and its worker is gone."""
    if run.status != dg.DagsterRunStatus.STARTED or not isinstance(
        instance.run_launcher, dg.DefaultRunLauncher
    ):
        return False
    pid = worker_pid(instance, run.run_id)
    record = instance.get_run_record_by_id(run.run_id)
    if pid is None or record is None or worker_alive(pid, record.start_time):
        return False
    last = instance.get_records_for_run(run.run_id, limit=1, ascending=False).records
    if last and time.time() - last[0].timestamp < QUIET_SECONDS:
        return False  # just died: its code server, if alive, is reporting it right now
    fresh = instance.get_run_by_id(run.run_id)
    if fresh is None or fresh.status != dg.DagsterRunStatus.STARTED:
        return False  # it ended meanwhile, on its own
    instance.report_run_failed(
        fresh,
        f"Run worker process (pid {pid}) is gone: the deployment stopped while the run was in progress "
        "(found by the sync_jobs reconciliation).",
    )
    return True
