"""`mysetlist db migrate`: apply the numbered files in `sql/`, each once, each in its own transaction.

Applied files are recorded in `pipelines.schema_migrations` with a checksum; an applied file that was
edited afterwards is refused, because the databases that already ran it would silently differ.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from ..project_files import find_project_file
from .sqlsplit import split_statements

STATE_SCHEMA = "pipelines"
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Any fixed number: it only has to be the same in every process that migrates this database.
_MIGRATION_LOCK_ID = 0x6D79_7365_746C


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    script: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.script.replace("\r\n", "\n").encode()).hexdigest()


def sql_dir() -> Path:
    """The migrations folder: `MYSETLIST_SQL_DIR`, the checkout's `sql/`, or a wheel's shared data."""
    configured = os.environ.get("MYSETLIST_SQL_DIR")
    candidate = Path(configured) if configured else find_project_file("sql")
    if candidate is not None and candidate.is_dir():
        return candidate
    if configured:
        raise MigrationError(f"MYSETLIST_SQL_DIR={configured} is not a folder")
    raise MigrationError("no sql/ folder found; set MYSETLIST_SQL_DIR to the project's sql/ folder")


def discover(folder: Path | None = None) -> list[Migration]:
    folder = folder or sql_dir()
    migrations = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        if not _FILE_NAME.match(path.name):
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_snake.sql")
        migrations.append(Migration(path.name, path.read_text(encoding="utf-8")))
    numbers = [m.name[:4] for m in migrations]
    if len(set(numbers)) != len(numbers):
        raise MigrationError(f"two migration files share a number in {folder}: {sorted(numbers)}")
    return migrations


def migrate(conninfo: str, folder: Path | None = None) -> list[str]:
    """Apply pending migrations; return the names applied (empty when the database is current)."""
    migrations = discover(folder)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # Two processes migrating at once (dev and a test run, say) must not both apply a file.
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK_ID,))
        try:
            _ensure_state_table(conn)
            applied = dict(
                conn.execute(f"SELECT name, checksum FROM {STATE_SCHEMA}.schema_migrations").fetchall()
            )
            _refuse_edited(migrations, applied)
            done = []
            for migration in migrations:
                if migration.name not in applied:
                    _apply(conn, migration)
                    done.append(migration.name)
            return done
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK_ID,))


def pending(conninfo: str, folder: Path | None = None) -> list[str]:
    migrations = discover(folder)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f"{STATE_SCHEMA}.schema_migrations",)
        ).fetchone()
        if not exists or not exists[0]:
            return [m.name for m in migrations]
        applied = {r[0] for r in conn.execute(f"SELECT name FROM {STATE_SCHEMA}.schema_migrations")}
    return [m.name for m in migrations if m.name not in applied]


def _ensure_state_table(conn: psycopg.Connection) -> None:
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {STATE_SCHEMA}")
    conn.execute(
        f"""CREATE TABLE IF NOT EXISTS {STATE_SCHEMA}.schema_migrations (
                name text PRIMARY KEY,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())"""
    )


def _refuse_edited(migrations: list[Migration], applied: dict[str, str]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.name)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(
                f"sql/{migration.name} was edited after it was applied to this database "
                f"(recorded checksum {recorded[:12]}, file now {migration.checksum[:12]}). "
                "Applied migrations are never changed: restore the file and put the change "
                "in a new numbered file."
            )


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    statements = split_statements(migration.script)
    with conn.transaction():
        for index, statement in enumerate(statements, start=1):
            try:
                conn.execute(statement.encode())  # bytes: no client-side %-placeholder parsing
            except psycopg.Error as exc:
                first_line = statement.strip().splitlines()[0][:120]
                detail = exc.diag.message_primary or str(exc).strip()
                raise MigrationError(
                    f"sql/{migration.name}, statement {index} of {len(statements)} "
                    f"({first_line!r}) failed: {detail}. Nothing of this file was applied."
                ) from exc
        conn.execute(
            f"INSERT INTO {STATE_SCHEMA}.schema_migrations (name, checksum) VALUES (%s, %s)",
            (migration.name, migration.checksum),
        )
