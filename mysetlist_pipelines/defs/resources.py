"""Every resource, built in one place from the settings (secrets stay in the environment)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg

from mysetlist_pipelines.lib.db.runtime import app_database_url
from mysetlist_pipelines.lib.settings import get_settings


class AppDatabase(dg.ConfigurableResource):
    """The app's Postgres. Its URL comes from DATABASE_URL, never from run config."""

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(app_database_url(get_settings())) as conn:
            yield conn


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"app_db": AppDatabase()})
