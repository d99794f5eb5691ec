"""A real Dagster deployment for end-to-end tests, as `mysetlist dev` runs it (minus the web UI):
`dagster-daemon run` on the project's dagster.yaml (queued runs, run retries, run monitoring), its code
server, run worker processes, Dagster storage in its own database on the test Postgres server, the app
database, and the sandbox providers.

    stack = start_stack(pg_server, app_url, tmp_path)      # blocks until the sensors are ticking
    job_id = insert_job(conn, ...)                         # as the app does
    row = stack.wait_for_job(job_id)                       # until completed / partial / failed
    stack.stop()

Reused by the e2e tests of the sync lifecycle (issue 5) and of the schedules (issue 6): the
`dagster_stack` fixture in conftest.py shares one stack per test session.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import yaml
from dagster._core.events import DagsterEventType
from dagster._core.scheduler.instigation import InstigatorType
from psycopg import sql

from mysetlist_pipelines.lib.db.urls import sqlalchemy_psycopg2_url, with_database
from mysetlist_pipelines.lib.devserver import DAGSTER_PROCESS_ENV
from mysetlist_pipelines.lib.settings import PROJECT_ROOT
from mysetlist_pipelines_tests.polling import poll
from mysetlist_sandbox import sandbox_env
from mysetlist_sandbox.server import SandboxServer

FINAL = ("completed", "partial", "failed")
DEFAULT_MODULE = "mysetlist_pipelines.definitions"
RUN_STATUS_SENSORS = ("sync_jobs_on_run_success", "sync_jobs_on_run_failure", "sync_jobs_on_run_canceled")
# Provider settings for tests: quick backoff, a breaker that cools down fast, no pacing bottleneck.
FAST_ENV = {
    "MYSETLIST_HTTP_BACKOFF_SECONDS": "0.05",
    "MYSETLIST_HTTP_MAX_RETRIES": "2",
    "MYSETLIST_HTTP_READ_TIMEOUT": "10",
    "MYSETLIST_BREAKER_COOLDOWN_SECONDS": "1",
    "MYSETLIST_RUN_RETRY_BACKOFF_SECONDS": "8",
    "SPOTIFY_RATE_LIMIT_PER_SECOND": "50",
    "TICKETMASTER_RATE_LIMIT_PER_SECOND": "50",
    "SETLISTFM_RATE_LIMIT_PER_SECOND": "50",
}


@dataclass
class DagsterStack:
    app_url: str
    dagster_db: str
    server_url: str
    home: Path
    module: str
    env: dict[str, str]
    sandbox: SandboxServer
    process: subprocess.Popen[bytes]
    log_path: Path
    _instance: dg.DagsterInstance | None = field(default=None, repr=False)

    @property
    def instance(self) -> dg.DagsterInstance:
        if self._instance is None:
            self._instance = dg.DagsterInstance.from_config(str(self.home))
        return self._instance

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.app_url, autocommit=True)

    def job(self, job_id: str) -> dict[str, Any]:
        with self.connect() as conn:
            cur = conn.execute("SELECT * FROM sync_jobs WHERE id = %s", (job_id,))
            row = cur.fetchone()
            assert row is not None, f"no sync_jobs row {job_id}"
            return dict(zip([d.name for d in cur.description or ()], row, strict=True))

    def wait_for_job(
        self, job_id: str, until: Callable[[dict[str, Any]], bool] | None = None, timeout: float = 120
    ) -> dict[str, Any]:
        """The job's row once `until(row)` holds (default: the job has ended)."""
        test = until or (lambda row: row["status"] in FINAL)
        last: dict[str, Any] = {}

        def check() -> dict[str, Any] | None:
            last.update(self.job(job_id))
            return dict(last) if test(last) else None

        try:
            return poll(check, timeout, f"sync job {job_id}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last row: {last}\n--- daemon log ---\n{self.log_tail()}") from None

    def runs_of_job(self, job_id: str) -> list[dg.DagsterRun]:
        return list(self.instance.get_runs(dg.RunsFilter(tags={"mysetlist/sync_job_id": job_id})))

    def run_pid(self, run_id: str) -> int | None:
        """The run worker's process id, from the engine event the worker logs as it starts."""
        for entry in self.instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT):
            match = re.search(r"Started process for run \(pid: (\d+)\)", entry.message or "")
            if match:
                return int(match.group(1))
        return None

    def launch(self, job_name: str, partition_key: str, tags: dict[str, str] | None = None) -> str:
        """Launch a run through Dagster (as the UI does: queued, then launched by the daemon)."""
        run_id = str(uuid.uuid4())
        all_tags = {"dagster/partition": partition_key, **(tags or {})}
        command = [
            sys.executable, "-m", "dagster", "job", "launch", "-m", self.module, "-j", job_name,
            "--tags", json.dumps(all_tags), "--run-id", run_id,
        ]  # fmt: skip
        subprocess.run(command, env=self.env, cwd=self.home, check=True, capture_output=True, timeout=120)
        return run_id

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def crash(self) -> None:
        """The whole deployment dies at once (SIGKILL to the process group: daemon, code server, run
        workers), as a machine or container crash leaves it; storage, app database and sandbox stay."""
        _signal_group(self.process, signal.SIGKILL)
        self.process.wait(timeout=30)

    def restart(self, ready_timeout: float = 180) -> None:
        """Start the deployment again on the same Dagster home and database (after `crash`)."""
        self.process = _spawn_daemon(self.module, self.env, self.home, self.log_path)
        poll(lambda: _sensors_ready(self), ready_timeout, "the restarted daemon's sensors", interval=1)

    def stop(self) -> None:
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Run workers live in the same process group; none may outlive the stack.
        _signal_group(self.process, signal.SIGKILL)
        if self._instance is not None:
            self._instance.dispose()
        self.sandbox.stop()
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.dagster_db))
            )


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def write_instance_yaml(home: Path, dagster_url: str, overrides: dict[str, Any] | None = None) -> None:
    """The project's dagster.yaml, with storage pointed at `dagster_url` (and any `overrides`)."""
    config = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    config["storage"] = {"postgres": {"postgres_url": dagster_url}}
    config.update(overrides or {})
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))


