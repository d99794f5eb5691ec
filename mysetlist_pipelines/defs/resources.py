"""Every resource, built in one place from the settings (secrets stay in the environment)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg
from pydantic import PrivateAttr

from mysetlist_pipelines.lib.db.runtime import app_database_url
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.settings import get_settings


class AppDatabase(dg.ConfigurableResource):
    """The app's Postgres. Its URL comes from DATABASE_URL, never from run config."""

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(app_database_url(get_settings())) as conn:
            yield conn


class ProviderClients(dg.ConfigurableResource):
    """Spotify, Ticketmaster and setlist.fm clients, built from the settings once per run process
    (so the steps of an in-process run share one Spotify token and one call counter) and closed at
    the end. Pacing and quotas live in the app database, shared with every other run."""

    _providers: Providers | None = PrivateAttr(default=None)

    def get(self) -> Providers:
        if self._providers is None:
            settings = get_settings()
            self._providers = Providers.from_settings(settings, app_database_url(settings))
        return self._providers

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._providers is not None:
            self._providers.close()
            self._providers = None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"app_db": AppDatabase(), "providers": ProviderClients()})
