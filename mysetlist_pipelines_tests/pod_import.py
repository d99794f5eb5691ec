"""One run pod, standing in for a Kubernetes run worker: imports one artist through the real Dagster
job in this process, with nothing shared in memory with any other pod (test_pacing_across_processes);
and `run_pods`, which starts several and has them import at once.

    python -m mysetlist_pipelines_tests.pod_import <partition_key> [<job>]

Everything comes from the environment, as in a pod: DATABASE_URL (the shared app database, where
the pacing state lives), the provider URLs and credentials (the sandbox), rates and quotas. The pod
loads the definitions and its own Dagster instance, prints `READY`, waits for a line on stdin (so
several pods start their imports together once all have paid Python's and Dagster's start-up), runs
the job, and prints one `RESULT <json>` line: per asset, its status, seconds, error and provider calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

READY = "READY"
RESULT = "RESULT "
ROOT = Path(__file__).resolve().parents[1]


def _metadata_calls(event: dg.DagsterEvent) -> dict[str, int]:
    materialization = event.step_materialization_data.materialization
    calls = materialization.metadata.get("calls")
    return dict(getattr(calls, "value", None) or {})


def _steps(instance: dg.DagsterInstance, run_id: str) -> dict[str, dict[str, Any]]:
    """Per step: status (success | failure | skipped), started and ended (epoch seconds, comparable
    across pods on one machine), seconds, error, and provider calls (from the step's metadata)."""
    steps: dict[str, dict[str, Any]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        step = steps.setdefault(event.step_key, {"status": None, "error": None, "calls": {}})
        kind = event.event_type_value
        if kind == "STEP_START":
            step["started"] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            step["status"] = "success" if kind == "STEP_SUCCESS" else "failure"
            step["ended"] = entry.timestamp
            step["seconds"] = round(entry.timestamp - step.get("started", entry.timestamp), 3)
            if kind == "STEP_FAILURE":
                error = event.step_failure_data.error
                step["error"] = error.message.strip() if error else None
        elif kind == "STEP_SKIPPED":
            step["status"] = "skipped"
        elif kind == "ASSET_MATERIALIZATION":
            step["calls"] = _metadata_calls(event)
    return steps


def main(argv: list[str]) -> int:
    key = argv[0]
    job_name = argv[1] if len(argv) > 1 else "full_sync"
    from mysetlist_pipelines.definitions import defs

    job = defs().resolve_job_def(job_name)
    # Dagster's own storage is not what is under test (pacing lives in the app database), so an
    # in-memory instance: the cheapest start-up.
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("artists", [key])
    print(READY, flush=True)
    if not sys.stdin.readline():  # the parent went away: import nothing
        return 2
    result = job.execute_in_process(instance=instance, partition_key=key, raise_on_error=False)
    report = {"key": key, "success": result.success, "steps": _steps(instance, result.run_id)}
    print(RESULT + json.dumps(report), flush=True)
    return 0


# -- the parent's side ---------------------------------------------------------------------------


@dataclass
class Pod:
    key: str
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.strip() == READY:
                self.ready.set()

    def report(self) -> dict[str, Any] | None:
        found = [line for line in self.lines if line.startswith(RESULT)]
        return json.loads(found[-1].removeprefix(RESULT)) if found else None


def _wait(condition: Any, seconds: float, what: str, pods: list[Pod], logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        dead = [p for p in pods if p.proc.poll() not in (None, 0)]
        if dead or time.monotonic() > deadline:
            why = f"pods {[p.key for p in dead]} failed" if dead else f"not done within {seconds:g} s"
            tails = {p.key: (logs / f"{p.key}.log").read_text()[-3000:] for p in dead or pods}
            raise AssertionError(f"{what}: {why}. Their logs end:\n{tails}")
        time.sleep(0.05)  # polling the condition, not waiting for a guess


@dataclass
class PodRun:
    reports: dict[str, dict[str, Any]]  # per partition key: pod_import's report
    startup_seconds: float  # until every pod had loaded Python, Dagster and the definitions
    import_seconds: float  # from "go" until the last pod finished


def run_pods(keys: list[str], env: dict[str, str], logs: Path) -> PodRun:
    """Start one pod per key, let them all load, start their imports together, return their reports."""
    pods: list[Pod] = []
    started = time.monotonic()
    try:
        for key in keys:
            with (logs / f"{key}.log").open("w") as err:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "mysetlist_pipelines_tests.pod_import", key],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    text=True,
                )
            pods.append(Pod(key, proc))
            threading.Thread(target=pods[-1].read, daemon=True).start()
        _wait(lambda: all(p.ready.is_set() for p in pods), 120, "start-up", pods, logs)
        go = time.monotonic()
        for pod in pods:  # all loaded: start the imports at once
            assert pod.proc.stdin is not None
            pod.proc.stdin.write("go\n")
            pod.proc.stdin.close()
        _wait(lambda: all(p.proc.poll() == 0 for p in pods), 180, "imports", pods, logs)
        done = time.monotonic()
        _wait(lambda: all(p.report() for p in pods), 5, "reports", pods, logs)
        return PodRun({p.key: p.report() or {} for p in pods}, go - started, done - go)
    finally:
        for pod in pods:
            if pod.proc.poll() is None:
                pod.proc.kill()
                pod.proc.wait(10)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
