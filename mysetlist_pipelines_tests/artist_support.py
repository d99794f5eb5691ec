"""Fixtures and helpers for the per-artist asset tests: a sandbox the settings point at, a Dagster
test instance, and running a job for one artist as the app's request would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib import artist_keys
from mysetlist_pipelines.lib.db.migrate import migrate
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_sandbox.server import SandboxServer

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Sandbox:
    server: SandboxServer
    today: date

    def calls(self) -> dict[str, int]:
        return dict(self.server.counters()["calls"])

    def reset(self) -> None:
        self.server.reset()


@pytest.fixture
def artist_sandbox(sandbox_env: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The session's sandbox (reset, every provider setting pointed at it: conftest `sandbox_env`)
    with pacing fast enough for tests. Combine with `app_env` (or `app_owned_env`)."""
    for provider in ("SPOTIFY", "TICKETMASTER", "SETLISTFM"):
        monkeypatch.setenv(f"{provider}_RATE_LIMIT_PER_SECOND", "100")
    get_settings.cache_clear()
    yield Sandbox(sandbox_env, datetime.now(UTC).date())
    get_settings.cache_clear()


@pytest.fixture
def app_owned_env(empty_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database whose data tables the app's own migrations created, then our migrations on top."""
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute((FIXTURES / "app_owned_schema.sql").read_text().encode())
    migrate(empty_db)
    monkeypatch.setenv("DATABASE_URL", empty_db)
    get_settings.cache_clear()
    yield empty_db
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    from mysetlist_pipelines.definitions import defs

    return defs()


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


def register(db_url: str, instance: dg.DagsterInstance, **request: str) -> str:
    """The partition key of an artist request (as the pending-jobs sensor would register it)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        (key,) = artist_keys.register(conn, [artist_keys.ArtistRequest(**request)])
    instance.add_dynamic_partitions("artists", [key])
    return key


def run_job(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    job: str,
    key: str,
    *,
    run_config: dict | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    return definitions.resolve_job_def(job).execute_in_process(
        instance=instance, partition_key=key, run_config=run_config or {}, raise_on_error=raise_on_error
    )


def step_metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    """The MaterializeResult metadata of one asset in a run, as plain values (a run of several
    partitions records one materialization per partition, or, a fleet batch run, one per artist
    synced, all with the run's metadata)."""
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(asset)]
    assert events, f"{asset} was not materialized"
    event = events[0]
    materialization = event.step_materialization_data.materialization
    return {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}


def checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def counts(conn: psycopg.Connection, artist_id: str) -> dict[str, int]:
    """What the app would show for one artist."""
    one = lambda sql: int(conn.execute(sql, {"a": artist_id}).fetchone()[0])  # noqa: E731
    shows = (
        "FROM shows s WHERE (s.headliner_artist_id = %(a)s OR EXISTS "
        "(SELECT 1 FROM show_artists x WHERE x.show_id = s.id AND x.artist_id = %(a)s))"
    )
    return {
        "artist_songs": one("SELECT count(*) FROM artist_songs WHERE artist_id = %(a)s"),
        "spotify_songs": one(
            "SELECT count(*) FROM artist_songs a JOIN songs s ON s.id = a.song_id "
            "WHERE a.artist_id = %(a)s AND s.spotify_id IS NOT NULL"
        ),
        "shows": one(f"SELECT count(*) {shows}"),
        "upcoming": one(
            f"SELECT count(*) {shows} AND s.status = 'upcoming' AND (s.date IS NULL OR s.date >= current_date)"
        ),
        "cancelled": one(f"SELECT count(*) {shows} AND s.status = 'cancelled'"),
        "setlists": one("SELECT count(*) FROM setlists WHERE artist_id = %(a)s AND type = 'actual'"),
        "setlist_songs": one(
            "SELECT count(*) FROM setlist_songs ss JOIN setlists sl ON sl.id = ss.setlist_id "
            "WHERE sl.artist_id = %(a)s AND sl.type = 'actual'"
        ),
        "predicted": one("SELECT count(*) FROM setlists WHERE artist_id = %(a)s AND type = 'predicted'"),
    }


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = (
        "artists",
        "venues",
        "shows",
        "show_artists",
        "songs",
        "artist_songs",
        "setlists",
        "setlist_songs",
    )
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}


def stamps(conn: psycopg.Connection) -> dict[str, list[tuple[str, object]]]:
    """Every row's updated_at, per table: a run that changes nothing leaves these alone."""
    tables = ("artists", "venues", "shows", "show_artists", "songs", "setlists", "setlist_songs")
    return {t: conn.execute(f"SELECT id::text, updated_at FROM {t} ORDER BY id").fetchall() for t in tables}
