"""`mysetlist dev` for the latency and fleet figures: the real command (webserver, daemon, code server,
run workers), on fresh databases of the benchmark's Postgres server and the benchmark's own sandbox.

Provider credentials and URLs in its environment point at our sandbox, so `mysetlist dev` starts none
of its own; DATABASE_URL and DAGSTER_POSTGRES_URL are fresh databases, so it starts no embedded server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.scheduler.instigation import InstigatorType

from mysetlist_pipelines.lib.db.urls import sqlalchemy_psycopg2_url
from mysetlist_sandbox.server import SandboxServer

from .env import ROOT, BenchEnv, poll, provider_vars, settings_env

RUN_STATUS_SENSORS = ("sync_jobs_on_run_success", "sync_jobs_on_run_failure", "sync_jobs_on_run_canceled")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    return port if port != 3000 else free_port()  # 3000 is the lead's `mysetlist dev`


@dataclass
class DevStack:
    app_url: str
    port: int
    home: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    instance: dg.DagsterInstance
    ready_seconds: float

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"mysetlist dev exited with {self.process.returncode}:\n{self.log_tail()}")


@contextlib.contextmanager
def dev_stack(
    env: BenchEnv,
    sandbox: SandboxServer,
    name: str,
    extra_env: dict[str, str] | None = None,
    app_url: str | None = None,
) -> Iterator[DevStack]:
    """`mysetlist dev` on a free port (on `app_url`, else a fresh app database), ready once the
    run-status sensors hold a cursor (no run can end unseen) and the webserver answers. This
    process's settings point at the same databases."""
    app_url = app_url or env.database(f"{name}_app")
    dagster_url = sqlalchemy_psycopg2_url(env.database(f"{name}_dagster", migrated=False))
    home = env.workdir / f"{name}_dagster_home"
    variables = {
        **provider_vars(sandbox),
        **(extra_env or {}),
        "DATABASE_URL": app_url,
        "DAGSTER_POSTGRES_URL": dagster_url,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    port = free_port()
    log_path = env.workdir / f"{name}_dev.log"
    started = time.monotonic()
    with settings_env(variables):
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(ROOT / ".venv/bin/mysetlist"), "dev", "--port", str(port)],
                cwd=ROOT, env={**os.environ}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        instance: dg.DagsterInstance | None = None
        try:
            poll(lambda: (home / "dagster.yaml").exists(), 120, "DAGSTER_HOME")
            instance = dg.DagsterInstance.from_config(str(home))
            stack = DevStack(app_url, port, home, log_path, process, instance, 0.0)
            poll(lambda: _ready(stack), 300, "mysetlist dev's sensors and webserver", interval=1)
            stack.ready_seconds = round(time.monotonic() - started, 1)
            yield stack
        finally:
            _stop(process)
            if instance is not None:
                instance.dispose()


def _ready(stack: DevStack) -> bool:
    stack.alive()
    states = {s.name: s for s in stack.instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)}
    sensors = all(
        n in states and states[n].instigator_data and states[n].instigator_data.cursor  # type: ignore[union-attr]
        for n in RUN_STATUS_SENSORS
    )
    if not sensors:
        return False
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.port}/server_info", timeout=2):
            return True
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
    # Run workers share the process group: none may outlive the benchmark.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
