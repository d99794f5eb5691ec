"""Shared fixtures: a real PostgreSQL (DATABASE_URL's server, or an embedded one) and fresh databases.

Every test that needs the app's schema gets its own database cloned from a migrated template, so
tests never see each other's rows and cloning costs milliseconds.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql

from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.db.urls import libpq_url, with_database
from mysetlist_pipelines.lib.settings import get_settings

# The artist asset tests' fixtures, shared by every module that needs them (a conftest's imports are
# fixtures of the whole folder).
from .artist_support import app_owned_env, artist_sandbox, definitions, instance  # noqa: F401

if TYPE_CHECKING:
    from mysetlist_pipelines.lib.providers.clients import Providers
    from mysetlist_sandbox.server import SandboxServer

    from .dagster_stack import DagsterStack

TEMPLATE_DB = f"mysetlist_tmpl_{os.getpid()}"


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server-level URL on which tests may create databases."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield libpq_url(configured)
        return
    from mysetlist_pipelines.lib.db.embedded import start_embedded

    # Short path: the Unix socket lives in the data folder and socket paths are limited to ~100 bytes.
    base = Path(tmp_path_factory.mktemp("pg"))
    url = start_embedded(base / "data")
    yield url


def _create_database(server_url: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        conn.execute(query)
    return with_database(server_url, name)


def _drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def template_db(pg_server: str) -> Iterator[str]:
    _drop_database(pg_server, TEMPLATE_DB)
    url = _create_database(pg_server, TEMPLATE_DB)
    migrate(url)
    yield TEMPLATE_DB
    _drop_database(pg_server, TEMPLATE_DB)


@pytest.fixture
def empty_db(pg_server: str) -> Iterator[str]:
    """A fresh database with nothing in it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = _create_database(pg_server, name)
    yield url
    _drop_database(pg_server, name)


@pytest.fixture
def app_db(pg_server: str, template_db: str) -> Iterator[str]:
    """A fresh, fully migrated app database (URL in libpq form)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = _create_database(pg_server, name, template=template_db)
    yield url
    _drop_database(pg_server, name)


@pytest.fixture
def app_env(app_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`app_db`, also exported as DATABASE_URL so settings-driven code (resources, CLI) uses it."""
    monkeypatch.setenv("DATABASE_URL", app_db)
    get_settings.cache_clear()
    yield app_db
    get_settings.cache_clear()


@pytest.fixture
def db(app_db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(app_db, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def dagster_stack(
    pg_server: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DagsterStack]:
    """One real Dagster deployment (daemon, code server, run workers, sandbox) on its own app database,
    shared by the session's end-to-end tests (see dagster_stack.py)."""
    from .dagster_stack import start_stack

    name = f"e2e_{uuid.uuid4().hex[:12]}"
    url = _create_database(pg_server, name, template=template_db)
    stack = start_stack(pg_server, url, tmp_path_factory.mktemp("e2e"))
    yield stack
    stack.stop()
    _drop_database(pg_server, name)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """The fake providers (mysetlist_sandbox) on a free loopback port, shared by the session."""
    from mysetlist_sandbox.server import SandboxServer

    server = SandboxServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox_env(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """`sandbox`, reset (counters, faults, tokens, rate windows, config), with every provider's URL and
    credentials exported so settings-driven clients talk to it."""
    from mysetlist_sandbox import sandbox_env as provider_env

    sandbox.reset()
    for variables in provider_env(sandbox.base_url).values():
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield sandbox
    get_settings.cache_clear()


# Fast by default; tests of pacing or backoff themselves pass their own numbers.
FAST_PROVIDER_SETTINGS: dict[str, object] = {
    "spotify_rate_limit_per_second": 100.0,
    "ticketmaster_rate_limit_per_second": 100.0,
    "setlistfm_rate_limit_per_second": 100.0,
    "http_backoff_seconds": 0.05,
    "http_read_timeout_seconds": 5.0,
    "http_max_retries": 3,
    "breaker_cooldown_seconds": 1.0,
}


@pytest.fixture
def make_providers(sandbox_env: SandboxServer, app_db: str) -> Iterator[Callable[..., Providers]]:
    """Builds `Providers` on the (reset) sandbox with pacing state in `app_db`. Keyword arguments
    override settings fields, e.g. `make_providers(setlistfm_rate_limit_per_second=2, http_max_retries=0)`."""
    from mysetlist_pipelines.lib.providers.clients import Providers
    from mysetlist_pipelines.lib.settings import Settings

    built: list[Providers] = []

    def make(**overrides: object) -> Providers:
        settings = Settings(_env_file=None, **{**FAST_PROVIDER_SETTINGS, **overrides})  # type: ignore[call-arg, arg-type]
        built.append(Providers.from_settings(settings, app_db))
        return built[-1]

    yield make
    for providers in built:
        providers.close()


@pytest.fixture
def providers(make_providers: Callable[..., Providers]) -> Providers:
    """`Providers` on the sandbox, fast settings, pacing state in `app_db`."""
    return make_providers()
