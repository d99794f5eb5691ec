"""Every resource of the code location, built in one place (`build_resources`) and injected by name
into the assets, checks, ops and sensors that declare them (`app_db: AppDatabase`, ...).

- `app_db` (AppDatabase): the app's Postgres. Within one run, or one sensor tick, every user of it
  (the steps' writes, the asset checks, the tracking rows, the cron_logs row) shares one autocommit
  connection, opened on first use and closed when Dagster tears the resource down.
- `providers` (ProviderClients): the provider clients of the run, on the shared pacing state.
- `settings` (AppSettings): the deployment's settings for the code that needs a knob (the run-retry
  backoff, the fleet's batch size, discovery's markets, the status's quotas).

Secrets never reach run config, tags or the UI: the database URL is `dg.EnvVar("DATABASE_URL")` (the UI
shows the variable's name), and the provider credentials are read from the environment (and `.env`)
by lib/settings.Settings when Dagster sets the resource up for a run or tick, into a private
attribute, never a config field. Nothing is read at import: a test's environment, or a deployment's,
is the one its run sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg
from pydantic import PrivateAttr

from mysetlist_pipelines.lib.db.urls import libpq_url
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.settings import Settings
from mysetlist_pipelines.lib.sync.prefetch import Prefetch

# The environment variable the app's database URL comes from (app-contract section 4).
DATABASE_URL_ENV = "DATABASE_URL"


def _resolved(url: str) -> str:
    """`url` in libpq form. Dagster resolves an `EnvVar` field when it sets a resource up; a resource
    used directly (outside `dg.build_resources` or a run) still holds the variable, read here."""
    return libpq_url(url.get_value() or "" if isinstance(url, dg.EnvVar) else url)


class AppDatabase(dg.ConfigurableResource):
    """The app's Postgres at `url` (in the deployment `dg.EnvVar("DATABASE_URL")`, never a value in
    run config). `connect()` yields an autocommit connection: every statement is its own transaction
    unless the caller opens one (`with conn.transaction():`), so a connection shared by the steps and
    the tracking never holds a transaction between two users."""

    url: str

    _conn: psycopg.Connection | None = PrivateAttr(default=None)
    _shared: bool = PrivateAttr(default=False)

    @property
    def conninfo(self) -> str:
        """The URL in libpq form, for lib/ code that keeps a connection of its own on purpose (the
        pacing store, the signal plan's import gate: see `ProviderClients`)."""
        return _resolved(self.url)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Inside a run or tick: one connection for all of it, closed by the teardown below.
        self._shared = True

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _open(self) -> psycopg.Connection:
        return psycopg.connect(self.conninfo, autocommit=True)

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        """The run's (or tick's) connection, opened on first use; a new one if the last one broke
        (a server restart: the tracking must still write the step's failure). Used outside a
        Dagster execution (a direct call in a benchmark), each `connect()` is its own connection."""
        if not self._shared:
            with self._open() as conn:
                yield conn
            return
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._open()
        yield self._conn


class AppSettings(dg.ConfigurableResource):
    """lib/settings.Settings of this deployment, read from the environment (and `.env`) when Dagster
    sets the resource up for a run or tick. It is no config field, so none of it (secrets included)
    is shown in the UI or stored with a run."""

    _settings: Settings | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._settings = Settings()

    def get(self) -> Settings:
        if self._settings is None:  # used outside a Dagster execution (a direct call)
            self._settings = Settings()
        return self._settings


class ProviderClients(dg.ConfigurableResource):
    """Spotify, Ticketmaster and setlist.fm clients, built once per run process from the settings
    (so the steps of an in-process run share one Spotify token and one call counter) and closed at
    the end. Pacing, quotas and breakers live in the app database at `database_url` (shared with
    every other run) over the pacing store's own connection: it sets a 30-s statement timeout
    (lib/http/store.py) that the app's writes must not inherit, and it is called from the provider
    sessions, also from the signal plan's threads, so it is not the run's shared connection."""

    database_url: str

    _providers: Providers | None = PrivateAttr(default=None)
    _prefetch: Prefetch | None = PrivateAttr(default=None)

    def get(self) -> Providers:
        if self._providers is None:
            self._providers = self._build()
        return self._providers

    def _build(self) -> Providers:
        return Providers.from_settings(Settings(), _resolved(self.database_url))

    def prefetch(self) -> Prefetch:
        """The run's fetches started ahead (lib/sync/prefetch.py): the profile step starts them, the
        shows and setlists steps take them. Their threads have clients of their own (one more pacing
        connection, no Spotify token), so each step's call counts stay its own."""
        if self._prefetch is None:
            self._prefetch = Prefetch(self._build)
        return self._prefetch

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._prefetch is not None:
            # First: a fetch no step took stops before its next page; nothing outlives the run.
            self._prefetch.close()
            self._prefetch = None
        if self._providers is not None:
            self._providers.close()
            self._providers = None


def build_resources(database_url: str | dg.EnvVar | None = None) -> dict[str, dg.ConfigurableResource]:
    """The resources by key. `database_url`: the app database (a test's); by default
    `dg.EnvVar("DATABASE_URL")`, resolved by Dagster when a run or tick starts."""
    url = database_url if database_url is not None else dg.EnvVar(DATABASE_URL_ENV)
    return {
        "app_db": AppDatabase(url=url),
        "providers": ProviderClients(database_url=url),
        "settings": AppSettings(),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=build_resources())
