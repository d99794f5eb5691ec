"""`mysetlist dev`: everything a laptop needs, in one command.

1. the app's Postgres (DATABASE_URL, or the embedded server) and Dagster's storage;
2. migrations;
3. the sandbox providers, for every provider without credentials;
4. `dagster dev` (webserver + daemon + code server) on 127.0.0.1, logs to this terminal.

Once it is started a short banner says where everything is (UI address, the app database's URL
without its password, how to import an artist); Dagster's own services log at WARNING (their
per-tick INFO lines drown everything else) unless `LOG_LEVEL=DEBUG`, which shows all of them.

Ctrl-C or SIGTERM stops it all cleanly: `dagster dev` gets the SIGINT it needs, then the sandbox and
the embedded Postgres stop.

What it prepares is in dev_setup.py, how it stops the child in dev_shutdown.py; this module holds the
command itself, the banner and the environment Dagster's processes need.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from types import FrameType

from .db.migrate import migrate
from .db.runtime import resolve
from .db.urls import redact_url
from .dev_setup import SandboxNotInstalled, dagster_home, dagster_log_level, provider_env, sandbox_server
from .dev_shutdown import signal_group, wait_for_child
from .providers import registry
from .settings import PROJECT_ROOT, get_settings

log = logging.getLogger("mysetlist.dev")

# Dagster settings read from the environment of its processes, set where those processes start (here,
# the Dockerfile for production, the tests' stack) rather than by the code as it is imported.
# Run-status sensors handle at most this many runs per tick (Dagster's default, 5, falls behind when
# a batch of runs ends at once; defs/sensors/run_status.py).
DAGSTER_PROCESS_ENV = {"DAGSTER_RUN_STATUS_SENSOR_PROCESS_LIMIT": "25"}


def banner(ui_url: str, app_url: str, sandbox_url: str | None, sandboxed: list[str], log_level: str) -> str:
    """What `mysetlist dev` prints once everything is started (never a password)."""
    lines = [
        "",
        "MySetlist pipelines starting (the UI answers within a minute)",
        f"  Dagster UI     {ui_url}   (automation: {ui_url}/automation)",
        f"  app database   {redact_url(app_url)}",
    ]
    if sandbox_url:
        lines.append(f"  sandbox        {sandbox_url}  ({', '.join(registry.label(p) for p in sandboxed)})")
    lines += [
        '  import         mysetlist import "Zoë Marlowe" --wait    (then: mysetlist jobs, mysetlist status)',
        f"  Dagster logs   {log_level.upper()} and above"
        + ("" if log_level == "debug" else " (LOG_LEVEL=DEBUG shows all)")
        + "; Ctrl-C stops everything",
        "",
    ]
    return "\n".join(lines)


def run_dev(port: int = 3000, host: str = "127.0.0.1", sandbox_port: int = 0) -> int:
    settings = get_settings()
    sandboxed = [s.name for s in registry.specs() if not s.has_credentials(settings)]
    try:
        server_module = sandbox_server() if sandboxed else None
    except SandboxNotInstalled as exc:  # said before anything starts
        labels = ", ".join(registry.label(p) for p in sandboxed)
        print(
            f"mysetlist dev: {exc}; or set the credentials of {labels} (mysetlist check-env)", file=sys.stderr
        )
        return 2
    databases = resolve(settings)
    log.info(
        "app database: %s",
        "embedded PostgreSQL in " + str(settings.data_dir / "pg")
        if databases.embedded
        else redact_url(databases.app_url),
    )
    applied = migrate(databases.app_url)
    log.info("migrations: %s", ", ".join(applied) if applied else "up to date")

    sandbox = None
    if server_module is not None:
        sandbox = server_module.SandboxServer(host="127.0.0.1", port=sandbox_port)
        sandbox.start()
        log.info("sandbox for %s at %s", ", ".join(registry.label(p) for p in sandboxed), sandbox.base_url)

    env = dict(os.environ)
    env.update(databases.child_env())
    env.update(provider_env(settings, sandbox.base_url if sandbox else None))
    env["DAGSTER_HOME"] = str(dagster_home(settings))
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    for name, value in DAGSTER_PROCESS_ENV.items():
        env.setdefault(name, value)

    workspace = PROJECT_ROOT / "workspace.yaml"
    target = ["-w", str(workspace)] if workspace.is_file() else ["-m", "mysetlist_pipelines.definitions"]
    level = dagster_log_level(settings)
    command = [
        sys.executable, "-m", "dagster", "dev", *target, "-h", host, "-p", str(port), "--log-level", level,
    ]  # fmt: skip
    log.info("Dagster UI on http://%s:%s (DAGSTER_HOME=%s)", host, port, env["DAGSTER_HOME"])
    stopping = threading.Event()
    child: subprocess.Popen[bytes] | None = None

    def _stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            log.info("stopping (signal %s): Dagster first, then the sandbox and Postgres", signum)
            if child is not None:
                signal_group(child, signal.SIGINT)

    # The handlers go in before the child starts: a handler is reset to the default in the child,
    # whereas an ignored SIGINT (a background job of a script ignores it) would be inherited, and
    # `dagster dev` would then ignore SIGINT and SIGTERM alike and never stop.
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Its own session, so a terminal Ctrl-C reaches it once, through us, as the SIGINT it needs.
        child = subprocess.Popen(command, env=env, cwd=env["DAGSTER_HOME"], start_new_session=True)
        if stopping.is_set():  # asked to stop while it was starting
            signal_group(child, signal.SIGINT)
        else:
            sandbox_url = sandbox.base_url if sandbox else None
            print(
                banner(f"http://{host}:{port}", databases.app_url, sandbox_url, sandboxed, level), flush=True
            )
        code = wait_for_child(child, stopping)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if sandbox is not None:
            sandbox.stop()
    log.info("stopped")
    return 0 if stopping.is_set() else code