def start_stack(
    server_url: str,
    app_url: str,
    workdir: Path,
    module: str = DEFAULT_MODULE,
    extra_env: dict[str, str] | None = None,
    instance_overrides: dict[str, Any] | None = None,
    ready_timeout: float = 180,
) -> DagsterStack:
    """Start the daemon (and through it the code server) on a fresh Dagster database; return once
    the sync sensors run, so no run can end before the run-status sensors hold a cursor."""
    dagster_db = f"dagster_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dagster_db)))
    home = workdir / "dagster_home"
    write_instance_yaml(
        home, sqlalchemy_psycopg2_url(with_database(server_url, dagster_db)), instance_overrides
    )
    sandbox = SandboxServer(port=0).start()
    env = dict(os.environ)
    for variables in sandbox_env(sandbox.base_url).values():
        env.update(variables)
    env.update(FAST_ENV)
    env.update(DAGSTER_PROCESS_ENV)  # as `mysetlist dev` and the image set it
    env.update(
        {
            "DAGSTER_HOME": str(home),
            "DATABASE_URL": app_url,
            "MYSETLIST_DATA_DIR": str(workdir / "data"),
            "DAGSTER_DISABLE_TELEMETRY": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    env.pop("DAGSTER_POSTGRES_URL", None)
    env.update(extra_env or {})
    log_path = workdir / "daemon.log"
    process = _spawn_daemon(module, env, home, log_path)
    stack = DagsterStack(app_url, dagster_db, server_url, home, module, env, sandbox, process, log_path)
    try:
        poll(lambda: _sensors_ready(stack), ready_timeout, "the daemon's sync sensors to start", interval=1)
    except BaseException:
        print(stack.log_tail(200), file=sys.stderr)
        stack.stop()
        raise
    return stack


def _spawn_daemon(module: str, env: dict[str, str], home: Path, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "dagster._daemon", "run", "-m", module],
            env=env,
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _sensors_ready(stack: DagsterStack) -> bool:
    if stack.process.poll() is not None:
        raise AssertionError(f"dagster-daemon exited with {stack.process.returncode}:\n{stack.log_tail()}")
    states = {s.name: s for s in stack.instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)}
    return all(
        name in states and states[name].instigator_data and states[name].instigator_data.cursor  # type: ignore[union-attr]
        for name in RUN_STATUS_SENSORS
    )
