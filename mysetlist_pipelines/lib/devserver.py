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
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType, ModuleType

from .db.migrate import migrate
from .db.runtime import resolve
from .db.urls import redact_url
from .project_files import find_project_file
from .providers import registry
from .settings import PROJECT_ROOT, Settings, get_settings

log = logging.getLogger("mysetlist.dev")

_SHUTDOWN_GRACE_SECONDS = 30
# Dagster settings read from the environment of its processes, set where those processes start (here,
# the Dockerfile for production, the tests' stack) rather than by the code as it is imported.
# Run-status sensors handle at most this many runs per tick (Dagster's default, 5, falls behind when
# a batch of runs ends at once; defs/sensors/run_status.py).
DAGSTER_PROCESS_ENV = {"DAGSTER_RUN_STATUS_SENSOR_PROCESS_LIMIT": "25"}
SANDBOX_PACKAGE = "mysetlist_sandbox"


class SandboxNotInstalled(RuntimeError):
    """The fake providers are a development package of their own, absent from the production wheel."""


def sandbox_server() -> ModuleType:
    """mysetlist_sandbox.server, or SandboxNotInstalled saying how to get it."""
    try:
        return importlib.import_module(f"{SANDBOX_PACKAGE}.server")
    except ModuleNotFoundError as exc:
        if exc.name not in (SANDBOX_PACKAGE, f"{SANDBOX_PACKAGE}.server"):
            raise  # the sandbox is there but broken: show the real error
        raise SandboxNotInstalled(
            "the sandbox providers are not installed: they are a development package of their own "
            "(mysetlist_sandbox/ in a checkout; `make dev` installs it, or "
            "`pip install -e ./mysetlist_sandbox`), never part of the production wheel"
        ) from None


def dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME, or `<data dir>/dagster_home`. A home of the operator's own keeps its own
    dagster.yaml if it has one; the default home always gets the project's current one, so a change
    to dagster.yaml reaches the next `mysetlist dev`."""
    configured = os.environ.get("DAGSTER_HOME")
    home = Path(configured or settings.data_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if configured and target.exists():
        return home
    # The checkout's file, or the copy a wheel installs under <prefix>/share/mysetlist-pipelines.
    source = find_project_file("dagster.yaml")
    if source is None:
        raise FileNotFoundError(
            f"no dagster.yaml to copy into {home}: reinstall the package, or put one there yourself"
        )
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
        log.info("wrote %s from the project's dagster.yaml", target)
    return home


def provider_env(settings: Settings, sandbox_url: str | None) -> dict[str, str]:
    """Point every provider without credentials at the sandbox, with the sandbox's credentials."""
    if sandbox_url is None:
        return {}
    from mysetlist_sandbox import sandbox_env

    env: dict[str, str] = {}
    full = sandbox_env(sandbox_url)
    for spec in registry.specs():
        if not spec.has_credentials(settings):
            env.update(full[spec.name])
    return env


def dagster_log_level(settings: Settings) -> str:
    """The level of Dagster's own service logs in the dev terminal."""
    return "debug" if settings.log_level == "DEBUG" else "warning"


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
                _signal(child, signal.SIGINT)

    # The handlers go in before the child starts: a handler is reset to the default in the child,
    # whereas an ignored SIGINT (a background job of a script ignores it) would be inherited, and
    # `dagster dev` would then ignore SIGINT and SIGTERM alike and never stop.
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Its own session, so a terminal Ctrl-C reaches it once, through us, as the SIGINT it needs.
        child = subprocess.Popen(command, env=env, cwd=env["DAGSTER_HOME"], start_new_session=True)
        if stopping.is_set():  # asked to stop while it was starting
            _signal(child, signal.SIGINT)
        else:
            sandbox_url = sandbox.base_url if sandbox else None
            print(
                banner(f"http://{host}:{port}", databases.app_url, sandbox_url, sandboxed, level), flush=True
            )
        code = _wait(child, stopping)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if sandbox is not None:
            sandbox.stop()
    log.info("stopped")
    return 0 if stopping.is_set() else code


def _wait(child: subprocess.Popen[bytes], stopping: threading.Event) -> int:
    while not stopping.is_set():
        try:
            return child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
    try:
        return child.wait(timeout=_SHUTDOWN_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        log.warning("Dagster did not stop within %ss; terminating it", _SHUTDOWN_GRACE_SECONDS)
        _signal(child, signal.SIGTERM)
        try:
            return child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal(child, signal.SIGKILL)
            return child.wait()


def _signal(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
