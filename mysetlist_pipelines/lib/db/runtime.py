"""Where the databases are: the configured URLs, or the embedded server when none is configured."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from ..settings import Settings
from .embedded import APP_DATABASE, DAGSTER_DATABASE, ensure_database, start_embedded
from .urls import libpq_url, sqlalchemy_psycopg2_url, with_search_path

DAGSTER_SCHEMA = "dagster"


class DatabaseNotConfigured(RuntimeError):
    pass


@dataclass(frozen=True)
class Databases:
    app_url: str  # libpq form, for psycopg
    dagster_url: str  # SQLAlchemy psycopg2 form, for dagster-postgres
    embedded: bool

    def child_env(self) -> dict[str, str]:
        """What processes started under `mysetlist dev` (webserver, daemon, runs) need to find them."""
        return {"DATABASE_URL": self.app_url, "DAGSTER_POSTGRES_URL": self.dagster_url}


def resolve(settings: Settings) -> Databases:
    """The app's database and Dagster's storage, starting the embedded server if DATABASE_URL is unset.

    Dagster's storage never shares the app's tables: with the embedded server it gets its own
    database; with only DATABASE_URL set, its own `dagster` schema in that database.
    """
    dagster_url = settings.secret("dagster_postgres_url")
    app_url = settings.secret("database_url")
    if app_url is None:
        server = start_embedded(settings.data_dir / "pg")
        app_url = ensure_database(server, APP_DATABASE)
        if dagster_url is None:
            dagster_url = ensure_database(server, DAGSTER_DATABASE)
        embedded = True
    else:
        app_url = libpq_url(app_url)
        embedded = False
        if dagster_url is None:
            with psycopg.connect(app_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {DAGSTER_SCHEMA}")
            dagster_url = with_search_path(app_url, DAGSTER_SCHEMA)
    return Databases(libpq_url(app_url), sqlalchemy_psycopg2_url(dagster_url), embedded)


def app_database_url(settings: Settings) -> str:
    """The app database for code running inside Dagster runs, where `mysetlist dev` has set it."""
    url = settings.secret("database_url")
    if url is None:
        raise DatabaseNotConfigured(
            "DATABASE_URL is not set. Start the pipelines with `mysetlist dev` (which provides an "
            "embedded Postgres) or set DATABASE_URL to the app's Postgres."
        )
    return libpq_url(url)
