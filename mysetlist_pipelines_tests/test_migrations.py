from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from mysetlist_pipelines.lib.db.migrate import MigrationError, discover, migrate, pending, sql_dir
from mysetlist_pipelines.lib.db.sqlsplit import split_statements

FIXTURES = Path(__file__).parent / "fixtures"
APP_TABLES = {
    "artists",
    "venues",
    "shows",
    "show_artists",
    "songs",
    "artist_songs",
    "setlists",
    "setlist_songs",
}
TRACKING_TABLES = {"sync_jobs", "sync_progress", "import_status", "cron_logs"}


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def _functions(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def test_migrate_empty_database_then_again_is_a_noop(empty_db: str) -> None:
    names = [m.name for m in discover()]
    assert migrate(empty_db) == names
    assert _tables(empty_db) >= APP_TABLES | TRACKING_TABLES
    assert {"log_cron_run", "cleanup_old_sync_data"} <= _functions(empty_db)
    assert migrate(empty_db) == []
    assert pending(empty_db) == []
    with psycopg.connect(empty_db) as conn:
        recorded = conn.execute("SELECT name FROM pipelines.schema_migrations ORDER BY name").fetchall()
    assert [r[0] for r in recorded] == names


def test_migrate_on_tables_the_app_created_keeps_them_as_they_are(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute((FIXTURES / "app_owned_schema.sql").read_text().encode())
    migrate(empty_db)
    assert _tables(empty_db) >= APP_TABLES | TRACKING_TABLES
    with psycopg.connect(empty_db) as conn:
        # The app's own columns survive and no enum value was duplicated or changed.
        cols = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'artists'"
            )
        }
        assert {"bio", "trending_score"} <= cols
        labels = conn.execute(
            "SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum e "
            "JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'show_status'"
        ).fetchone()
        assert labels == (["upcoming", "ongoing", "completed", "cancelled"],)
        conn.execute("INSERT INTO artists (name, slug) VALUES ('A', 'a')")
    assert migrate(empty_db) == []


def test_edited_applied_file_is_refused(empty_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "sql"
    shutil.copytree(sql_dir(), folder)
    migrate(empty_db, folder)
    first = sorted(folder.iterdir())[0]
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(MigrationError, match=rf"{first.name} was edited after it was applied"):
        migrate(empty_db, folder)


def test_failing_file_rolls_back_and_names_file_and_statement(app_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "sql"
    shutil.copytree(sql_dir(), folder)
    (folder / "0900_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\n"
        "INSERT INTO half_done VALUES (1);\n"
        "ALTER TABLE no_such_table ADD COLUMN x int;\n"
    )
    with pytest.raises(MigrationError) as info:
        migrate(app_db, folder)
    message = str(info.value)
    assert "0900_broken.sql" in message
    assert "statement 3 of 3" in message
    assert "no_such_table" in message
    assert "half_done" not in _tables(app_db)
    assert pending(app_db, folder) == ["0900_broken.sql"]


def test_split_statements_respects_dollar_quotes_strings_and_comments() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
    INSERT INTO t VALUES ('a;b', 'it''s');
    /* block; comment */ SELECT 1;
    DO $body$ BEGIN PERFORM 1; END $body$
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert statements[0].endswith("$$")
    assert "'a;b'" in statements[1]
    assert statements[3].startswith("DO $body$")
