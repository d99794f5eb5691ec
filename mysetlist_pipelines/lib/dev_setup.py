"""What `mysetlist dev` prepares before anything starts: the sandbox package (or why it is missing),
DAGSTER_HOME with the project's dagster.yaml, the environment that points providers without credentials
at the sandbox, and the level of Dagster's own logs.

Apart from the command (devserver.py) because each piece is a plain function of the settings, tested
without starting a process; `mysetlist sandbox` uses the sandbox lookup too.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from pathlib import Path
from types import ModuleType

from .project_files import find_project_file
from .providers import registry
from .settings import Settings

log = logging.getLogger("mysetlist.dev")

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
